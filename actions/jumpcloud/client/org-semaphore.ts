import { CancelledError } from '../../../engine/errors/action-errors.js';

/** The default number of requests in flight at once per JumpCloud organisation. */
export const DEFAULT_MAX_CONCURRENCY = 5;

/** Gives back a slot taken with {@link Semaphore.acquire}. Calling it twice is harmless. */
export type Release = () => void;

/** How a caller waits in {@link Semaphore.acquire}. */
export interface AcquireOptions {
  /**
   * Goes ahead of every caller queued without it (callers with it keep their order among
   * themselves): for a request the server refused, so that it is not refused again after
   * waiting behind the whole queue.
   */
  first?: boolean;
  /**
   * The longest pause (see {@link Semaphore.pause}) this caller waits out, in milliseconds. A
   * longer one rejects with a {@link PauseTooLongError} at once, or as soon as a pause grows
   * beyond it. Default: no bound.
   */
  maxPauseMs?: number;
}

/** What {@link Semaphore.pause} did: opened a new pause, made a running one longer, or nothing. */
export type PauseChange = 'started' | 'extended' | 'unchanged';

/** A caller would have to wait out a pause longer than its `maxPauseMs`. */
export class PauseTooLongError extends Error {
  constructor(
    /** How long the pause still lasts, in milliseconds. */
    readonly remainingMs: number,
    /** The caller's bound, in milliseconds. */
    readonly maxPauseMs: number,
  ) {
    super(`The pause lasts ${Math.ceil(remainingMs)} ms, longer than the ${maxPauseMs} ms this caller waits`);
    this.name = 'PauseTooLongError';
  }
}

interface Waiter {
  first: boolean;
  maxPauseMs: number;
  grant(): void;
  fail(error: Error): void;
}

