import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../engine/errors/index.js';
import { collect, defaultIdOf, paginate, type PageStyle } from '../../../../actions/jumpcloud/client/pagination.js';
import { createTransport, type Transport } from '../../../../actions/jumpcloud/client/transport.js';
import { objectId, recordingLogger, sendJson, startLoopbackServer, type Handler, type LoopbackServer } from './support/loopback-server.js';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Handler): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  return server;
}

function transportFor(server: LoopbackServer, logger = recordingLogger()): Transport {
  return createTransport({ baseUrl: server.url, apiKey: 'k-pagination', retry: { attempts: 2, minDelayMs: 1, maxDelayMs: 2 }, logger });
}

type Item = { _id?: string; id?: string; n: number };

/**
 * A list endpoint that pages like JumpCloud: limit (400 above 100), skip, sort by id; v1 and
 * search answer `{totalCount, results}`, v2 a bare array with `x-total-count`. Search takes
 * limit and skip from the JSON body.
 */
function listEndpoint(count: number, style: PageStyle): Handler {
  const key = style === 'v2' ? 'id' : '_id';
  // Stored out of order, so that only sort=_id gives a stable listing.
  const items: Item[] = Array.from({ length: count }, (_, i) => ({ [key]: objectId(i + 1), n: i + 1 })).reverse();
  return (request, response) => {
    const source = style === 'search' ? ((request.body ?? {}) as Record<string, unknown>) : Object.fromEntries(request.query);
    const limit = Number(source['limit'] ?? 10);
    const skip = Number(source['skip'] ?? 0);
    if (limit > 100) return sendJson(response, 400, { message: 'Bad Request: request parameter "limit" exceeds maximum value of 100' });
    const sorted = style !== 'search' && request.query.get('sort') === '_id' ? [...items].sort((a, b) => String(a[key as keyof Item]).localeCompare(String(b[key as keyof Item]))) : items;
    const page = sorted.slice(skip, skip + limit);
    if (style === 'v2') return sendJson(response, 200, page, { 'x-total-count': String(count) });
    return sendJson(response, 200, { totalCount: count, results: page });
  };
}

function ids(items: Item[]): string[] {
  return items.map((item) => item._id ?? item.id ?? '');
}

function expectedIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => objectId(i + 1));
}

