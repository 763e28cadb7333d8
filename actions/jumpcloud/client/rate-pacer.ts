import type { Semaphore } from './org-semaphore.js';

/** How {@link RatePacer} learns; the defaults suit JumpCloud's per-organisation limit. */
export interface RatePacerTuning {
  /** Multiplier applied to the estimated limit at the first 429 (nothing is known of the limit yet). */
  firstDecrease: number;
  /** Multiplier applied at a later 429, or when latency rises. */
  decrease: number;
  /**
   * Requests per second added per second spent sending at the learned rate (the probe upwards),
   * just after a decrease; it grows by the same again every `increaseRampSeconds` without one.
   */
  increasePerSecond: number;
  /** See `increasePerSecond`. */
  increaseRampSeconds: number;
  /** After this long without an answer, the learned rate is forgotten (the next 429 teaches anew). */
  forgetAfterIdleMs: number;
  /** The lowest rate it ever paces to, in requests per second. */
  minRate: number;
  /** Latency "rises" when its moving average exceeds this multiple of the recent minimum… */
  latencyFactor: number;
  /** …and the recent minimum by at least this many milliseconds (so a 2 ms → 5 ms jitter is no signal). */
  latencyMarginMs: number;
}

/** The tuning used unless a test gives another. */
export const DEFAULT_PACER_TUNING: RatePacerTuning = Object.freeze({
  firstDecrease: 0.95,
  decrease: 0.85,
  increasePerSecond: 0.5,
  increaseRampSeconds: 10,
  forgetAfterIdleMs: 5 * 60_000,
  minRate: 1,
  latencyFactor: 3,
  latencyMarginMs: 100,
});

// Answers remembered to measure the rate JumpCloud accepted (the last second of them) and the
// latency's recent minimum.
const RATE_WINDOW_MS = 1_000;
const LATENCY_WINDOW = 64;

/** What the pacer knows, for logs and tests. */
export interface PacerState {
  /** The rate requests are paced to, in requests per second; undefined while none is needed. */
  rate: number | undefined;
  /** The configured ceiling, if any. */
  ceiling: number | undefined;
  /** Times the rate was lowered (429s and rising latency). */
  decreases: number;
}

/**
 * Learns the rate an organisation sustains and paces its requests to it (additive increase,
 * multiplicative decrease), through the organisation's {@link Semaphore}.
 *
 * @remarks
 * JumpCloud does not publish its rate limit, so it is learned:
 * - Until the first 429 nothing is paced (unless a ceiling is set): without a binding limit the
 *   client goes exactly as fast as it did before it learned anything.
 * - The first 429 sets the rate to the limit estimated from what JumpCloud accepted (less the
 *   burst a limit of "N a second" lets through at once, see {@link estimateLimit}) times
 *   `firstDecrease`; a later one lowers the rate by `decrease`.
 *   Once per pause, as the requests in flight when it began are refused together.
 * - While requests go out at the learned rate (the rate binds), it grows by `increasePerSecond`
 *   each second, probing for more; slowly at first, because a server with a bucket of a second's
 *   worth of requests only answers 429 long after the rate went past its limit, then faster the
 *   longer no 429 comes (`increaseRampSeconds`). After `forgetAfterIdleMs` without an answer
 *   the rate is forgotten.
 * - Latency rising well above its recent minimum (queueing at the server, the sign of a limit
 *   near) lowers a rate in force by `decrease`, at most once a second. It does not start pacing
 *   on its own: on a loaded machine latency rises for reasons of the client's own, and without a
 *   limit that would only slow the client down.
 * - A ceiling (`max_requests_per_second`) caps the rate from the start.
 *
 * The `Retry-After` of a 429 is honoured apart from this (the organisation's pause): pacing
 * decides how fast requests go once it is over.
 */
export class RatePacer {
  private rate: number | undefined;
  private ceiling: number | undefined;
  private decreases = 0;
  private readonly accepted: number[] = [];
  private lastAnswerAt: number | undefined;
  // When the current spell of requests began (an idle second ends one).
  private activeSince: number | undefined;
  private readonly latencies: number[] = [];
  private smoothedLatency: number | undefined;
  private lastIncreaseAt: number | undefined;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly semaphore: Semaphore,
    private readonly tuning: RatePacerTuning = DEFAULT_PACER_TUNING,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The rate, ceiling and number of decreases so far. */
  get state(): PacerState {
    return { rate: this.rate, ceiling: this.ceiling, decreases: this.decreases };
  }

  /**
   * Sets (or, with undefined, removes) the ceiling in requests per second. The last client of the
   * organisation to set one wins, as for the concurrency limit.
   * @throws RangeError for a ceiling that is not a positive number.
   */
  setCeiling(ceiling: number | undefined): void {
    if (ceiling !== undefined && (!Number.isFinite(ceiling) || ceiling <= 0)) throw new RangeError(`A rate ceiling must be a number of requests per second above 0, got ${String(ceiling)}`);
    if (ceiling === this.ceiling) return;
    this.ceiling = ceiling;
    this.apply();
  }

