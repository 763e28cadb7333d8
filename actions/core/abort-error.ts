import { CancelledError, TimeoutError } from '../../engine/errors/action-errors.js';

/**
 * The error for work stopped by an aborted signal: a {@link TimeoutError} (retried) when the
 * signal's reason says it timed out, a {@link CancelledError} (not retried, the run stays
 * resumable) for Ctrl-C and shutdown.
 *
 * @param signal - the signal that aborted.
 * @param what - what was stopped, e.g. `POST to hooks.slack.com`.
 * @param cause - the error the aborted operation threw, kept as `cause`.
 */
export function abortedError(signal: AbortSignal, what: string, cause?: unknown): TimeoutError | CancelledError {
  const reason: unknown = signal.reason;
  const detail = describeReason(reason);
  if (reason instanceof TimeoutError || isTimeoutReason(reason)) {
    return new TimeoutError(`${what} timed out${detail === undefined ? '' : ` (${detail})`}`, { cause: cause ?? reason });
  }
  return new CancelledError(`${what} was cancelled${detail === undefined ? '' : ` (${detail})`}`, { cause: cause ?? reason });
}

function isTimeoutReason(reason: unknown): boolean {
  if (typeof reason !== 'object' || reason === null) return typeof reason === 'string' && /timed? ?out/i.test(reason);
  const { name, message } = reason as { name?: unknown; message?: unknown };
  return name === 'TimeoutError' || (typeof message === 'string' && /timed? ?out/i.test(message));
}

function describeReason(reason: unknown): string | undefined {
  if (typeof reason === 'string') return reason;
  if (typeof reason === 'object' && reason !== null) {
    const message = (reason as { message?: unknown }).message;
    // The default reason of AbortController.abort() says nothing useful.
    if (typeof message === 'string' && message !== '' && message !== 'This operation was aborted') return message;
  }
  return undefined;
}
