import { CancelledError, TimeoutError } from '../errors/action-errors.js';

/**
 * The signal one attempt of a step gets: aborted when the run is stopped (Ctrl-C, SIGTERM,
 * shutdown) or when the step's timeout passes, with a typed reason either way.
 */
export interface AttemptSignal {
  signal: AbortSignal;
  /** Stops the timer; call when the attempt ends. */
  dispose(): void;
}

/** Creates the signal for one attempt; `timeoutMs` undefined means no timeout. */
export function createAttemptSignal(runSignal: AbortSignal, timeoutMs: number | undefined, stepId: string): AttemptSignal {
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(asCancellation(runSignal.reason));
  if (runSignal.aborted) onRunAbort();
  else runSignal.addEventListener('abort', onRunAbort, { once: true });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    controller.abort(new TimeoutError(`Step "${stepId}" timed out after ${formatMs(timeoutMs)}`));
  }, timeoutMs);
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      runSignal.removeEventListener('abort', onRunAbort);
    },
  };
}

/**
 * Whatever stopped the run, as a {@link CancelledError}: stopping the run is never a step
 * failure, and never retried, so that the run stays resumable.
 */
export function asCancellation(reason: unknown): CancelledError {
  if (reason instanceof CancelledError) return reason;
  const message = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'The run was cancelled';
  return new CancelledError(message, { cause: reason });
}

/**
 * Settles with the action's promise, or rejects with the signal's reason as soon as it
 * aborts: an action that ignores its signal must not hold the run hostage.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** `1500` → `1.5s`, `90000` → `1m30s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
