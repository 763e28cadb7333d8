import { CancelledError, NotFoundError } from '../../../engine/errors/action-errors.js';
import type { LookupCache } from './name-cache.js';
import { collect, MAX_PAGE_SIZE, type PageStyle } from './pagination.js';
import type { QueryParams, Transport } from './transport.js';

/** The object types read by id through {@link BatchLookup}. */
export type LookupType = 'user' | 'user_group' | 'system' | 'system_group' | 'application' | 'ldap_server' | 'radius_server';

/** Where one type is read: alone (`GET {list}/{id}`) and many at once (`GET {list}?filter=…`). */
interface LookupRoute {
  list: string;
  /** v1 lists take `filter[or][N]=_id:$eq:…`; v2 lists take `filter=id:in:a|b|c`. */
  style: Extract<PageStyle, 'v1' | 'v2'>;
  /** The field the list's items carry their id in. */
  idField: '_id' | 'id';
  /** For messages, e.g. `system`. */
  what: string;
}

/** Contract §2–§7: the v1 and v2 endpoints of each type, with their filter dialect. */
const ROUTES: Readonly<Record<LookupType, LookupRoute>> = {
  user: { list: '/api/systemusers', style: 'v1', idField: '_id', what: 'user' },
  user_group: { list: '/api/v2/usergroups', style: 'v2', idField: 'id', what: 'user group' },
  system: { list: '/api/systems', style: 'v1', idField: '_id', what: 'system' },
  system_group: { list: '/api/v2/systemgroups', style: 'v2', idField: 'id', what: 'system group' },
  application: { list: '/api/applications', style: 'v1', idField: '_id', what: 'application' },
  ldap_server: { list: '/api/v2/ldapservers', style: 'v2', idField: 'id', what: 'LDAP server' },
  radius_server: { list: '/api/radiusservers', style: 'v1', idField: '_id', what: 'RADIUS server' },
};

/**
 * The most characters the filter of one batched read may take in its URL (encoded). Many proxies
 * and servers refuse request lines beyond 2,048 to 8,192 bytes; 1,500 leaves room for the host,
 * path and paging parameters under the smallest of them. About 50 ObjectIds fit in a v2 `in`
 * filter and 23 in v1 `filter[or]` terms; more ids take more reads.
 */
export const MAX_FILTER_QUERY_CHARS = 1_500;

// Ids that can go in a filter value as they are: ObjectIds, and nothing that a `|` (the `in`
// separator), a `,` (v2's filter separator) or a `:` could make ambiguous.
const FILTERABLE_ID = /^[A-Za-z0-9_-]+$/;

/**
 * The filter queries that ask for `ids` in as few reads as fit {@link MAX_FILTER_QUERY_CHARS}:
 * v2 `filter=id:in:a|b|c` (the `in` operator of the v2 filter, values separated by `|`), v1
 * `filter[or][0]=_id:$eq:a&filter[or][1]=_id:$eq:b` (v1 filters have no `in`; `filter[or][N]`
 * ORs the terms, as the v1 spec's filter description shows).
 */
export function batchFilterQueries(type: LookupType, ids: readonly string[]): QueryParams[] {
  const route = ROUTES[type];
  const queries: QueryParams[] = [];
  let chunk: string[] = [];
  let length = 0;
  const flush = (): void => {
    if (chunk.length === 0) return;
    queries.push(route.style === 'v2'
      ? { filter: [`${route.idField}:in:${chunk.join('|')}`] }
      : Object.fromEntries(chunk.map((id, i) => [`filter[or][${i}]`, `${route.idField}:$eq:${id}`])));
    chunk = [];
    length = 0;
  };
  for (const id of ids) {
    const cost = route.style === 'v2'
      ? encodeURIComponent(`${chunk.length === 0 ? `filter=${route.idField}:in:` : '|'}${id}`).length
      : encodeURIComponent(`&filter[or][${chunk.length}]=${route.idField}:$eq:${id}`).length;
    // A chunk also stays under a page, so that one read answers it.
    if (chunk.length > 0 && (length + cost > MAX_FILTER_QUERY_CHARS || chunk.length >= MAX_PAGE_SIZE - 1)) flush();
    chunk.push(id);
    length += cost;
  }
  flush();
  return queries;
}

interface Waiter {
  id: string;
  signal: AbortSignal | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Reads objects by id in batches, through the lookup cache: the look-ups asked for in the same
 * turn of the event loop (a step naming its 8 systems, two steps naming their groups at once)
 * become one list read per type with an id filter, instead of one `GET` per object.
 *
 * @remarks
 * A batch of one is read with its plain `GET /…/{id}`. An id the list does not return is read
 * by itself before it is called gone: a server that ignored or misread the filter must cost a
 * few calls, never an object named "(unnamed)" or reported as vanished. Items the list returns
 * that were not asked for are ignored (the filter is re-checked here).
 */
export class BatchLookup {
  private readonly queues = new Map<LookupType, Waiter[]>();

