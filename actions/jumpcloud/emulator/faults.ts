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

/** What happens to one request. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'rate_limit'; retryAfterSeconds: number }
  | { kind: 'error'; status: 500 | 502 | 503 }
  | { kind: 'drop' };

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

  /** Decides the fate of one request, at its arrival. */
  decide(): FaultDecision {
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
    if (dropDraw < dropRate) return { kind: 'drop' };
    if (failDraw < failRate) return { kind: 'error', status: statusDraw < 1 / 3 ? 500 : statusDraw < 2 / 3 ? 502 : 503 };
    return { kind: 'none' };
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
