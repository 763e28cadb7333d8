/**
 * Conditions: JSON-logic rules in `if:`, `when:` and event triggers' `if:`. The loader calls
 * {@link checkCondition} on every rule; the runner calls {@link evaluateCondition}.
 */
export { evaluateCondition } from './evaluate-condition.js';
export { checkCondition } from './check-condition.js';
export { conditionReferences } from './condition-references.js';
export { ConditionError } from './condition-error.js';
export { DecidedAtRunTime } from './decided-at-run-time.js';
export { OPERATORS, type OperatorSpec } from './operators.js';