/**
 * A counting semaphore with a FIFO queue whose limit can change while it is in use (a lower
 * limit takes effect as slots are released; nothing already running is interrupted), which
 * can be paused (while paused it grants no slot to anyone, and the queue keeps its order), and
 * which can be paced: with {@link Semaphore.setPace} it grants at most one slot per interval,
 * so that requests go out evenly at a rate rather than in bursts.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  // performance.now() time at which the current pause ends (in the past when not paused).
  private pausedUntil = 0;
  private reopenTimer: ReturnType<typeof setTimeout> | undefined;
  // Pacing: the least time between two grants (0: none), and when the next grant may be made.
  private intervalMs = 0;
  private nextGrantAt = 0;

  constructor(private currentLimit: number) {
    Semaphore.check(currentLimit);
  }

  /** How many slots may be held at once. */
  get limit(): number {
    return this.currentLimit;
  }

  /** How many slots are held now. */
  get inUse(): number {
    return this.active;
  }

  /** How many callers wait for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** How long the current pause still lasts, in milliseconds (0 when not paused). */
  get pauseRemainingMs(): number {
    return Math.max(0, this.pausedUntil - performance.now());
  }

  /** The least time between two grants, in milliseconds (0 when not paced). */
  get paceMs(): number {
    return this.intervalMs;
  }

  /**
   * Grants at most one slot per `intervalMs` from now on (0 stops pacing); a shorter interval lets
   * waiting callers in sooner. Slots already held are unaffected.
   */
  setPace(intervalMs: number): void {
    if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError(`A pacing interval must be a number of milliseconds ≥ 0, got ${String(intervalMs)}`);
    const shorter = intervalMs < this.intervalMs;
    if (shorter) this.nextGrantAt = Math.min(this.nextGrantAt, performance.now() + intervalMs);
    this.intervalMs = intervalMs;
    if (shorter) this.drain();
  }

  /** Changes the limit; waiting callers are let in at once if the limit grew. */
  setLimit(limit: number): void {
    Semaphore.check(limit);
    this.currentLimit = limit;
    this.drain();
  }

  /**
   * Grants no slot for `ms` milliseconds from now; slots already held are unaffected. A pause
   * already running is only ever lengthened. Callers queued whose `maxPauseMs` is shorter than
   * the new pause are rejected with a {@link PauseTooLongError}.
   */
  pause(ms: number): PauseChange {
    const now = performance.now();
    const until = now + Math.max(0, ms);
    if (until <= this.pausedUntil) return 'unchanged';
    const change: PauseChange = this.pausedUntil > now ? 'extended' : 'started';
    this.pausedUntil = until;
    for (const entry of this.waiting.filter((w) => w.maxPauseMs < ms)) {
      this.waiting.splice(this.waiting.indexOf(entry), 1);
      entry.fail(new PauseTooLongError(ms, entry.maxPauseMs));
    }
    this.armReopen();
    return change;
  }

  /**
   * Waits for a slot.
   * @param signal - leaving the queue when it aborts (the promise then rejects with a `CancelledError`).
   * @throws PauseTooLongError (as a rejection) when a pause outlasts `options.maxPauseMs`.
   */
  acquire(signal?: AbortSignal, options: AcquireOptions = {}): Promise<Release> {
    if (signal?.aborted) return Promise.reject(new CancelledError('Cancelled while waiting for a JumpCloud request slot', { cause: signal.reason }));
    const maxPauseMs = options.maxPauseMs ?? Number.POSITIVE_INFINITY;
    const remaining = this.pauseRemainingMs;
    if (remaining > maxPauseMs) return Promise.reject(new PauseTooLongError(remaining, maxPauseMs));
    if (remaining === 0 && this.active < this.currentLimit && this.waiting.length === 0 && this.mayGrantNow()) {
      this.active++;
      this.granted();
      return Promise.resolve(this.releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const entry: Waiter = {
        first: options.first === true,
        maxPauseMs,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          this.granted();
          resolve(this.releaser());
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          this.holdProcessOpen();
          reject(error);
        },
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        this.holdProcessOpen();
        reject(new CancelledError('Cancelled while waiting for a JumpCloud request slot', { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (entry.first) {
        const firstPlain = this.waiting.findIndex((w) => !w.first);
        this.waiting.splice(firstPlain < 0 ? this.waiting.length : firstPlain, 0, entry);
      } else {
        this.waiting.push(entry);
      }
      // A free slot held back only by pacing: set the timer that grants it when its turn comes
      // (no release may come to drain the queue).
      if (this.intervalMs > 0 && this.active < this.currentLimit) this.drain();
      this.holdProcessOpen();
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  private drain(): void {
    if (this.pauseRemainingMs > 0) return;
    while (this.active < this.currentLimit && this.waiting.length > 0) {
      if (!this.mayGrantNow()) {
        // Paced: the next waiter goes in when its turn comes (unless a timer is already set,
        // e.g. for a pause, which drains again when it fires).
        if (this.reopenTimer === undefined) this.armTimer(this.nextGrantAt - performance.now());
        break;
      }
      this.waiting.shift()?.grant();
    }
    this.holdProcessOpen();
  }

  private mayGrantNow(): boolean {
    return this.intervalMs === 0 || performance.now() >= this.nextGrantAt;
  }

  /**
   * Books the next turn of a paced semaphore. A grant made a little late (a timer fires a
   * millisecond or two after its time, more on a busy machine) keeps the schedule rather than
   * shifting it, so the rate holds; a grant after an idle spell starts a new schedule (no burst).
   */
  private granted(): void {
    if (this.intervalMs === 0) return;
    const now = performance.now();
    const base = now - this.nextGrantAt <= this.intervalMs ? Math.max(this.nextGrantAt, now - this.intervalMs) : now;
    this.nextGrantAt = base + this.intervalMs;
  }

  private armReopen(): void {
    this.armTimer(this.pauseRemainingMs);
  }

  private armTimer(ms: number): void {
    if (this.reopenTimer !== undefined) clearTimeout(this.reopenTimer);
    // Rounded up, and checked again when it fires: a timer may fire a fraction early.
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = undefined;
      if (this.pauseRemainingMs > 0) this.armReopen();
      else this.drain();
    }, Math.max(0, Math.ceil(ms)));
    this.holdProcessOpen();
  }

  /**
   * The reopening timer keeps the process alive only while someone waits for it: a pause with
   * nobody queued (e.g. a long Retry-After that failed the run) must not delay the process's exit.
   */
  private holdProcessOpen(): void {
    if (this.reopenTimer === undefined) return;
    if (this.waiting.length > 0) this.reopenTimer.ref();
    else this.reopenTimer.unref();
  }

  private static check(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`A concurrency limit must be an integer of at least 1, got ${String(limit)}`);
  }
}

// One semaphore per organisation for the whole process: a bulk run creates a client per user,
// and the cap must hold across all of them, not per client.
const organisationSemaphores = new Map<string, Semaphore>();

/**
 * The process-wide semaphore for one JumpCloud organisation, keyed by base URL and org id; an
 * admin with no org id (single-tenant) is keyed by base URL and `keyFingerprint` (a digest of
 * the API key, never the key), as two such admins on one host are two organisations.
 *
 * @param limit - when given, sets the organisation's limit (the last client to ask wins);
 *   otherwise a new semaphore starts at {@link DEFAULT_MAX_CONCURRENCY}.
 */
export function organisationSemaphore(baseUrl: string, orgId: string | undefined, limit?: number, keyFingerprint?: string): Semaphore {
  const key = `${baseUrl}|${orgId ?? `key:${keyFingerprint ?? ''}`}`;
  let semaphore = organisationSemaphores.get(key);
  if (semaphore === undefined) {
    semaphore = new Semaphore(limit ?? DEFAULT_MAX_CONCURRENCY);
    organisationSemaphores.set(key, semaphore);
  } else if (limit !== undefined && limit !== semaphore.limit) {
    semaphore.setLimit(limit);
  }
  return semaphore;
}
