import { CancelledError, TimeoutError } from '../errors/action-errors.js';

/**
 * The signal one attempt of a step gets: aborted when the run is stopped (Ctrl-C, SIGTERM,
 * shutdown) or when the step's timeout passes, with a typed reason either way.
 */
export interface AttemptSignal {
  /**
   * The attempt's own signal, for the action. For a step without a timeout it is made the first
   * time it is read: an action that never looks at it (a no-op, a pure computation) costs no
   * AbortController and no listener on the run's signal.
   */
  readonly signal: AbortSignal;
  /**
   * Settles with `work`, or rejects with the reason as soon as the attempt is aborted (see
   * {@link raceAbort}), whether or not {@link AttemptSignal.signal} was ever made.
   */
  race<T>(work: Promise<T>): Promise<T>;
  /**
   * Stops the timer and lets go of the run's signal; call when the attempt ends. With `failure`
   * (the attempt failed), also aborts the attempt's signal with it: work the action still has in
   * flight (the other requests of a `Promise.all` whose first one failed) is stopped instead of
   * finishing on its own schedule while the next attempt sends it again.
   */
  dispose(failure?: Error): void;
}

/** Creates the signal for one attempt; `timeoutMs` undefined means no timeout. */
export function createAttemptSignal(runSignal: AbortSignal, timeoutMs: number | undefined, stepId: string): AttemptSignal {
  return new LazyAttemptSignal(runSignal, timeoutMs, stepId);
}

/**
 * An {@link AttemptSignal} whose controller exists from the start when there is a timeout (the
 * timer needs something to abort), and otherwise only once the action reads `signal`. Until
 * then, {@link AttemptSignal.race} listens to the run's signal itself; either way the reason is
 * the same {@link CancelledError}, made once per attempt.
 */
class LazyAttemptSignal implements AttemptSignal {
  private controller: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether this object listens to the run's signal (see `handleEvent`; removed on dispose). */
  private linked = false;
  private disposed = false;
  /** Whether the run's signal had aborted when the attempt ended. */
  private abortedWhenDisposed = false;
  /** Why the attempt failed, when it did: what its signal is aborted with once it ended. */
  private failure: Error | undefined;
  private cancellation: CancelledError | undefined;

  constructor(private readonly runSignal: AbortSignal, timeoutMs: number | undefined, stepId: string) {
    if (timeoutMs === undefined) return;
    const controller = this.link();
    this.timer = setTimeout(() => {
      controller.abort(new TimeoutError(`Step "${stepId}" timed out after ${formatMs(timeoutMs)}`));
    }, timeoutMs);
  }

  get signal(): AbortSignal {
    if (this.controller !== undefined) return this.controller.signal;
    if (this.disposed) {
      // Read after the attempt ended (work the action left running): the signal as it was left
      // when the attempt ended, which no later stop of the run reaches.
      this.controller = new AbortController();
      if (this.abortedWhenDisposed) this.controller.abort(this.cancelled());
      else if (this.failure !== undefined) this.controller.abort(this.failure);
      return this.controller.signal;
    }
    return this.link().signal;
  }

  race<T>(work: Promise<T>): Promise<T> {
    if (this.controller !== undefined) return raceAbort(work, this.controller.signal);
    return raceAbort(work, this.runSignal, () => this.cancelled());
  }

  dispose(failure?: Error): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abortedWhenDisposed = this.runSignal.aborted;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.linked) {
      this.linked = false;
      this.runSignal.removeEventListener('abort', this);
    }
    if (failure !== undefined && !this.abortedWhenDisposed) {
      this.failure = failure;
      // Only a signal the action read can have work behind it; an aborted one stays as it is.
      if (this.controller !== undefined && !this.controller.signal.aborted) this.controller.abort(failure);
    }
  }

  /** The run's signal aborted: abort the attempt's (the listener is this object, not a closure made per attempt). */
  handleEvent(): void {
    this.controller?.abort(this.cancelled());
  }

  private link(): AbortController {
    const controller = new AbortController();
    this.controller = controller;
    if (this.runSignal.aborted) {
      controller.abort(this.cancelled());
    } else {
      this.runSignal.addEventListener('abort', this, { once: true });
      this.linked = true;
    }
    return controller;
  }

  /** The reason the attempt is aborted with when the run stops: one object for the action and the race. */
  private cancelled(): CancelledError {
    return (this.cancellation ??= asCancellation(this.runSignal.reason));
  }
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
 * Settles with the action's promise, or rejects as soon as `signal` aborts (with `reason()`, by
 * default the signal's reason): an action that ignores its signal must not hold the run hostage.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal, reason: () => unknown = () => signal.reason): Promise<T> {
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
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
