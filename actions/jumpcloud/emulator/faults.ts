import type { Random } from './random.js';

/** The fault settings (all off by default). */
export interface FaultSettings {
  /** Added delay before every API response (including error responses), in milliseconds. */
  latencyMs: number;
  /** Probability (0–1) of answering 500, 502 or 503 instead of handling the request. */
  failRate: number;
  /** Requests per second allowed; beyond it 429 with `Retry-After`. 0 turns rate limiting off. */
  rateLimit: number;
  /** Probability (0–1) of destroying the connection without any response. */
  dropRate: number;
}

/**
 * A fault for matching requests only, answered instead of handling them: e.g. a 403 on one
 * call, to make one step of a run fail for good until the rule is cleared (the cause "fixed").
 */
export interface FaultRule {
  /** The HTTP method, e.g. `POST` (any case). */
  method: string;
  /** The path without the query string: exactly, or matching a pattern. */
  path: string | RegExp;
  /** The status answered (400–599), with JumpCloud's error body. */
  status: number;
  /** The error message; a generic one for the status when absent. */
  message?: string;
  /** How many matching requests get the fault; every one when absent. */
  times?: number;
}

/** What happens to one request. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'error'; status: 500 | 502 | 503 }
  | { kind: 'drop' }
  | { kind: 'rule'; status: number; message: string };

/** Default settings: no faults. */
export const NO_FAULTS: FaultSettings = { latencyMs: 0, failRate: 0, rateLimit: 0, dropRate: 0 };

/**
 * Decides, per API request, whether to inject a fault. Decisions come from a seeded generator
 * drawn a fixed number of times per request, so a given seed and request order always give the
 * same faults whatever the rates are. Injected errors and drops happen *before* the request is
 * handled, so they never change state: a client that retries sees the operation done once.
 *
 * The rate limit is a token bucket holding one second's worth of requests (`rateLimit` tokens, at
 * least one, refilled continuously); an empty bucket answers 429 with `Retry-After` in whole seconds until a
 * token is available (at least 1), which is what the contract recommends for the fake server.
 */
export class FaultInjector {
  #settings: FaultSettings;
  readonly #random: Random;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #rules: Array<{ rule: FaultRule; remaining: number }> = [];

  constructor(settings: Partial<FaultSettings>, random: Random, now: () => number = () => performance.now()) {
    this.#settings = checkFaultSettings({ ...NO_FAULTS, ...settings });
    this.#random = random;
    this.#now = now;
    this.#tokens = capacity(this.#settings.rateLimit);
    this.#refilledAt = now();
  }

  /** The current settings. */
  get settings(): FaultSettings {
    return { ...this.#settings };
  }

  /** Changes some settings; a new rate limit starts with a full bucket. */
  update(partial: Partial<FaultSettings>): FaultSettings {
    const next = checkFaultSettings({ ...this.#settings, ...partial });
    if (next.rateLimit !== this.#settings.rateLimit) {
      this.#tokens = capacity(next.rateLimit);
      this.#refilledAt = this.#now();
    }
    this.#settings = next;
    return this.settings;
  }

  /** Refills the bucket (after a reset). */
  reset(): void {
    this.#tokens = capacity(this.#settings.rateLimit);
    this.#refilledAt = this.#now();
  }

  /**
   * Replaces the targeted fault rules (an empty list clears them).
   * @throws RangeError naming a rule with a bad method, status or count.
   */
  setRules(rules: readonly FaultRule[]): void {
    rules.forEach((rule, i) => {
      if (typeof rule.method !== 'string' || !/^[A-Za-z]+$/.test(rule.method)) throw new RangeError(`fault rule ${i}: method must be an HTTP method, got ${String(rule.method)}`);
      if (!(typeof rule.path === 'string' || rule.path instanceof RegExp)) throw new RangeError(`fault rule ${i}: path must be a string or a RegExp`);
      if (!Number.isInteger(rule.status) || rule.status < 400 || rule.status > 599) throw new RangeError(`fault rule ${i}: status must be an HTTP error status (400–599), got ${String(rule.status)}`);
      if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) throw new RangeError(`fault rule ${i}: times must be a whole number of at least 1, got ${String(rule.times)}`);
    });
    this.#rules = rules.map((rule) => ({ rule: { ...rule }, remaining: rule.times ?? Number.POSITIVE_INFINITY }));
  }

  /** The targeted fault rules still active (a rule whose `times` ran out is gone). */
  rules(): FaultRule[] {
    return this.#rules.filter((r) => r.remaining > 0).map((r) => ({ ...r.rule }));
  }

  /**
   * Decides the fate of one request, at its arrival. A targeted rule matching `request` wins
   * over the random faults (the rate limit still counts the request).
   */
  decide(request?: { method: string; path: string }): FaultDecision {
    // Three draws every time, whatever the settings, so decisions stay reproducible.
    const dropDraw = this.#random();
    const failDraw = this.#random();
    const statusDraw = this.#random();
    const { rateLimit, dropRate, failRate } = this.#settings;
    if (rateLimit > 0) {
      const now = this.#now();
      this.#tokens = Math.min(capacity(rateLimit), this.#tokens + ((now - this.#refilledAt) / 1000) * rateLimit);
      this.#refilledAt = now;
      if (this.#tokens < 1) return { kind: 'rate_limit', retryAfterSeconds: Math.max(1, Math.ceil((1 - this.#tokens) / rateLimit)) };
      this.#tokens -= 1;
    }
    const targeted = request === undefined ? undefined : this.#match(request);
    if (targeted !== undefined) return targeted;
    if (dropDraw < dropRate) return { kind: 'drop' };
    if (failDraw < failRate) return { kind: 'error', status: statusDraw < 1 / 3 ? 500 : statusDraw < 2 / 3 ? 502 : 503 };
    return { kind: 'none' };
  }

  #match(request: { method: string; path: string }): FaultDecision | undefined {
    const method = request.method.toUpperCase();
    for (const entry of this.#rules) {
      if (entry.remaining <= 0 || entry.rule.method.toUpperCase() !== method) continue;
      const { path } = entry.rule;
      if (typeof path === 'string' ? path !== request.path : !path.test(request.path)) continue;
      entry.remaining -= 1;
      return { kind: 'rule', status: entry.rule.status, message: entry.rule.message ?? `Injected fault: ${entry.rule.status} for ${method} ${request.path}` };
    }
    return undefined;
  }
}

/** The bucket size: one second's worth, but never less than one request. */
function capacity(rateLimit: number): number {
  return Math.max(1, rateLimit);
}

/** Checks settings; throws a `RangeError` naming the bad one. */
export function checkFaultSettings(settings: FaultSettings): FaultSettings {
  const { latencyMs, failRate, rateLimit, dropRate } = settings;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError(`latencyMs must be a number of milliseconds ≥ 0, got ${String(latencyMs)}`);
  if (!Number.isFinite(failRate) || failRate < 0 || failRate > 1) throw new RangeError(`failRate must be between 0 and 1, got ${String(failRate)}`);
  if (!Number.isFinite(dropRate) || dropRate < 0 || dropRate > 1) throw new RangeError(`dropRate must be between 0 and 1, got ${String(dropRate)}`);
  if (!Number.isFinite(rateLimit) || rateLimit < 0) throw new RangeError(`rateLimit must be requests per second ≥ 0 (0 = off), got ${String(rateLimit)}`);
  return { latencyMs, failRate, rateLimit, dropRate };
}
