import type { LocalProblem } from '../diagnostics/problem.js';
import { checkReference } from '../language/reference-check.js';
import type { ReferenceScope } from '../language/scope.js';
import { walkCondition } from './walk-condition.js';

/**
 * Checks a JSON-logic rule without evaluating it: objects that are not rules, unknown
 * operators (with "did you mean" over the allowed ones), wrong numbers of arguments, and every
 * data path read by `var`, `missing` and `missing_some` against the workflow's scope. Paths
 * inside the rule of `map`/`filter`/`all`/`some`/`none` are relative to the item, and inside
 * `reduce` to `current`/`accumulator`, so they are not checked against the scope.
 *
 * @returns problems whose `path` is the JSON pointer inside the rule (e.g. `/and/1/==`); empty when fine.
 */
export function checkCondition(rule: unknown, scope: ReferenceScope): LocalProblem[] {
  const walk = walkCondition(rule);
  const problems = [...walk.problems];
  for (const path of walk.paths) {
    if (path.scope !== 'root') continue;
    const problem = checkReference(path.segments, scope);
    if (problem !== undefined) problems.push({ severity: 'error', ...problem, path: path.pointer });
  }
  return problems;
}
