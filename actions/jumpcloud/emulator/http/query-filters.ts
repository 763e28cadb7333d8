import { badRequest } from './api-error.js';
import { getPath } from './field-path.js';

/** A compiled filter. */
export type Predicate = (record: unknown) => boolean;

const V1_OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const;
const V2_OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'between', 'search', 'in'] as const;

/**
 * The v1 query `filter` (`<field>:<operator>:<value>`, operators `$eq $ne $gt $gte $lt $lte`).
 *
 * @remarks
 * Forms accepted, per the spec: `filter=x`, repeated `filter=` and `filter[0]=`… (all ANDed),
 * `filter[or][0]=`… (ORed, then ANDed with the rest). JumpCloud's own Slack app sends operators
 * without `$` (`email:eq:x`), so both spellings work. Values are case-sensitive; they are compared
 * as booleans or numbers when the record's field is one, and a field holding an array matches
 * when any element does. Dotted fields reach into objects (`mfa.configured:$eq:true`).
 */
export function parseV1Filter(query: URLSearchParams): Predicate | undefined {
  const and: Predicate[] = [];
  const or: Predicate[] = [];
  for (const [key, raw] of query) {
    if (key === 'filter' || /^filter\[\d+\]$/.test(key) || /^filter\[and\]\[\d+\]$/.test(key)) and.push(parseTerm(raw, 'v1'));
    else if (/^filter\[or\]\[\d+\]$/.test(key)) or.push(parseTerm(raw, 'v1'));
    else if (key.startsWith('filter[')) throw badRequest(`unsupported filter parameter "${key}"; use filter, filter[N] or filter[or][N]`);
  }
  if (or.length > 0) and.push((r) => or.some((p) => p(r)));
  return and.length === 0 ? undefined : (r) => and.every((p) => p(r));
}

/**
 * The v2 query `filter` (`<field>:<operator>:<value>`, operators `eq ne gt ge lt le between
 * search in`). Several filters (repeated, or comma-joined as the 2023 spec's `explode: false`
 * array form sends them) are ANDed. `in` takes `a|b|c`, `between` takes `low|high`, `search`
 * is a case-insensitive substring match, and `*` in an `eq` or `in` value is a wildcard.
 */
export function parseV2Filter(values: readonly string[]): Predicate | undefined {
  const terms = values.flatMap((v) => v.split(/,(?=[\w.$@-]+:\$?(?:eq|ne|gt|ge|gte|lt|le|lte|between|search|in):)/)).filter((v) => v !== '');
  if (terms.length === 0) return undefined;
  const predicates = terms.map((t) => parseTerm(t, 'v2'));
  return (r) => predicates.every((p) => p(r));
}

function parseTerm(term: string, version: 'v1' | 'v2'): Predicate {
  const first = term.indexOf(':');
  const second = first < 0 ? -1 : term.indexOf(':', first + 1);
  if (first <= 0 || second < 0) {
    throw badRequest(`filter "${term}" must have the form <field>:<operator>:<value>`, [{ field: 'filter', description: 'expected <field>:<operator>:<value>' }]);
  }
  const field = term.slice(0, first);
  const rawOperator = term.slice(first + 1, second);
  const value = term.slice(second + 1);
  const operator = rawOperator.replace(/^\$/, '');
  const allowed: readonly string[] = version === 'v1' ? V1_OPERATORS : V2_OPERATORS;
  if (!allowed.includes(operator)) {
    const list = version === 'v1' ? V1_OPERATORS.map((o) => `$${o}`).join(', ') : V2_OPERATORS.join(', ');
    throw badRequest(`filter "${term}" uses unknown operator "${rawOperator}"; supported: ${list}`, [{ field: 'filter', description: `unknown operator ${rawOperator}` }]);
  }
  return (record) => {
    const actual = getPath(record, field);
    // A field holding an array matches when an element does (`ne`: when none equals).
    if (Array.isArray(actual)) return operator === 'ne' ? !actual.some((v) => equals(v, value)) : actual.some((v) => test(operator, v, value));
    return test(operator, actual, value);
  };
}

function test(operator: string, actual: unknown, raw: string): boolean {
  switch (operator) {
    case 'eq':
      return raw.includes('*') && typeof actual === 'string' ? glob(raw).test(actual) : equals(actual, raw);
    case 'ne':
      return !equals(actual, raw);
    case 'gt':
      return order(actual, raw) > 0;
    case 'gte':
    case 'ge':
      return order(actual, raw) >= 0;
    case 'lt':
      return order(actual, raw) < 0;
    case 'lte':
    case 'le':
      return order(actual, raw) <= 0;
    case 'in':
      // "filter=field:in:value1|value2|value3"; each value may hold the wildcard, as eq's may.
      return raw.split('|').some((v) => test('eq', actual, v));
    case 'between': {
      const [low, high] = raw.split('|');
      return low !== undefined && high !== undefined && order(actual, low) >= 0 && order(actual, high) <= 0;
    }
    case 'search':
      return typeof actual === 'string' && actual.toLowerCase().includes(raw.toLowerCase());
    default:
      return false;
  }
}

/** Equality with the query string coerced to the record value's type. */
function equals(actual: unknown, raw: string): boolean {
  if (actual === undefined || actual === null) return raw === 'null';
  if (typeof actual === 'boolean') return raw === String(actual);
  if (typeof actual === 'number') return raw.trim() !== '' && Number(raw) === actual;
  return typeof actual === 'string' && actual === raw;
}

/** Ordering against the query string; NaN-like comparisons (missing values) order as "not comparable" (never match). */
function order(actual: unknown, raw: string): number {
  if (typeof actual === 'number') {
    const n = Number(raw);
    return Number.isNaN(n) ? Number.NaN : actual - n;
  }
  if (typeof actual === 'string') return actual < raw ? -1 : actual > raw ? 1 : 0;
  return Number.NaN;
}

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}
