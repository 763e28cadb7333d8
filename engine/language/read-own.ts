import { FORBIDDEN_SEGMENTS } from './reference-check.js';

/**
 * The one rule for what templates and conditions may read at run time: an own property of a
 * plain object, or an item (or the `length`) of a list, and never `__proto__`, `constructor`
 * or `prototype`, whatever the data holds. Nothing on a prototype is ever reached, so a path
 * like `inputs.toString` reads nothing rather than a function.
 *
 * @returns the value, or undefined when `key` reads nothing from `parent`.
 */
export function readOwn(parent: unknown, key: string): unknown {
  if (FORBIDDEN_SEGMENTS.has(key) || typeof parent !== 'object' || parent === null) return undefined;
  if (Array.isArray(parent)) return /^(0|[1-9]\d*)$/.test(key) || key === 'length' ? (parent as unknown as Record<string, unknown>)[key] : undefined;
  return Object.hasOwn(parent, key) ? (parent as Record<string, unknown>)[key] : undefined;
}
