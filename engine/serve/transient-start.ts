import type { ServeLogger } from './serve-logger.js';

/**
 * Error codes of a machine that is short of something for a moment (file descriptors, disk
 * space, memory, a busy device) or of a lock other processes kept changing: starting the same
 * run again a little later can succeed, so such a failure must not end an accepted event as
 * skipped. `LOCK_CONTENTION` is idflow's own (see acquireSubjectLock).
 */
const TRANSIENT_START_CODES: ReadonlySet<string> = new Set([
  'EMFILE', 'ENFILE', 'ENOSPC', 'EDQUOT', 'EIO', 'EAGAIN', 'EWOULDBLOCK', 'EBUSY', 'ENOMEM', 'EINTR', 'ETXTBSY', 'LOCK_CONTENTION',
]);

/**
 * Whether a failure to start a run is worth retrying: its code, or a code anywhere in its chain
 * of causes (idflow wraps system errors), is one of the transient ones.
 */
export function isTransientStartError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_START_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** How {@link retryTransientStart} backs off between attempts. */
export interface StartRetryPolicy {
  /** The first pause, in milliseconds. */
  initialMs: number;
  /** The longest pause: the pause doubles up to this. */
  maxMs: number;
}

/** The default: 100 ms, doubling to 10 s; a start is retried for as long as serve runs. */
export const START_RETRY_DEFAULTS: StartRetryPolicy = { initialMs: 100, maxMs: 10_000 };

/** What {@link retryTransientStart} reports. */
export type RetriedStart<T> = { kind: 'done'; value: T } | { kind: 'stopped'; attempts: number; error: unknown };

/**
 * Calls `attempt` until it succeeds, backing off (with jitter) after each transient failure
 * (see {@link isTransientStartError}) for which `retryable(error)` also holds; any other failure
 * is thrown at once. Serve shutting down (`stop` aborted) ends the retries: the caller keeps the
 * work owed (an event's pending workflow, an interrupted run) for the next start.
 *
 * @param retryable - e.g. "no run exists yet": a failure after the run record exists is the run's own.
 * @param onRetry - told before each pause (e.g. to stop waiting for the start and answer "queued").
 */
export async function retryTransientStart<T>(
  attempt: () => Promise<T>,
  options: { label: string; stop: AbortSignal; logger: ServeLogger; policy?: StartRetryPolicy; retryable?: (error: unknown) => boolean; onRetry?: (error: unknown) => void },
): Promise<RetriedStart<T>> {
  const policy = options.policy ?? START_RETRY_DEFAULTS;
  for (let attempts = 1; ; attempts++) {
    try {
      return { kind: 'done', value: await attempt() };
    } catch (error) {
      if (!isTransientStartError(error) || (options.retryable !== undefined && !options.retryable(error))) throw error;
      if (options.stop.aborted) return { kind: 'stopped', attempts, error };
      const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempts - 1, 30));
      const pause = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
      options.logger.warn(`${options.label} could not start (attempt ${attempts}): ${(error as Error).message}; trying again in ${pause} ms`);
      options.onRetry?.(error);
      if (!(await sleepUnlessStopped(pause, options.stop))) return { kind: 'stopped', attempts, error };
    }
  }
}

/** Sleeps `ms`; false when `stop` fired first. */
function sleepUnlessStopped(ms: number, stop: AbortSignal): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onStop);
      resolve(true);
    }, ms);
    const onStop = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    stop.addEventListener('abort', onStop, { once: true });
  });
}
