import { readOwn } from '../language/read-own.js';

/**
 * JSON-logic's `var`, made safe: stock json-logic-js reads `data[segment]`, so
 * `{"var": "inputs.constructor"}` returns `Object` and `inputs.toString` a function (both
 * truthy). Here every segment must be an own property of an object, or an index (or `length`)
 * of a list; `__proto__`, `constructor` and `prototype` read nothing whatever the data holds.
 * Otherwise it keeps json-logic's semantics: a dotted path, `""` for the whole data, and the
 * default used only when nothing is found (a `null` value is a value).
 */
export function safeVar(this: unknown, path?: unknown, fallback?: unknown): unknown {
  const notFound = fallback === undefined ? null : fallback;
  if (path === undefined || path === null || path === '') return this;
  let current: unknown = this;
  for (const segment of String(path).split('.')) {
    current = readOwn(current, segment);
    if (current === undefined) return notFound;
  }
  return current;
}
