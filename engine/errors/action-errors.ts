import { IdflowError } from './idflow-error.js';

/**
 * The errors an action throws to steer retries. Plugins may throw these (imported from
 * `idflow`), or any error carrying `retryable: boolean`, `code` or an HTTP `status`: see
 * {@link classifyError}.
 */

/** A failure that may pass if tried again: network errors, 429, 5xx, timeouts. Retried. */
export class TransientError extends IdflowError {
  /** How long the far side asked us to wait (from `Retry-After`), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number; details?: Record<string, unknown> } = {}) {
    super('TRANSIENT', message, { retryable: true, cause: options.cause, details: options.details });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A failure that will not pass by trying again: bad request, bad credentials, forbidden. Not retried. */
export class PermanentError extends IdflowError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown>; code?: string } = {}) {
    super(options.code ?? 'PERMANENT', message, { retryable: false, cause: options.cause, details: options.details });
  }
}

/**
 * The thing asked for does not exist (e.g. no user matches the identifier). Not retried. The code
 * is `NOT_FOUND` unless a more precise one is given (e.g. `JUMPCLOUD_USER_DELETED`).
 */
export class NotFoundError extends IdflowError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown>; code?: string } = {}) {
    super(options.code ?? 'NOT_FOUND', message, { retryable: false, cause: options.cause, details: options.details });
  }
}

/** The operation conflicts with the current state. Not retried. */
export class ConflictError extends IdflowError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown>; code?: string } = {}) {
    super(options.code ?? 'CONFLICT', message, { retryable: false, cause: options.cause, details: options.details });
  }
}

/** More than one thing matched where exactly one was required; lists the candidates. Not retried. */
export class AmbiguousError extends ConflictError {
  readonly candidates: readonly string[];
  constructor(message: string, candidates: readonly string[], options: { cause?: unknown } = {}) {
    super(`${message}: ${candidates.join(', ')}`, { code: 'AMBIGUOUS', cause: options.cause, details: { candidates: [...candidates] } });
    this.candidates = candidates;
  }
}

/** A step or call took longer than allowed. Retried (the next attempt may be faster). */
export class TimeoutError extends IdflowError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('TIMEOUT', message, { retryable: true, cause: options.cause });
  }
}

/** The run was stopped (Ctrl-C, SIGTERM, shutdown). Never retried; the run stays resumable. */
export class CancelledError extends IdflowError {
  constructor(message = 'The run was cancelled', options: { cause?: unknown } = {}) {
    super('CANCELLED', message, { retryable: false, cause: options.cause });
  }
}
