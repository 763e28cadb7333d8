import { badRequest } from './api-error.js';
import { isObjectId } from '../object-id.js';
import { parseFields, parseLimit, parseSkip, parseSort, project, sortItems } from './list-query.js';
import type { Predicate } from './query-filters.js';
import type { ApiResponse } from './router.js';

/**
 * The two list envelopes: v1 answers `{ totalCount, results }`, v2 a bare array with the total in
 * the `x-total-count` header (read by JumpCloud's PowerShell module).
 */

/** Options shared by both list forms. */
export interface ListOptions {
  filter?: Predicate | undefined;
  /** The id field, always kept by `fields` projection: `_id` (v1), `id` (v2 objects) or `to` (graph connections); `sort=_id` orders by it. */
  idField: string;
  /** The largest `limit` accepted (default 100). */
  maxLimit?: number;
  /** Extra fields to add to each returned item after filtering (e.g. `memberof` on search results). */
  decorate?: (item: Record<string, unknown>) => Record<string, unknown>;
}

/** Filters, sorts, pages and projects `items` as a v1 list. */
export function v1List(items: readonly object[], query: URLSearchParams, options: ListOptions): ApiResponse {
  const { total, page } = pageOf(items, {
    limit: query.get('limit'), skip: query.get('skip'), sort: query.getAll('sort'), fields: query.getAll('fields'),
    ignoreCase: query.getAll('sortIgnoreCase'),
  }, options);
  return { status: 200, body: { totalCount: total, results: page } };
}

/** Filters, sorts, pages and projects `items` as a v2 list. */
export function v2List(items: readonly object[], query: URLSearchParams, options: ListOptions): ApiResponse {
  const { total, page } = pageOf(items, { limit: query.get('limit'), skip: query.get('skip'), sort: query.getAll('sort'), fields: query.getAll('fields'), ignoreCase: [] }, options);
  return { status: 200, body: page, headers: { 'x-total-count': String(total) } };
}

/** The raw list parameters, wherever they came from (query or a search body). */
export interface ListParams {
  limit: unknown;
  skip: unknown;
  sort: readonly string[];
  fields: readonly string[];
  ignoreCase: readonly string[];
}

/** Applies filter, sort, skip/limit and projection; returns the page and the filtered total. */
export function pageOf(items: readonly object[], params: ListParams, options: ListOptions): { total: number; page: Record<string, unknown>[] } {
  const limit = parseLimit(params.limit, { max: options.maxLimit ?? 100 });
  const skip = parseSkip(params.skip);
  const sort = parseSort(params.sort).map((key) => (key.field === '_id' ? { ...key, field: storedIdPath(options.idField) } : key));
  const fields = parseFields(params.fields);
  const filtered = options.filter === undefined ? items : items.filter((i) => options.filter?.(i));
  const sorted = sortItems(filtered, sort, { ignoreCase: params.ignoreCase.flatMap((v) => v.split(/[\s,]+/)) });
  const page = sorted.slice(skip, skip + limit).map((item) => {
    const decorated = options.decorate ? options.decorate(item as Record<string, unknown>) : (item as Record<string, unknown>);
    return project(decorated, fields, options.idField);
  });
  return { total: filtered.length, page };
}

/**
 * Where an item keeps the MongoDB `_id` that `sort=_id` orders by. v2 objects show it as `id` and
 * graph connections as `to.id`; without this, `sort=_id` (what JumpCloud advises whenever a client
 * pages with `skip`) would sort v2 lists by a field none of their items has, i.e. not at all.
 */
function storedIdPath(idField: string): string {
  return idField === 'to' ? 'to.id' : idField;
}

/**
 * Checks an id taken from the path. A malformed id is a 400 rather than a 404: it cannot name
 * anything, so it is a client bug, and "already gone" logic keyed on 404 must not swallow it.
 */
export function objectIdParam(value: string | undefined, name: string): string {
  if (!isObjectId(value)) throw badRequest(`"${value ?? ''}" is not a valid ObjectId for ${name} (24 hexadecimal characters)`, [{ field: name, description: 'must be a 24-character hexadecimal ObjectId' }]);
  return value;
}