describe('paginate', () => {
  it.each(['v1', 'v2'] as const)('%s: lists 101 items exactly once in two requests', async (style) => {
    const server = await serve(listEndpoint(101, style));
    const items = await collect<Item>(transportFor(server), { path: '/api/list', style });
    expect(ids(items)).toEqual(expectedIds(101));
    expect(server.requests.map((r) => r.target)).toEqual(['/api/list?limit=100&skip=0&sort=_id', '/api/list?limit=100&skip=100&sort=_id']);
  });

  it.each(['v1', 'v2'] as const)('%s: lists 10,000 items exactly once, 100 per page', async (style) => {
    const server = await serve(listEndpoint(10_000, style));
    const items = await collect<Item>(transportFor(server), { path: '/api/list', style });
    expect(items).toHaveLength(10_000);
    expect(new Set(ids(items)).size).toBe(10_000);
    expect(ids(items)).toEqual(expectedIds(10_000));
    // 100 full pages, then the empty page that proves the end.
    expect(server.requests).toHaveLength(101);
    expect(server.requests.map((r) => r.query.get('skip'))).toEqual(Array.from({ length: 101 }, (_, i) => String(i * 100)));
    expect(server.requests.every((r) => r.query.get('limit') === '100' && r.query.get('sort') === '_id')).toBe(true);
  });

  it('search: pages with limit and skip in the JSON body, keeping the search', async () => {
    const server = await serve(listEndpoint(101, 'search'));
    const items = await collect<Item>(transportFor(server), { path: '/api/search/systemusers', style: 'search', body: { filter: { and: [{ department: 'IT' }] } } });
    expect(ids(items)).toHaveLength(101);
    expect(new Set(ids(items)).size).toBe(101);
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/api/search/systemusers', { filter: { and: [{ department: 'IT' }] }, limit: 100, skip: 0 }],
      ['POST', '/api/search/systemusers', { filter: { and: [{ department: 'IT' }] }, limit: 100, skip: 100 }],
    ]);
  });

  it('stops after an empty page when the count is an exact multiple of the page size', async () => {
    const server = await serve(listEndpoint(100, 'v1'));
    expect(await collect<Item>(transportFor(server), { path: '/api/list', style: 'v1' })).toHaveLength(100);
    expect(server.requests.map((r) => r.query.get('skip'))).toEqual(['0', '100']);
  });

  it('keeps extra query parameters and can leave out sort', async () => {
    const server = await serve(listEndpoint(3, 'v2'));
    await collect(transportFor(server), { path: '/api/v2/users/u/associations', style: 'v2', query: { targets: 'system' }, sort: null, pageSize: 2 });
    expect(server.requests.map((r) => r.target)).toEqual(['/api/v2/users/u/associations?targets=system&limit=2&skip=0', '/api/v2/users/u/associations?targets=system&limit=2&skip=2']);
  });

  it('drops items the server repeats across pages, and says so', async () => {
    // The server shifts by one between pages (as when a row is inserted mid-listing): page 2
    // starts with the last item of page 1.
    const all = expectedIds(150).map((id, i) => ({ _id: id, n: i + 1 }));
    const server = await serve((request, response) => {
      const skip = Number(request.query.get('skip'));
      const page = skip === 0 ? all.slice(0, 100) : all.slice(skip - 1, skip - 1 + 100);
      sendJson(response, 200, { totalCount: 150, results: page });
    });
    const logger = recordingLogger();
    const items = await collect<Item>(transportFor(server, logger), { path: '/api/systemusers', style: 'v1', what: 'users' });
    expect(ids(items)).toEqual(expectedIds(150));
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(['JumpCloud repeated 1 item(s) already listed while paging users; they were skipped']);
  });

  it('stops with a clear error when the server ignores skip, instead of looping', async () => {
    const all = expectedIds(100).map((id, i) => ({ id, n: i + 1 }));
    const server = await serve((_request, response) => sendJson(response, 200, all));
    const error = await collect(transportFor(server), { path: '/api/v2/users/u/memberof', style: 'v2', what: 'groups of user u' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toBe(
      'JumpCloud returned a full page of already-listed items for groups of user u (/api/v2/users/u/memberof, skip 100); the server does not seem to honour "skip", so listing stopped instead of looping',
    );
    expect(server.requests).toHaveLength(2);
  });

  it('rejects an answer that is not the expected list shape', async () => {
    const server = await serve((_request, response) => sendJson(response, 200, [{ _id: 'a' }]));
    const error = await collect(transportFor(server), { path: '/api/systemusers', style: 'v1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'JUMPCLOUD_BAD_RESPONSE', message: "JumpCloud's answer for /api/systemusers (/api/systemusers, skip 0) is not an object { totalCount, results }: got an array" });
  });

  it('rejects a page size over 100', async () => {
    const server = await serve(listEndpoint(1, 'v1'));
    const pages = paginate(transportFor(server), { path: '/api/systemusers', style: 'v1', pageSize: 101 });
    await expect(pages.next()).rejects.toThrow('A JumpCloud page size must be an integer from 1 to 100, got 101');
    expect(server.requests).toHaveLength(0);
  });

  it('yields lazily: a consumer that stops early sends no further requests', async () => {
    const server = await serve(listEndpoint(1000, 'v1'));
    for await (const item of paginate<Item>(transportFor(server), { path: '/api/systemusers', style: 'v1' })) {
      if (item.n === 150) break;
    }
    expect(server.requests).toHaveLength(2);
  });
});

describe('defaultIdOf', () => {
  it('reads _id, id and the target of a graph connection', () => {
    expect(defaultIdOf({ _id: 'a' })).toBe('a');
    expect(defaultIdOf({ id: 'b' })).toBe('b');
    expect(defaultIdOf({ to: { id: 'c', type: 'system' } })).toBe('system:c');
    expect(defaultIdOf({ name: 'x' })).toBeUndefined();
  });
});
