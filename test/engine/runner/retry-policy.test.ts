import { describe, expect, it } from 'vitest';
import { CancelledError, PermanentError, TransientError } from '../../../engine/errors/action-errors.js';
import type { RetryPolicy } from '../../../engine/language/types.js';
import { backoffDelay, runWithRetry, type FailedAttempt } from '../../../engine/runner/retry-policy.js';

const FAST: RetryPolicy = { attempts: 3, backoff: 'exponential', delayMs: 5, maxDelayMs: 100 };

/** An attempt function that fails with `errors` in turn, then returns `value`; records the attempt numbers it was called with. */
function scripted<T>(errors: unknown[], value: T): { fn: (attempt: number) => Promise<T>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    fn: async (attempt) => {
      calls.push(attempt);
      const error = errors[calls.length - 1];
      if (error !== undefined) throw error;
      return value;
    },
  };
}

describe('runWithRetry', () => {
  it('returns the first attempt\'s result without reporting anything', async () => {
    const attempt = scripted([], 'done');
    const failures: FailedAttempt[] = [];
    await expect(runWithRetry(attempt.fn, FAST, { signal: new AbortController().signal, onFailedAttempt: (f) => failures.push(f) })).resolves.toBe('done');
    expect(attempt.calls).toEqual([1]);
    expect(failures).toEqual([]);
  });

  it('retries transient errors with the policy\'s backoff, reporting each failed attempt and the wait before the next', async () => {
    const attempt = scripted([new TransientError('busy'), new TransientError('busy again')], 'done');
    const failures: FailedAttempt[] = [];
    const started = performance.now();
    await expect(runWithRetry(attempt.fn, FAST, { signal: new AbortController().signal, onFailedAttempt: (f) => failures.push(f) })).resolves.toBe('done');
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 + 10 - 2);
    expect(attempt.calls).toEqual([1, 2, 3]);
    expect(failures.map((f) => [f.attempt, f.error.message, f.retryInMs])).toEqual([[1, 'busy', 5], [2, 'busy again', 10]]);
  });

  it('fails at once on a permanent error, and classifies what an attempt throws (a plain TypeError is a bug)', async () => {
    const attempt = scripted([new TypeError('x is not a function')], 'never');
    const failures: FailedAttempt[] = [];
    const error = await runWithRetry(attempt.fn, FAST, { signal: new AbortController().signal, onFailedAttempt: (f) => failures.push(f) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe('x is not a function');
    expect(attempt.calls).toEqual([1]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error).toBe(error);
    expect(failures[0]?.retryInMs).toBeUndefined();
  });

  it('gives up after the policy\'s attempts with the last error, the last report saying no retry follows', async () => {
    const attempt = scripted([new TransientError('1'), new TransientError('2'), new TransientError('3')], 'never');
    const failures: FailedAttempt[] = [];
    await expect(runWithRetry(attempt.fn, FAST, { signal: new AbortController().signal, onFailedAttempt: (f) => failures.push(f) })).rejects.toThrow('3');
    expect(attempt.calls).toEqual([1, 2, 3]);
    expect(failures.map((f) => f.retryInMs)).toEqual([5, 10, undefined]);
  });

  it('waits the server\'s Retry-After when it is longer than the backoff', async () => {
    const attempt = scripted([new TransientError('slow down', { retryAfterMs: 60 })], 'done');
    const failures: FailedAttempt[] = [];
    const started = performance.now();
    await runWithRetry(attempt.fn, FAST, { signal: new AbortController().signal, onFailedAttempt: (f) => failures.push(f) });
    expect(performance.now() - started).toBeGreaterThanOrEqual(58);
    expect(failures[0]?.retryInMs).toBe(60);
  });

  it('numbers attempts from firstAttempt (a resumed run continues counting) while allowing the policy\'s attempts', async () => {
    const attempt = scripted([new TransientError('busy')], 'done');
    const failures: FailedAttempt[] = [];
    await runWithRetry(attempt.fn, FAST, { signal: new AbortController().signal, firstAttempt: 3, onFailedAttempt: (f) => failures.push(f) });
    expect(attempt.calls).toEqual([3, 4]);
    expect(failures.map((f) => f.attempt)).toEqual([3]);
  });

  it('stops with a cancellation when the signal aborts during the wait, without another attempt', async () => {
    const controller = new AbortController();
    const attempt = scripted([new TransientError('busy')], 'done');
    const slow: RetryPolicy = { attempts: 3, backoff: 'fixed', delayMs: 10_000, maxDelayMs: 10_000 };
    const started = performance.now();
    const outcome = runWithRetry(attempt.fn, slow, { signal: controller.signal, onFailedAttempt: () => setTimeout(() => controller.abort(new Error('SIGINT received')), 10) }).catch((e: unknown) => e);
    const error = await outcome;
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('SIGINT received');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(attempt.calls).toEqual([1]);
  });

  it('makes no attempt when the signal is already aborted, and drops a result that arrives after an abort', async () => {
    const aborted = new AbortController();
    aborted.abort(new Error('stopped'));
    const never = scripted([], 'never');
    await expect(runWithRetry(never.fn, FAST, { signal: aborted.signal })).rejects.toBeInstanceOf(CancelledError);
    expect(never.calls).toEqual([]);

    const controller = new AbortController();
    const late = async (): Promise<string> => {
      controller.abort(new Error('stopped mid-attempt'));
      return 'too late';
    };
    await expect(runWithRetry(late, FAST, { signal: controller.signal })).rejects.toThrow(CancelledError);
  });
});

describe('backoffDelay', () => {
  it('doubles from delayMs when exponential, up to maxDelayMs; stays at delayMs when fixed', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay({ attempts: 6, backoff: 'exponential', delayMs: 500, maxDelayMs: 3000 }, retry))).toEqual([500, 1000, 2000, 3000, 3000]);
    expect([1, 2, 3].map((retry) => backoffDelay({ attempts: 4, backoff: 'fixed', delayMs: 200, maxDelayMs: 3000 }, retry))).toEqual([200, 200, 200]);
  });
});