  /**
   * Records one answer: its status and how long it took. A 429 is reported with
   * {@link RatePacer.rateLimited} instead (its latency says nothing of the server's load).
   */
  answered(latencyMs: number): void {
    const now = this.now();
    const last = this.lastAnswerAt;
    this.lastAnswerAt = now;
    if (last === undefined || now - last > RATE_WINDOW_MS) this.activeSince = now;
    if (last !== undefined && this.rate !== undefined && now - last > this.tuning.forgetAfterIdleMs) {
      // A rate learned long ago says little of the limit now (serve may idle for hours).
      this.rate = undefined;
      this.apply();
    }
    this.accepted.push(now);
    this.trim(now);
    this.watchLatency(latencyMs, now);
    this.probe(now);
  }

  /**
   * JumpCloud answered 429. `newPause` is true for the 429 that opened the organisation's pause
   * (the others of the same burst only lengthen it): only that one lowers the rate.
   */
  rateLimited(newPause: boolean): void {
    if (!newPause) return;
    const now = this.now();
    this.trim(now);
    if (this.rate === undefined) {
      this.lower(estimateLimit(this.accepted.length, (now - (this.activeSince ?? now)) / 1000) * this.tuning.firstDecrease, now);
      return;
    }
    this.lower(this.rate * this.tuning.decrease, now);
  }

  private lower(rate: number, now: number): void {
    this.rate = Math.max(this.tuning.minRate, rate);
    this.decreases++;
    this.lastDecreaseAt = now;
    this.lastIncreaseAt = now;
    this.apply();
  }

  /** Additive increase, while the learned rate is what holds requests back. */
  private probe(now: number): void {
    if (this.rate === undefined) return;
    const since = this.lastIncreaseAt ?? now;
    this.lastIncreaseAt = now;
    // Only while the rate binds: requests wait for their turn, and JumpCloud accepted about as
    // many as the rate allows. Otherwise the rate would drift up while nobody uses it, and the
    // next burst would go out far beyond the limit.
    const binding = this.semaphore.queued > 0 && this.accepted.length >= this.rate * 0.8 * (RATE_WINDOW_MS / 1000);
    if (!binding) return;
    // Gentle just after a decrease (the limit is near), faster the longer none came: a rate
    // learned in a burst of 429s must not hold a long bulk run back for good.
    const ramp = 1 + (now - this.lastDecreaseAt) / 1000 / this.tuning.increaseRampSeconds;
    const grown = this.rate + (this.tuning.increasePerSecond * ramp * (now - since)) / 1000;
    this.rate = this.ceiling === undefined ? grown : Math.min(this.ceiling, grown);
    this.apply();
  }

  private watchLatency(latencyMs: number, now: number): void {
    this.latencies.push(latencyMs);
    if (this.latencies.length > LATENCY_WINDOW) this.latencies.shift();
    this.smoothedLatency = this.smoothedLatency === undefined ? latencyMs : this.smoothedLatency * 0.9 + latencyMs * 0.1;
    if (this.rate === undefined || this.latencies.length < LATENCY_WINDOW / 2 || now - this.lastDecreaseAt < 1_000) return;
    const floor = Math.min(...this.latencies);
    if (this.smoothedLatency > floor * this.tuning.latencyFactor && this.smoothedLatency - floor >= this.tuning.latencyMarginMs) {
      this.lower(this.rate * this.tuning.decrease, now);
      // Measure afresh at the new rate.
      this.smoothedLatency = floor;
    }
  }

  private trim(now: number): void {
    while (this.accepted.length > 0 && (this.accepted[0] as number) <= now - RATE_WINDOW_MS) this.accepted.shift();
  }

  private apply(): void {
    const rate = this.rate === undefined ? this.ceiling : this.ceiling === undefined ? this.rate : Math.min(this.rate, this.ceiling);
    this.semaphore.setPace(rate === undefined ? 0 : 1000 / rate);
  }
}

/**
 * The limit behind a first 429, from the answers accepted in the last second (`acceptedLastSecond`)
 * of a spell of sending that began `activeSeconds` ago, at a steady rate and as fast as the client
 * could. A limit of "N a second" usually lets about a second's worth through at once (a token
 * bucket holding N): the bucket ran dry after T seconds of sending at s a second, so
 * s·T = N + N·T, i.e. N = s·T / (1 + T); s is what was accepted over the last min(T, 1) seconds.
 * Taking what was accepted as the limit would overshoot it by the burst (up to twice over).
 */
export function estimateLimit(acceptedLastSecond: number, activeSeconds: number): number {
  const seconds = Math.max(activeSeconds, 0.05);
  const sendRate = acceptedLastSecond / Math.min(seconds, RATE_WINDOW_MS / 1000);
  return (sendRate * seconds) / (1 + seconds);
}

// One pacer per organisation, as its semaphore: what one run learns, every run in the process
// (a bulk run's, serve's) uses.
const organisationPacers = new WeakMap<Semaphore, RatePacer>();

/**
 * The process-wide pacer of the organisation whose semaphore is `semaphore` (see
 * `organisationSemaphore`).
 * @param ceiling - when given, sets the organisation's ceiling in requests per second (the last client to ask wins).
 */
export function organisationPacer(semaphore: Semaphore, ceiling?: number): RatePacer {
  let pacer = organisationPacers.get(semaphore);
  if (pacer === undefined) {
    pacer = new RatePacer(semaphore);
    organisationPacers.set(semaphore, pacer);
  }
  if (ceiling !== undefined) pacer.setCeiling(ceiling);
  return pacer;
}
