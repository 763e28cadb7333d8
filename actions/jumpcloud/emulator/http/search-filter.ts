import { badRequest } from './api-error.js';
import { getPath } from './field-path.js';
import { compareValues } from './list-query.js';
import type { Predicate } from './query-filters.js';

/**
 * The body filters of `POST /api/search/systemusers`.
 *
 * @remarks
 * `filter` is an array of query expressions (all must match), or an object with a single `and` or
 * `or` array, or a single expression. An expression maps fields to a value (exact,
 * case-sensitive match) or to Mongo-style operators: `$eq $ne $gt $gte $lt $lte $in $nin
 * $exists $regex` (with `$options`). JumpCloud's PowerShell module matches case-insensitively with
 * `{"$regex": "(?i)(^jdoe$)"}`; the leading `(?i)`, `(?m)`, `(?s)` flags of Go/PCRE syntax become
 * JavaScript regex flags. `and`/`or` (or `$and`/`$or`) may nest inside expressions.
 *
 * `searchFilter` is `{ searchTerm: string | string[], fields: string[] }`: a record matches when
 * any of the fields contains any term, case-insensitively ("partial text match"). Without
 * `fields` it searches username, email, firstname, lastname and displayname.
 */
export function compileSearchBody(body: Record<string, unknown>): Predicate {
  const predicates: Predicate[] = [];
  if (body['filter'] !== undefined && body['filter'] !== null) predicates.push(compileFilter(body['filter'], 'filter'));
  if (body['searchFilter'] !== undefined && body['searchFilter'] !== null) predicates.push(compileSearchFilter(body['searchFilter']));
  return (record) => predicates.every((p) => p(record));
}

const DEFAULT_SEARCH_FIELDS = ['username', 'email', 'firstname', 'lastname', 'displayname'];
const MAX_REGEX_LENGTH = 1000;

function compileFilter(filter: unknown, where: string): Predicate {
  if (Array.isArray(filter)) {
    const parts = filter.map((f, i) => compileExpression(f, `${where}[${i}]`));
    return (r) => parts.every((p) => p(r));
  }
  return compileExpression(filter, where);
}

function compileExpression(expression: unknown, where: string): Predicate {
  if (typeof expression !== 'object' || expression === null || Array.isArray(expression)) {
    throw badRequest(`${where} must be an object of field conditions`, [{ field: where, description: 'must be an object' }]);
  }
  const parts: Predicate[] = [];
  for (const [key, condition] of Object.entries(expression)) {
    const path = `${where}.${key}`;
    if (key === 'and' || key === '$and' || key === 'or' || key === '$or') {
      if (!Array.isArray(condition)) throw badRequest(`${path} must be an array of expressions`, [{ field: path, description: 'must be an array' }]);
      const nested = condition.map((c, i) => compileExpression(c, `${path}[${i}]`));
      parts.push(key.endsWith('and') ? (r) => nested.every((p) => p(r)) : (r) => nested.some((p) => p(r)));
    } else if (key.startsWith('$')) {
      throw badRequest(`${path}: unknown operator "${key}" at expression level; use and/or`, [{ field: path, description: 'unknown operator' }]);
    } else {
      parts.push(compileCondition(key, condition, path));
    }
  }
  return (r) => parts.every((p) => p(r));
}

function compileCondition(field: string, condition: unknown, where: string): Predicate {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    return (r) => matchesAny(getPath(r, field), (v) => sameValue(v, condition));
  }
  const operators = condition as Record<string, unknown>;
  const tests: Array<(value: unknown, present: boolean) => boolean> = [];
  for (const [operator, operand] of Object.entries(operators)) {
    const path = `${where}.${operator}`;
    switch (operator) {
      case '$eq': tests.push((v) => matchesAny(v, (x) => sameValue(x, operand))); break;
      case '$ne': tests.push((v) => !matchesAny(v, (x) => sameValue(x, operand))); break;
      case '$gt': tests.push((v) => matchesAny(v, (x) => comparable(x, operand) && ordered(x, operand) > 0)); break;
      case '$gte': tests.push((v) => matchesAny(v, (x) => comparable(x, operand) && ordered(x, operand) >= 0)); break;
      case '$lt': tests.push((v) => matchesAny(v, (x) => comparable(x, operand) && ordered(x, operand) < 0)); break;
      case '$lte': tests.push((v) => matchesAny(v, (x) => comparable(x, operand) && ordered(x, operand) <= 0)); break;
      case '$in':
      case '$nin': {
        if (!Array.isArray(operand)) throw badRequest(`${path} must be an array`, [{ field: path, description: 'must be an array' }]);
        const hit = (v: unknown): boolean => matchesAny(v, (x) => operand.some((o) => sameValue(x, o)));
        tests.push(operator === '$in' ? hit : (v) => !hit(v));
        break;
      }
      case '$exists': tests.push((_v, present) => present === Boolean(operand)); break;
      case '$regex': {
        const regex = compileRegex(operand, operators['$options'], path);
        tests.push((v) => matchesAny(v, (x) => typeof x === 'string' && regex.test(x)));
        break;
      }
      case '$options': break;
      default:
        throw badRequest(`${path}: unknown operator "${operator}"; supported: $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $regex`, [{ field: path, description: 'unknown operator' }]);
    }
  }
  return (r) => {
    const value = getPath(r, field);
    return tests.every((t) => t(value, value !== undefined));
  };
}

