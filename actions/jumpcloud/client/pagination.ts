import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { QueryParams, Transport } from './transport.js';

/** JumpCloud's largest page ("Limited to 100"; more is a 400). */
export const MAX_PAGE_SIZE = 100;

/**
 * How a list endpoint pages:
 * - `v1`: `GET` with `limit`/`skip`/`sort` in the query; body `{ totalCount, results }`.
 * - `v2`: `GET` with `limit`/`skip`/`sort` in the query; body a bare array; total in `x-total-count`.
 * - `search`: `POST` (`/api/search/*`) with `limit`/`skip` in the JSON body; body `{ totalCount, results }`.
 */
export type PageStyle = 'v1' | 'v2' | 'search';

/** What to page through. */
export interface PaginateRequest<T> {
  path: string;
  style: PageStyle;
  /** Extra query parameters (e.g. `filter`); `limit`, `skip` and `sort` are set by the pager. */
  query?: QueryParams;
  /** For `search`: the search body (`filter`, `searchFilter`, `fields`); `limit`/`skip` are set by the pager. */
  body?: Readonly<Record<string, unknown>>;
  /**
   * The id of an item, to drop repeats: default `_id` (v1) or `id` (v2), or `to.id` for graph
   * connections. Items without an id are never dropped.
   */
  idOf?: (item: T) => string | undefined;
  /** Items per page, 1 to 100; default 100. */
  pageSize?: number;
  /**
   * The stable order to page in (JumpCloud: "when you page with skip … add sort=_id, or you risk
   * missing or duplicate rows"). Default `_id`; `null` sends none (for endpoints that take no sort).
   */
  sort?: string | null;
  signal?: AbortSignal;
  /** What is listed, for messages (e.g. `groups of user 5f00…`). */
  what?: string;
}

/** The default id of a listed item: `_id`, `id`, or the `to.id` of a graph connection. */
export function defaultIdOf(item: unknown): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const record = item as Record<string, unknown>;
  if (typeof record['_id'] === 'string') return record['_id'];
  if (typeof record['id'] === 'string') return record['id'];
  const to = record['to'];
  if (typeof to === 'object' && to !== null) {
    const toRecord = to as Record<string, unknown>;
    if (typeof toRecord['id'] === 'string') return `${String(toRecord['type'] ?? '')}:${toRecord['id']}`;
  }
  return undefined;
}

/**
 * Yields every item of a JumpCloud list, page by page, exactly once.
 *
 * Pages with `limit` (100), `skip` and `sort=_id`, advancing `skip` by the page's length and
 * stopping at the first short page — the loop JumpCloud's own SDK uses. Items are de-duplicated
 * by id defensively (a server that shifts rows between pages would otherwise repeat them); a
 * repeat is logged as a warning. A full page of nothing but repeats means the server ignores
 * `skip`, and ends the listing with a `PermanentError` rather than looping for ever.
 *
 * @throws the transport's typed errors, or `PermanentError` for a response that is not a list.
 */
export async function* paginate<T>(transport: Transport, request: PaginateRequest<T>): AsyncGenerator<T, void, undefined> {
  const pageSize = request.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new PermanentError(`A JumpCloud page size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(pageSize)}`, { code: 'INVALID_ARGUMENT' });
  }
  const idOf = request.idOf ?? (defaultIdOf as (item: T) => string | undefined);
  const sort = request.sort === undefined ? '_id' : request.sort;
  const what = request.what ?? request.path;
  const seen = new Set<string>();
  let skip = 0;
  let yielded = 0;
  let total: number | undefined;
  for (;;) {
    const response =
      request.style === 'search'
        ? await transport.request<unknown>({
            method: 'POST',
            path: request.path,
            ...(request.query === undefined ? {} : { query: request.query }),
            body: { ...request.body, limit: pageSize, skip },
            idempotent: true,
            ...(request.signal === undefined ? {} : { signal: request.signal }),
          })
        : await transport.request<unknown>({
            method: 'GET',
            path: request.path,
            query: { ...request.query, limit: pageSize, skip, ...(sort === null ? {} : { sort }) },
            ...(request.signal === undefined ? {} : { signal: request.signal }),
          });
    const { items, totalCount } = readPage<T>(response.data, response.headers, request.style, `${what} (${request.path}, skip ${skip})`);
    total = totalCount ?? total;
    let fresh = 0;
    let repeated = 0;
    for (const item of items) {
      const id = idOf(item);
      if (id !== undefined) {
        if (seen.has(id)) {
          repeated++;
          continue;
        }
        seen.add(id);
      }
      fresh++;
      yielded++;
      yield item;
    }
    if (repeated > 0) {
      transport.logger.warn(`JumpCloud repeated ${repeated} item(s) already listed while paging ${what}; they were skipped`, { path: request.path, skip, repeated });
    }
    if (items.length < pageSize) break;
    if (fresh === 0) {
      throw new PermanentError(
        `JumpCloud returned a full page of already-listed items for ${what} (${request.path}, skip ${skip}); the server does not seem to honour "skip", so listing stopped instead of looping`,
        { code: 'JUMPCLOUD_BAD_PAGINATION' },
      );
    }
    skip += items.length;
  }
  transport.logger.debug(`JumpCloud listed ${yielded} item(s) of ${what}`, { path: request.path, items: yielded, ...(total === undefined ? {} : { totalCount: total }) });
}

/** Collects {@link paginate} into an array. */
export async function collect<T>(transport: Transport, request: PaginateRequest<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of paginate(transport, request)) items.push(item);
  return items;
}

function readPage<T>(data: unknown, headers: Headers, style: PageStyle, where: string): { items: T[]; totalCount: number | undefined } {
  if (style === 'v2') {
    if (!Array.isArray(data)) throw badShape(where, 'a JSON array', data);
    const header = headers.get('x-total-count');
    const totalCount = header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
    return { items: data as T[], totalCount };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw badShape(where, 'an object { totalCount, results }', data);
  const results = (data as Record<string, unknown>)['results'];
  if (!Array.isArray(results)) throw badShape(where, 'an object { totalCount, results }', data);
  const count = (data as Record<string, unknown>)['totalCount'];
  return { items: results as T[], totalCount: typeof count === 'number' ? count : undefined };
}

function badShape(where: string, expected: string, data: unknown): PermanentError {
  const got = data === undefined ? 'an empty body' : Array.isArray(data) ? 'an array' : typeof data === 'string' ? `text "${data.slice(0, 80)}"` : typeof data;
  return new PermanentError(`JumpCloud's answer for ${where} is not ${expected}: got ${got}`, { code: 'JUMPCLOUD_BAD_RESPONSE' });
}