  constructor(
    private readonly transport: Transport,
    private readonly cache: LookupCache,
  ) {}

  /**
   * One object by id, from the cache or the next batch of its type.
   * @throws NotFoundError when it does not exist; the transport's typed errors otherwise.
   */
  get<T>(type: LookupType, id: string, signal?: AbortSignal): Promise<T> {
    return this.cache.get(`${type}:${id}`, () => this.enqueue<T>(type, id, signal));
  }

  private enqueue<T>(type: LookupType, id: string, signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let queue = this.queues.get(type);
      if (queue === undefined) {
        queue = [];
        this.queues.set(type, queue);
        // setImmediate rather than a microtask: callers reach their look-ups after awaits of
        // their own (a traversal read, another step's snapshot), which all settle before it runs.
        setImmediate(() => void this.flush(type));
      }
      // A caller that goes away stops waiting at once; the batch goes on for the others. The
      // listener goes when the caller is answered: a run's signal outlives thousands of look-ups.
      const onAbort = (): void => reject(new CancelledError(`Cancelled while reading ${ROUTES[type].what} ${id}`, { cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push({
        id,
        signal,
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value as T);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
    });
  }

  private async flush(type: LookupType): Promise<void> {
    const queue = this.queues.get(type) ?? [];
    this.queues.delete(type);
    const waiting = queue.filter((w) => w.signal?.aborted !== true);
    if (waiting.length === 0) return;
    const route = ROUTES[type];
    const batchable = waiting.filter((w) => FILTERABLE_ID.test(w.id));
    const alone = waiting.filter((w) => !FILTERABLE_ID.test(w.id));
    if (batchable.length === 1) alone.push(...batchable.splice(0));
    const signal = everyAborted(waiting.map((w) => w.signal));
    await Promise.all([
      ...alone.map((w) => this.readOne(route, w.id, signal.signal).then(w.resolve, w.reject)),
      batchable.length > 0 ? this.readMany(route, type, batchable, signal.signal) : undefined,
    ]);
    signal.dispose();
  }

  private async readMany(route: LookupRoute, type: LookupType, waiting: readonly Waiter[], signal: AbortSignal | undefined): Promise<void> {
    const found = new Map<string, unknown>();
    try {
      const ids = [...new Set(waiting.map((w) => w.id))];
      const pages = await Promise.all(batchFilterQueries(type, ids).map((query) =>
        collect<Record<string, unknown>>(this.transport, {
          path: route.list,
          style: route.style,
          query,
          ...(signal === undefined ? {} : { signal }),
          what: `${ids.length} ${route.what}s by id`,
        }),
      ));
      const asked = new Set(ids);
      for (const item of pages.flat()) {
        const id = item[route.idField];
        if (typeof id === 'string' && asked.has(id)) found.set(id, item);
      }
    } catch (error) {
      for (const w of waiting) w.reject(error);
      return;
    }
    const missing = waiting.filter((w) => !found.has(w.id));
    if (missing.length > 0) {
      this.transport.logger.debug(`JumpCloud's list of ${route.what}s by id did not return ${missing.length} of them; reading those one by one`, { path: route.list, missing: missing.length });
    }
    for (const w of waiting) if (found.has(w.id)) w.resolve(found.get(w.id));
    await Promise.all(missing.map((w) => this.readOne(route, w.id, signal).then(w.resolve, w.reject)));
  }

  private async readOne(route: LookupRoute, id: string, signal: AbortSignal | undefined): Promise<unknown> {
    const response = await this.transport.request<unknown>({
      method: 'GET',
      path: `${route.list}/${encodeURIComponent(id)}`,
      what: `${route.what} ${id}`,
      ...(signal === undefined ? {} : { signal }),
    });
    if (response.data === undefined) throw new NotFoundError(`JumpCloud returned nothing for ${route.what} ${id}`);
    return response.data;
  }
}

/**
 * A signal that aborts once every one of `signals` has: a batch serves several callers, and must
 * not be stopped because one of them went away. None when a caller has no signal.
 */
function everyAborted(signals: ReadonlyArray<AbortSignal | undefined>): { signal: AbortSignal | undefined; dispose: () => void } {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length < signals.length || present.length === 0) return { signal: undefined, dispose: () => undefined };
  const unique = [...new Set(present)];
  if (unique.length === 1) return { signal: unique[0], dispose: () => undefined };
  const controller = new AbortController();
  const check = (): void => {
    if (unique.every((s) => s.aborted)) controller.abort(unique[0]?.reason);
  };
  for (const s of unique) s.addEventListener('abort', check, { once: true });
  return { signal: controller.signal, dispose: () => unique.forEach((s) => s.removeEventListener('abort', check)) };
}
