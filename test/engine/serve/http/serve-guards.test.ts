import { connect, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { requireRole } from '../../../../engine/serve/auth/request-principal.js';
import { bearer, serveApp, TOKENS } from './serve-app-fixture.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A JSON-body route, standing in for the write routes. */
async function echoRoute(instance: FastifyInstance): Promise<void> {
  instance.post('/api/test/echo', { preHandler: requireRole('operator') }, async (request) => ({ got: request.body, prototypeTouched: ({} as Record<string, unknown>)['polluted'] === true }));
}

describe('serve\'s routes: 404, 405 and error shapes', () => {
  it('answers a path no route serves 404 NOT_FOUND, and a known path with another method 405 with Allow', async () => {
    ({ app } = await serveApp());
    const missing = await app.inject({ url: '/nowhere?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringContaining('no route GET /nowhere; idflow serve answers POST /events/{name}, GET /healthz, the API under /api/') } });
    expect(missing.headers['cache-control']).toBe('no-store');
    const wrongMethod = await app.inject({ method: 'DELETE', url: '/api/runs', headers: bearer(TOKENS.admin) });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    expect(wrongMethod.json()).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: '/api/runs accepts GET only' } });
    const webhook = await app.inject({ method: 'GET', url: '/events/hr.employee.terminated' });
    expect(webhook.statusCode).toBe(405);
    expect(webhook.headers.allow).toBe('POST');
    // With a trailing slash, a path is the same path.
    expect((await app.inject({ url: '/api/runs/', headers: bearer(TOKENS.viewer) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'HEAD', url: '/healthz' })).statusCode).toBe(200);
  });

  it('reads JSON bodies through Fastify\'s parser: too deep is 400 JSON_TOO_DEEP, __proto__ keys 400 INVALID_JSON, too large 413', async () => {
    ({ app } = await serveApp({ plugins: [echoRoute] }));
    const post = (payload: string) => (app as FastifyInstance).inject({ method: 'POST', url: '/api/test/echo', headers: { ...bearer(TOKENS.operator), 'content-type': 'application/json' }, payload });
    expect((await post('{"a":[1,{"b":2}]}')).json()).toEqual({ got: { a: [1, { b: 2 }] }, prototypeTouched: false });
    const deep = await post(`${'['.repeat(1_000)}${']'.repeat(1_000)}`);
    expect(deep.statusCode).toBe(400);
    expect(deep.json().error).toEqual({ code: 'JSON_TOO_DEEP', message: expect.stringContaining('more than 64 levels deep') });
    const poisoned = await post('{"__proto__":{"polluted":true}}');
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json().error.code).toBe('INVALID_JSON');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((await post('{"constructor":{"prototype":{"polluted":true}}}')).json().error.code).toBe('INVALID_JSON');
    expect((await post('{not json')).json().error.code).toBe('INVALID_JSON');
    const large = await post(JSON.stringify({ padding: 'x'.repeat(5_000) }));
    expect(large.statusCode).toBe(413);
    expect(large.json().error).toEqual({ code: 'BODY_TOO_LARGE', message: 'the body is larger than 4096 bytes (serve.max_body_bytes)' });
    const wrongType = await (app as FastifyInstance).inject({ method: 'POST', url: '/api/test/echo', headers: { ...bearer(TOKENS.operator), 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a failing route 500 INTERNAL in serve\'s shape and logs it', async () => {
    const served = await serveApp({ plugins: [async (instance) => { instance.get('/api/test/broken', async () => { throw new Error('the disk is on fire'); }); }] });
    app = served.app;
    const answer = await app.inject({ url: '/api/test/broken' });
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toEqual({ error: { code: 'INTERNAL', message: 'the request could not be handled: the disk is on fire' } });
    expect(served.logger.lines).toContain('error GET /api/test/broken failed: the disk is on fire');
  });

  it('logs each refusal but 404 as one line, naming who was refused', async () => {
    const served = await serveApp({ plugins: [async (instance) => { instance.post('/api/test/operate', { preHandler: requireRole('operator') }, async () => ({})); }] });
    app = served.app;
    await app.inject({ method: 'POST', url: '/api/test/operate', headers: bearer(TOKENS.viewer) });
    await app.inject({ url: '/api/runs', headers: bearer('wrong-token-wrong-token-wrong') });
    await app.inject({ url: '/nowhere' });
    expect(served.logger.lines).toEqual(['warn POST /api/test/operate → 403 FORBIDDEN (dashboard)', 'warn GET /api/runs → 401 UNAUTHORISED']);
  });
});

describe('serve\'s answers to what is not a request it can route', () => {
  it('answers a path that is not URL text 400 BAD_URL and an over-long segment 414, in serve\'s shape', async () => {
    ({ app } = await serveApp());
    const bad = await app.inject({ url: '/api/runs/%E0%A4%A', headers: bearer(TOKENS.viewer) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ error: { code: 'BAD_URL', message: expect.stringContaining('"/api/runs/%E0%A4%A" is not valid URL text') } });
    expect(bad.headers['cache-control']).toBe('no-store');
    const long = await app.inject({ url: `/api/runs/${'x'.repeat(1_200)}`, headers: bearer(TOKENS.viewer) });
    expect(long.statusCode).toBe(414);
    expect(long.json().error.code).toBe('URI_TOO_LONG');
  });

  it('answers bytes that are not HTTP 400 in serve\'s shape and closes the connection', async () => {
    ({ app } = await serveApp());
    await new Promise<void>((resolve) => app?.server.listen(0, '127.0.0.1', resolve));
    const { port } = app.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('HELLO THERE\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      socket.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ error: { code: 'BAD_REQUEST', message: 'the request is not valid HTTP/1.1' } });
  });
});
