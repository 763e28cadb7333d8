import { describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError } from '../../../engine/errors/action-errors.js';
import { createAttemptSignal } from '../../../engine/runner/step-signal.js';

/** A promise and the functions that settle it. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createAttemptSignal without a timeout', () => {
  it('settles the race with the work when the run is not stopped', async () => {
    const run = new AbortController();
    const attempt = createAttemptSignal(run.signal, undefined, 's1');
    await expect(attempt.race(Promise.resolve(42))).resolves.toBe(42);
    await expect(attempt.race(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    attempt.dispose();
  });

  it('rejects the race with a CancelledError when the run stops, though the action never read its signal', async () => {
    const run = new AbortController();
    const attempt = createAttemptSignal(run.signal, undefined, 's1');
    const work = deferred<number>();
    const raced = attempt.race(work.promise);
    run.abort(new Error('SIGINT received'));
    const error = await raced.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toBe('SIGINT received');
    attempt.dispose();
  });

  it('gives the action a signal aborted with the same CancelledError the race rejects with', async () => {
    const run = new AbortController();
    const attempt = createAttemptSignal(run.signal, undefined, 's1');
    const work = deferred<number>();
    const raced = attempt.race(work.promise);
    // The action reads its signal while it runs (after the race started).
    const signal = attempt.signal;
    expect(signal.aborted).toBe(false);
    expect(attempt.signal).toBe(signal);
    run.abort('stop');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(CancelledError);
    await expect(raced).rejects.toBe(signal.reason);
    attempt.dispose();
  });

  it('is already aborted when the run was stopped before the attempt', async () => {
    const run = new AbortController();
    run.abort(new CancelledError('stopped earlier'));
    const attempt = createAttemptSignal(run.signal, undefined, 's1');
    await expect(attempt.race(Promise.resolve(1))).rejects.toThrow('stopped earlier');
    expect(attempt.signal.aborted).toBe(true);
    expect(attempt.signal.reason).toBeInstanceOf(CancelledError);
    attempt.dispose();
  });

  it('lets go of the run signal when disposed: a later stop of the run does not reach the ended attempt', () => {
    const run = new AbortController();
    const attempt = createAttemptSignal(run.signal, undefined, 's1');
    const signal = attempt.signal;
    attempt.dispose();
    run.abort('later');
    expect(signal.aborted).toBe(false);
    // Read for the first time after the attempt ended: as the attempt left it.
    const late = createAttemptSignal(run.signal, undefined, 's2');
    late.dispose();
    expect(late.signal.aborted).toBe(true);
    const run2 = new AbortController();
    const ended = createAttemptSignal(run2.signal, undefined, 's3');
    ended.dispose();
    run2.abort('after the end');
    expect(ended.signal.aborted).toBe(false);
  });

  it('aborts the signal with the failure when a failed attempt is disposed, read before or after', () => {
    const run = new AbortController();
    const failure = new Error('503 Service Unavailable');
    const read = createAttemptSignal(run.signal, undefined, 's1');
    const signal = read.signal;
    read.dispose(failure);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(failure);
    const unread = createAttemptSignal(run.signal, undefined, 's2');
    unread.dispose(failure);
    expect(unread.signal.reason).toBe(failure);
    // A run stopped before the attempt ended keeps its cancellation as the reason.
    run.abort(new Error('SIGTERM received'));
    const stopped = createAttemptSignal(run.signal, undefined, 's3');
    stopped.dispose(failure);
    expect(stopped.signal.reason).toBeInstanceOf(CancelledError);
  });
});

describe('createAttemptSignal with a timeout', () => {
  it('aborts the attempt with a TimeoutError naming the step and the time', async () => {
    const run = new AbortController();
    const attempt = createAttemptSignal(run.signal, 20, 'slow');
    const work = deferred<number>();
    const error = await attempt.race(work.promise).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('Step "slow" timed out after 20ms');
    expect(attempt.signal.aborted).toBe(true);
    attempt.dispose();
  });

  it('is cancelled, not timed out, when the run stops first; and disposing stops the timer', async () => {
    const run = new AbortController();
    const attempt = createAttemptSignal(run.signal, 60_000, 'slow');
    const raced = attempt.race(deferred<number>().promise);
    run.abort('bye');
    await expect(raced).rejects.toBeInstanceOf(CancelledError);
    attempt.dispose();
    const quiet = createAttemptSignal(new AbortController().signal, 60_000, 'slow');
    quiet.dispose();
    expect(quiet.signal.aborted).toBe(false);
  });
});
