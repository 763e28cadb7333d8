import { walkConditionOnce } from './walk-condition.js';

/**
 * The run-data paths a rule reads through `var`, `missing` and `missing_some`, as dotted paths
 * from the top of the data (e.g. `['inputs.reason', 'steps.lookup.status']`), each once, in
 * order. Paths relative to the items of `map`/`filter`/`all`/`some`/`none`/`reduce` are not
 * included, nor `{"var": ""}` (the whole data).
 */
export function conditionReferences(rule: unknown): string[] {
  const seen = new Set<string>();
  for (const path of walkConditionOnce(rule).paths) {
    if (path.scope === 'root' && path.segments.length > 0) seen.add(path.segments.join('.'));
  }
  return [...seen];
}
