import { badRequest } from './api-error.js';
import { getPath } from './field-path.js';

/**
 * The list parameters JumpCloud endpoints share: `limit`, `skip`, `sort`, `fields`.
 *
 * @remarks
 * `limit` defaults to 10 and is "Limited to 100"; above that the answer is the 400 body seen on
 * the real API (`request parameter "limit" exceeds maximum value of 100`). `limit=0` means the
 * default, as an unset Mongo limit would. `sort` and `fields` are space-separated on v1 and
 * comma-separated on v2; the emulator accepts either separator on both, which is harmless
 * because field names contain neither. Sorting is stable, so equal keys keep creation order and
 * `skip`/`limit` paging sees every item exactly once.
 */

/** One `sort` key. */
export interface SortKey {
  field: string;
  descending: boolean;
}

/** Reads `limit`: an integer from 0 to `max` (0 means the default). */
export function parseLimit(value: unknown, options: { max?: number; defaultLimit?: number } = {}): number {
  const max = options.max ?? 100;
  const defaultLimit = options.defaultLimit ?? 10;
  if (value === undefined || value === null || value === '') return defaultLimit;
  const limit = toInteger(value);
  if (limit === undefined || limit < 0) throw badRequest(`request parameter "limit" must be a non-negative integer, not "${String(value)}"`, [{ field: 'limit', description: 'must be a non-negative integer' }]);
  if (limit > max) throw badRequest(`request parameter "limit" exceeds maximum value of ${max}`, [{ field: 'limit', description: `exceeds maximum value of ${max}` }]);
  return limit === 0 ? defaultLimit : limit;
}

/** Reads `skip`: an integer of at least 0 (default 0). */
export function parseSkip(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  const skip = toInteger(value);
  if (skip === undefined || skip < 0) throw badRequest(`request parameter "skip" must be a non-negative integer, not "${String(value)}"`, [{ field: 'skip', description: 'must be a non-negative integer' }]);
  return skip;
}

/** Reads `sort` (`_id`, `-created lastname`, `name,-id`). */
export function parseSort(values: readonly string[]): SortKey[] {
  return splitList(values).map((token) => (token.startsWith('-') ? { field: token.slice(1), descending: true } : { field: token.replace(/^\+/, ''), descending: false }));
}

/** Reads `fields` into a list of field names (empty means "all fields"). */
export function parseFields(values: readonly string[]): string[] {
  return splitList(values);
}

/** Sorts a copy of `items` by the keys; missing values sort first, as in MongoDB. */
export function sortItems<T>(items: readonly T[], keys: readonly SortKey[], options: { ignoreCase?: readonly string[] } = {}): T[] {
  if (keys.length === 0) return [...items];
  const ignoreCase = new Set(options.ignoreCase ?? []);
  // Read each item's sort values once (orgs hold 10,000 users; comparisons would re-read them ~140,000 times).
  const decorated = items.map((item) => ({
    item,
    values: keys.map((key) => {
      const value = getPath(item, key.field);
      return ignoreCase.has(key.field) && typeof value === 'string' ? value.toLowerCase() : value;
    }),
  }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const order = compareValues(a.values[i], b.values[i]);
      if (order !== 0) return (keys[i] as SortKey).descending ? -order : order;
    }
    return 0;
  });
  return decorated.map((d) => d.item);
}

/** Keeps only the named fields (plus the id field, which is always returned). */
export function project<T extends object>(record: T, fields: readonly string[], idField: string): Partial<T> {
  if (fields.length === 0) return record;
  const out: Record<string, unknown> = {};
  for (const field of [idField, ...fields]) {
    const value = (record as Record<string, unknown>)[field];
    if (value !== undefined) out[field] = value;
  }
  return out as Partial<T>;
}

/** Compares two JSON values for sorting: missing < booleans < numbers < strings < others. */
export function compareValues(a: unknown, b: unknown, ignoreCase = false): number {
  if (!ignoreCase && typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const rank = (v: unknown): number => (v === undefined || v === null ? 0 : typeof v === 'boolean' ? 1 : typeof v === 'number' ? 2 : typeof v === 'string' ? 3 : 4);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 4) return compareValues(JSON.stringify(a), JSON.stringify(b));
  const x = ignoreCase && typeof a === 'string' ? a.toLowerCase() : (a as string | number | boolean);
  const y = ignoreCase && typeof b === 'string' ? b.toLowerCase() : (b as string | number | boolean);
  return x < y ? -1 : x > y ? 1 : 0;
}

function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(/[\s,]+/)).filter((v) => v !== '');
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}
