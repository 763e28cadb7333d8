import { readOwn } from '../language/read-own.js';
import { FORBIDDEN_SEGMENTS, forbiddenMessage } from '../language/reference-check.js';
import { describeValue } from './helpers.js';

/**
 * Reading a dotted path out of the run data the way templates do: own properties only, at
 * every segment (so nothing on a prototype is ever reached), list items by index, and never
 * `__proto__`, `constructor` or `prototype`. When a path reads nothing, the result says where
 * it stopped, so the error can name the missing key and what its parent does have.
 */

/** Where and why a path read nothing. */
export interface PathMiss {
  /** The index of the segment that could not be read. */
  index: number;
  /** The value that segment was read from. */
  parent: unknown;
}

/** The outcome of {@link resolvePath}. */
export type Resolution = { found: true; value: unknown } | { found: false; miss: PathMiss };

/** How many keys a message lists before it says "…". */
const LISTED_KEYS = 12;

/** Reads `segments` from `root`. A key whose value is `undefined` counts as absent. */
export function resolvePath(root: unknown, segments: readonly string[]): Resolution {
  let current = root;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] ?? '';
    const next = readOwn(current, segment);
    if (next === undefined) return { found: false, miss: { index, parent: current } };
    current = next;
  }
  return { found: true, value: current };
}

/**
 * Says in words why a path read nothing, e.g.
 * `"emial" is not defined in steps.lookup.output.user (it has: email, username, id)`.
 */
export function describeMiss(segments: readonly string[], miss: PathMiss): string {
  const segment = segments[miss.index] ?? '';
  const at = segments.slice(0, miss.index).join('.');
  const parent = miss.parent;
  if (FORBIDDEN_SEGMENTS.has(segment)) return forbiddenMessage(segment);
  if (miss.index === 0) return `"${segment}" is not defined (the data has: ${listKeys(parent)})`;
  if (parent === null || typeof parent !== 'object') return `"${segment}" cannot be read: ${at} is ${describeValue(parent)}`;
  if (Array.isArray(parent)) {
    return /^\d+$/.test(segment)
      ? `item ${segment} is not defined in ${at} (it has ${parent.length} item${parent.length === 1 ? '' : 's'})`
      : `"${segment}" is not defined in ${at} (it is a list of ${parent.length} item${parent.length === 1 ? '' : 's'})`;
  }
  const keys = listKeys(parent);
  return `"${segment}" is not defined in ${at} (${keys === '' ? 'it is empty' : `it has: ${keys}`})`;
}

function listKeys(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const keys = Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined);
  return keys.length > LISTED_KEYS ? `${keys.slice(0, LISTED_KEYS).join(', ')}, …` : keys.join(', ');
}
