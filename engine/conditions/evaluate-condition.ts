import jsonLogic, { type RulesLogic } from 'json-logic-js';
import type { RunData } from '../language/types.js';
import { ConditionError } from './condition-error.js';
import { installOperations } from './json-logic-operations.js';
import { walkConditionOnce } from './walk-condition.js';
import { DecidedAtRunTime } from './decided-at-run-time.js';

/** How much of a rule a message quotes. */
const QUOTE_LIMIT = 120;

/**
 * Evaluates a JSON-logic rule over the run data and says whether it holds, by JSON-logic's
 * truthiness (false, null, 0, "" and an empty list are false). Reads are own properties only,
 * `<`/`<=`/`>`/`>=` are false when a side is null or absent, and `log` does not exist (see
 * json-logic-operations.ts); `constructor`, `__proto__` and `prototype` read nothing. A rule that
 * is not valid (unknown operator, wrong number of arguments, an object that is not a rule) is
 * refused before anything is evaluated.
 *
 * @throws ConditionError naming the rule and what is wrong with it; {@link DecidedAtRunTime} (in
 *   a plan) when the rule reads a value known only after the run.
 */
export function evaluateCondition(rule: unknown, data: RunData): boolean {
  installOperations();
  // A blocked name (constructor, __proto__, …) is not an invalid rule: it simply reads nothing
  // (the checker still reports it when the workflow is validated).
  const [problem] = walkConditionOnce(rule).problems.filter((p) => p.code !== 'forbidden-property');
  if (problem !== undefined) {
    throw new ConditionError(`The condition ${quote(rule)} is not valid: ${problem.message}${problem.path ? ` (at ${problem.path})` : ''}`, {
      details: { problem: problem.code, ...(problem.path === undefined ? {} : { path: problem.path }) },
    });
  }
  let result: unknown;
  try {
    result = jsonLogic.apply(rule as RulesLogic, data);
  } catch (error) {
    if (error instanceof DecidedAtRunTime) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /^Unrecognized operation (.+?)( \(failed at .*\))?$/.exec(message);
    const detail = unknown === null ? message : `unknown operator "${unknown[1] ?? ''}"`;
    throw new ConditionError(`The condition ${quote(rule)} could not be evaluated: ${detail}`, { cause: error });
  }
  return jsonLogic.truthy(result);
}

function quote(rule: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(rule) ?? String(rule);
  } catch {
    text = String(rule);
  }
  return text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
}
