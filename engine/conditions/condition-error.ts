import { IdflowError } from '../errors/idflow-error.js';

/**
 * A condition (`if:`, `when:`, a trigger's `if:`) could not be evaluated: it is not a valid
 * JSON-logic rule (unknown operator, wrong number of arguments, an object that is not a rule)
 * or an operator failed on the data. Never retryable: the same rule over the same data fails
 * the same way.
 */
export class ConditionError extends IdflowError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('CONDITION_EVAL', message, { retryable: false, cause: options.cause, details: options.details });
  }
}
