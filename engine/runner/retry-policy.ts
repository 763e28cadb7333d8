import type { RetryPolicy } from '../language/types.js';
import { classifyError } from '../errors/classify.js';
import type { IdflowError } from '../errors/idflow-error.js';
import { TransientError } from '../errors/action-errors.js';
import { sleep } from './sleep.js';
import { asCancellation } from './step-signal.js';

export { DEFAULT_RETRY_POLICY } from '../language/defaults.js';

/** One failed attempt, as reported to the caller before the next one (or before giving up). */
export interface FailedAttempt {
  attempt: number;
  error: IdflowError;
  /** How long until the next attempt; undefined when there will be none. */
  retryInMs: number | undefined;
}

/**
 * The backoff before retry number `retry` (1-based): `delayMs`, doubled for each earlier retry
 * when exponential, at most `maxDelayMs` (what p-retry computes with `randomize: false`).
 */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const factor = policy.backoff === 'exponential' ? 2 : 1;
  return Math.min(Math.round(policy.delayMs * factor ** (retry - 1)), policy.maxDelayMs);
}

/**
 * Runs `attemptFn` under `policy`: transient errors are retried after the policy's backoff (or
 * the server's `Retry-After` when longer), everything else fails at once. The error that ends
 * the attempts is thrown as an {@link IdflowError}; an abort of `signal` (before an attempt,
 * during the wait, or while an attempt that then succeeded was in flight) as a cancellation.
 *
 * @remarks
 * The loop is written out here rather than handed to p-retry, with the same schedule
 * (`backoffDelay` is p-retry's delay with `randomize: false`): every step of every run goes
 * through it, nearly always for one attempt that succeeds, and p-retry's per-call work (copying
 * and checking its options, its promise chain) was a tenth of a no-op step's time in the
 * engine-overhead benchmark.
 *
 * @param firstAttempt - the number of the first attempt (resumed runs continue counting).
 */
export async function runWithRetry<T>(
  attemptFn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: {
    signal: AbortSignal;
    /**
     * Ends a pause between attempts (not an attempt) when aborted: a cancelled run stops waiting
     * at once, while an attempt in flight is never cut (its result would be lost).
     */
    waitSignal?: AbortSignal;
    firstAttempt?: number;
    onFailedAttempt?: (failure: FailedAttempt) => void;
  },
): Promise<T> {
  const { signal } = options;
  // A pause between attempts also ends on `waitSignal` (a cancelled run stops waiting at once).
  const waitSignal = options.waitSignal === undefined ? signal : AbortSignal.any([signal, options.waitSignal]);
  const first = options.firstAttempt ?? 1;
  const attempts = Math.max(1, policy.attempts);
  for (let made = 0; ; ) {
    if (signal.aborted) throw asCancellation(signal.reason);
    const attempt = first + made;
    made++;
    let error: IdflowError;
    try {
      const result = await attemptFn(attempt);
      // A run stopped while the attempt was in flight stops here too, whatever the attempt did.
      if (signal.aborted) throw asCancellation(signal.reason);
      return result;
    } catch (thrown) {
      // Classified once, here, so that the callback and the decision below see the same error
      // (a non-network TypeError is a bug: permanent).
      error = classifyError(thrown);
    }
    const willRetry = error.retryable && made < attempts;
    const retryAfter = error instanceof TransientError ? error.retryAfterMs ?? 0 : 0;
    const wait = Math.max(backoffDelay(policy, made), retryAfter);
    // Every failed attempt is reported, the one a cancellation cut short too (it is journaled).
    options.onFailedAttempt?.({ attempt, error, retryInMs: willRetry ? wait : undefined });
    if (signal.aborted) throw asCancellation(signal.reason);
    if (!willRetry) throw error;
    try {
      await sleep(wait, waitSignal);
    } catch (reason) {
      if (!signal.aborted && options.waitSignal?.aborted === true) throw asCancellation(options.waitSignal.reason);
      throw asCancellation(reason);
    }
  }
}