/** Turns `(?i)(^jdoe$)` into `/(^jdoe$)/i`; a 400 when the pattern is not a valid regex. */
export function compileRegex(pattern: unknown, options: unknown, where: string): RegExp {
  if (typeof pattern !== 'string') throw badRequest(`${where} must be a string`, [{ field: where, description: 'must be a string' }]);
  if (pattern.length > MAX_REGEX_LENGTH) throw badRequest(`${where} is longer than ${MAX_REGEX_LENGTH} characters`, [{ field: where, description: 'too long' }]);
  let source = pattern;
  const flags = new Set<string>();
  const inline = /^\(\?([imsU]+)\)/.exec(source);
  if (inline?.[1] !== undefined) {
    for (const flag of inline[1]) if (flag !== 'U') flags.add(flag);
    source = source.slice(inline[0].length);
  }
  if (typeof options === 'string') for (const flag of options) if ('ims'.includes(flag)) flags.add(flag);
  try {
    return new RegExp(source, [...flags].join(''));
  } catch (error) {
    throw badRequest(`${where} is not a valid regular expression: ${(error as Error).message}`, [{ field: where, description: 'invalid regular expression' }]);
  }
}

function compileSearchFilter(searchFilter: unknown): Predicate {
  if (typeof searchFilter !== 'object' || searchFilter === null || Array.isArray(searchFilter)) {
    throw badRequest('searchFilter must be an object with searchTerm and fields', [{ field: 'searchFilter', description: 'must be an object' }]);
  }
  const { searchTerm, fields } = searchFilter as Record<string, unknown>;
  const terms = typeof searchTerm === 'string' ? [searchTerm] : Array.isArray(searchTerm) && searchTerm.every((t) => typeof t === 'string') ? (searchTerm as string[]) : undefined;
  if (terms === undefined) throw badRequest('searchFilter.searchTerm must be a string or an array of strings', [{ field: 'searchFilter.searchTerm', description: 'must be a string or an array of strings' }]);
  if (fields !== undefined && !(Array.isArray(fields) && fields.every((f) => typeof f === 'string'))) {
    throw badRequest('searchFilter.fields must be an array of field names', [{ field: 'searchFilter.fields', description: 'must be an array of strings' }]);
  }
  const searched = (fields as string[] | undefined) ?? DEFAULT_SEARCH_FIELDS;
  const lowered = terms.map((t) => t.toLowerCase());
  return (r) => searched.some((f) => {
    const value = getPath(r, f);
    return typeof value === 'string' && lowered.some((t) => value.toLowerCase().includes(t));
  });
}

function matchesAny(value: unknown, check: (v: unknown) => boolean): boolean {
  return Array.isArray(value) ? value.some(check) || check(value) : check(value);
}

function sameValue(actual: unknown, expected: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined;
  return typeof expected === 'object' ? JSON.stringify(actual) === JSON.stringify(expected) : actual === expected;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Orders two values as JumpCloud's database does: date-times (`created`, `lastContact`) are
 * stored as dates, so they compare as instants whatever their spelling (`…00Z` and `…00.000Z`
 * are the same time); other values as {@link compareValues} does.
 */
function ordered(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string' && DATE_TIME.test(a) && DATE_TIME.test(b)) return Date.parse(a) - Date.parse(b);
  return compareValues(a, b);
}

function comparable(a: unknown, b: unknown): boolean {
  return (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
}
