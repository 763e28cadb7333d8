import { IdflowError } from '../errors/idflow-error.js';

/** Where a render failed, for `--json` output and the run record (never data values). */
export interface TemplateErrorDetails {
  /** Where the template is written, e.g. `steps[3].with.message`. */
  where?: string;
  /** The failing expression as written, e.g. `{{steps.lookup.output.user.emial}}`. */
  expression?: string;
  /** 1-based line and column of the failing part inside the template text. */
  line?: number;
  column?: number;
}

/**
 * A template could not be rendered: a path read nothing, a helper got no value or the wrong
 * kind of value, a secret is not configured, or the template itself is malformed. The message
 * names where the template is, the expression, and what is missing, e.g.
 * `steps[3].with.message: "{{steps.lookup.output.user.emial}}": "emial" is not defined in
 * steps.lookup.output.user (it has: email, username, id)`. Never retryable: rendering the same
 * template over the same data fails the same way.
 */
export class TemplateError extends IdflowError {
  constructor(message: string, details: TemplateErrorDetails = {}, options: { cause?: unknown } = {}) {
    super('TEMPLATE_RENDER', message, { retryable: false, cause: options.cause, details: { ...details } });
  }
}
