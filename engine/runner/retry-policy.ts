import pRetry from 'p-retry';
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
 * The backoff before retry number `retry` (1-based) — exactly what p-retry computes with
 * `randomize: false`, so that a `Retry-After` longer than it can be topped up precisely.
 */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const factor = policy.backoff === 'exponential' ? 2 : 1;
  return Math.min(Math.round(policy.delayMs * factor ** (retry - 1)), policy.maxDelayMs);
}

/**
 * Runs `attemptFn` under `policy` with p-retry: transient errors are retried (waiting at least
 * the server's `Retry-After`), everything else fails at once. The error that ends the attempts
 * is thrown as an {@link IdflowError}.
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
  const offset = (options.firstAttempt ?? 1) - 1;
  let lastError: IdflowError | undefined;
  const waitSignal = options.waitSignal === undefined ? options.signal : AbortSignal.any([options.signal, options.waitSignal]);
  try {
    return await pRetry((attempt) => attemptFn(attempt + offset).catch((error: unknown) => {
      // Classify once, here, so every callback sees the same decision and p-retry's own
      // TypeError rule cannot disagree with ours (a non-network TypeError is a bug: permanent).
      lastError = classifyError(error);
      throw lastError;
    }), {
      retries: Math.max(0, policy.attempts - 1),
      factor: policy.backoff === 'exponential' ? 2 : 1,
      // The whole pause is waited below, under `waitSignal`: p-retry's own would only end on
      // `signal`, and giving p-retry `waitSignal` would drop an attempt in flight (its late
      // success discarded).
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      signal: options.signal,
      shouldRetry: ({ error }) => classifyError(error).retryable,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft, retriesConsumed }) => {
        const classified = classifyError(error);
        const willRetry = classified.retryable && retriesLeft > 0;
        const backoff = backoffDelay(policy, retriesConsumed + 1);
        const retryAfter = classified instanceof TransientError ? classified.retryAfterMs ?? 0 : 0;
        const wait = Math.max(backoff, retryAfter);
        options.onFailedAttempt?.({ attempt: attemptNumber + offset, error: classified, retryInMs: willRetry ? wait : undefined });
        // The back-off, or the far side's Retry-After when longer.
        if (willRetry && wait > 0) await sleep(wait, waitSignal);
      },
    });
  } catch (error) {
    if (options.signal.aborted) throw asCancellation(options.signal.reason);
    if (options.waitSignal?.aborted) throw asCancellation(options.waitSignal.reason);
    throw lastError !== undefined && error === lastError ? lastError : classifyError(error);
  }
}
