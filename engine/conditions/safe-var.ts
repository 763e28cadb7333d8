import { readOwn } from '../language/read-own.js';
import { isKnownAfterRun } from '../plugin-api/known-after-run.js';
import { DecidedAtRunTime } from './decided-at-run-time.js';

/**
 * JSON-logic's `var`, made safe: stock json-logic-js reads `data[segment]`, so
 * `{"var": "inputs.constructor"}` returns `Object` and `inputs.toString` a function (both
 * truthy). Here every segment must be an own property of an object, or an index (or `length`)
 * of a list; `__proto__`, `constructor` and `prototype` read nothing whatever the data holds.
 * Otherwise it keeps json-logic's semantics: a dotted path, `""` for the whole data, and the
 * default used only when nothing is found (a `null` value is a value).
 *
 * In a plan, reading a value known only after the run (or a list holding one, or reading
 * through one) throws {@link DecidedAtRunTime}: the condition cannot be decided now.
 */
export function safeVar(this: unknown, path?: unknown, fallback?: unknown): unknown {
  const notFound = fallback === undefined ? null : fallback;
  if (path === undefined || path === null || path === '') return this;
  let current: unknown = this;
  for (const segment of String(path).split('.')) {
    if (isKnownAfterRun(current)) throw new DecidedAtRunTime(current, String(path));
    current = readOwn(current, segment);
    if (current === undefined) return notFound;
  }
  const unknown = isKnownAfterRun(current) ? current : Array.isArray(current) ? current.find(isKnownAfterRun) : undefined;
  if (unknown !== undefined) throw new DecidedAtRunTime(unknown, String(path));
  return current;
}
