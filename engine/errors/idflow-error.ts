/**
 * The base of every error idflow raises on purpose.
 *
 * @remarks
 * Every error carries a stable `code` (for scripts, `--json` output and tests) and the retry
 * decision travels on the error itself (`retryable`), as in Temporal's failure taxonomy: the
 * step runner never guesses from message text.
 */
export class IdflowError extends Error {
  /** Stable, machine-readable code, e.g. `TRANSIENT` or `INVALID_TEMPLATE`. */
  readonly code: string;
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;
  /** Extra structured facts for `--json` output and the run record (never secrets). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }

  /** A plain-data form for journals, run records and `--json` output. */
  toJSON(): SerializedError {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, ...(Object.keys(this.details).length > 0 ? { details: { ...this.details } } : {}) };
  }
}

/** How an error is written to the journal and shown by `runs show`. */
export interface SerializedError {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}
