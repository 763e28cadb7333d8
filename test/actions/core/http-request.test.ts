import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpRequestAction, statusMatches } from '../../../actions/core/http-request.js';
import { CancelledError, IdflowError, PermanentError, TimeoutError, TransientError } from '../../../engine/errors/index.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { actionHarness } from './helpers/action-harness.js';
import { reply, startHttpServer, type HttpTestServer } from './helpers/http-test-server.js';
import { closedPort } from './helpers/smtp-test-server.js';

const { registry, registered, validParams, run, failure } = actionHarness(httpRequestAction);
const validate = registered.validateParams;

describe('http.request', () => {
  let server: HttpTestServer;
  beforeAll(async () => {
    server = await startHttpServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.respond(reply(200, 'ok'));
  });

  it('GETs with query parameters and returns status, headers and the parsed JSON body, changing nothing', async () => {
    server.respond(reply(200, { tickets: [{ id: 42 }] }, { 'x-total-count': '1' }));
    const { ctx, result } = await run({}, { url: `${server.url}/api/tickets?open=1`, query: { user: 'john.smith', tag: ['a', 'b'], limit: 10 } });
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/api/tickets?open=1&user=john.smith&tag=a&tag=b&limit=10', body: '' });
    expect(result.changed).toBe(false);
    expect(result.output?.status).toBe(200);
    expect(result.output?.body).toEqual({ tickets: [{ id: 42 }] });
    expect(result.output?.headers).toMatchObject({ 'content-type': 'application/json', 'x-total-count': '1' });
    expect(registry.get('http.request')?.validateOutput?.(result.output)).toBe(true);
    expect(ctx.recorded).toEqual([]);
  });

  it('POSTs JSON, reports a change and records it', async () => {
    server.respond(reply(201, { id: 'note-1' }));
    const { ctx, result } = await run({}, { method: 'post', url: `${server.url}/api/tickets/42/notes`, json: { note: 'Offboarded', count: 5 }, headers: { Authorization: 'Bearer psa-token-1' } });
    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBe('Bearer psa-token-1');
    expect(JSON.parse(request?.body ?? '')).toEqual({ note: 'Offboarded', count: 5 });
    expect(result).toEqual({ changed: true, output: { status: 201, headers: expect.any(Object) as unknown, body: { id: 'note-1' } }, summary: `POST ${server.url}/api/tickets/42/notes → 201` });
    expect(ctx.recorded).toEqual([{ target: `POST ${server.url}/api/tickets/42/notes`, operation: 'request', after: { status: 201 }, result: 'changed' }]);
    expect(ctx.redactions).toContain('Bearer psa-token-1');
    expect(ctx.redactions).toContain('psa-token-1');
  });

  it('sends a mutating request with an Idempotency-Key that is the same on every attempt of the step, and its own for another step or body', async () => {
    const post = { method: 'POST', url: `${server.url}/api/tickets/42/notes`, json: { note: 'Offboarded' } };
    await run({ runId: 'run-1', stepId: 'note', attempt: 1 }, post);
    await run({ runId: 'run-1', stepId: 'note', attempt: 2 }, post);
    await run({ runId: 'run-1', stepId: 'other_note' }, post);
    await run({ runId: 'run-1', stepId: 'note' }, { ...post, json: { note: 'Reactivated' } });
    await run({ runId: 'run-1', stepId: 'note' }, { ...post, headers: { 'idempotency-key': 'mine-1' } });
    await run({ runId: 'run-1', stepId: 'note' }, { url: `${server.url}/api/tickets/42` });
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^idflow-[0-9a-f]{40}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(new Set(keys.slice(0, 4)).size).toBe(3);
    expect(keys.slice(4)).toEqual(['mine-1', undefined]);
  });

  it('sends a raw body with its own content type, and returns a text body as text', async () => {
    server.respond(reply(200, 'accepted'));
    const { result } = await run({}, { method: 'PUT', url: `${server.url}/raw`, body: 'a,b\n1,2', headers: { 'Content-Type': 'text/csv' } });
    expect(server.requests[0]).toMatchObject({ method: 'PUT', body: 'a,b\n1,2' });
    expect(server.requests[0]?.headers['content-type']).toBe('text/csv');
    expect(result.output?.body).toBe('accepted');
    expect(result.changed).toBe(true);
  });

  it('keeps the caller\'s content type for JSON', async () => {
    await run({}, { method: 'POST', url: `${server.url}/x`, json: [1], headers: { 'content-type': 'application/vnd.api+json' } });
    expect(server.requests[0]?.headers['content-type']).toBe('application/vnd.api+json');
  });

  it('returns null for an empty body and for HEAD', async () => {
    server.respond(reply(204));
    expect((await run({}, { method: 'DELETE', url: `${server.url}/x` })).result.output?.body).toBeNull();
    server.respond(reply(200, { big: true }));
    const head = await run({}, { method: 'HEAD', url: `${server.url}/x` });
    expect(head.result.output?.body).toBeNull();
    expect(head.result.changed).toBe(false);
  });

  it('honours mutating: false for a read-only POST (a search API)', async () => {
    server.respond(reply(200, { results: [] }));
    const { ctx, result } = await run({}, { method: 'POST', url: `${server.url}/search`, json: { q: 'x' }, mutating: false });
    expect(result.changed).toBe(false);
    expect(ctx.recorded).toEqual([]);
  });

  it('accepts the statuses listed in expect_status', async () => {
    server.respond(reply(404, { error: 'not found' }));
    const { result } = await run({}, { url: `${server.url}/users/gone`, expect_status: [200, 404] });
    expect(result.output).toMatchObject({ status: 404, body: { error: 'not found' } });
  });

  it('is permanent on an unexpected 4xx, naming the expectation, the status and the body', async () => {
    server.respond(reply(404, { error: 'no such ticket' }));
    const error = await failure({}, { url: `${server.url}/api/tickets/9?token=SECRET-Q`, expect_status: [200, '3xx'] });
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe(`GET ${server.url}/api/tickets/9 returned 404 Not Found (expected 200, 3xx): {"error":"no such ticket"}`);
    expect(error.details).toMatchObject({ status: 404 });
  });

  it('is transient on 503 and 429, with Retry-After as an HTTP date', async () => {
    server.respond(reply(503, 'maintenance'));
    expect(await failure({}, { url: `${server.url}/x` })).toBeInstanceOf(TransientError);
    const retryAt = new Date(Date.now() + 120_000).toUTCString();
    server.respond(reply(429, 'slow down', { 'retry-after': retryAt }));
    const error = (await failure({}, { url: `${server.url}/x` })) as TransientError;
    expect(error).toBeInstanceOf(TransientError);
    expect(error.retryAfterMs).toBeGreaterThan(100_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('fails clearly when a JSON content type carries something else, after recording a mutation', async () => {
    server.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('<html>oops</html>');
    });
    const ctx = createMockActionContext();
    const error = await Promise.resolve(httpRequestAction.run(ctx, validParams({ method: 'POST', url: `${server.url}/x`, json: {} }))).catch((e: unknown) => e as IdflowError);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as IdflowError).code).toBe('HTTP_INVALID_JSON');
    expect((error as IdflowError).message).toContain('<html>oops</html>');
    expect(ctx.recorded).toHaveLength(1);
  });

  it('sends URL credentials as basic auth and redacts the password', async () => {
    const url = new URL(server.url);
    const { ctx } = await run({}, { url: `http://admin:p%40ss@${url.host}/x` });
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('admin:p@ss').toString('base64')}`);
    expect(ctx.redactions).toContain('p@ss');
  });

  it('gives up after its timeout with a retryable TimeoutError', async () => {
    server.respond(() => 'hang');
    const error = await failure({}, { url: `${server.url}/slow`, timeout: 0.1 });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(`GET ${server.url}/slow got no complete response within 100ms`);
  });

  it('aborts the request in flight when the step signal aborts', async () => {
    server.respond(() => 'hang');
    const controller = new AbortController();
    void server.received(1).then(() => controller.abort(new Error('Shutting down')));
    const error = await failure({ signal: controller.signal }, { url: `${server.url}/slow` });
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.message).toBe(`GET ${server.url}/slow was cancelled (Shutting down)`);
  });

  it('reports a step timeout from the signal as a timeout', async () => {
    server.respond(() => 'hang');
    const controller = new AbortController();
    void server.received(1).then(() => controller.abort(new DOMException('Step "close" timed out after 5s', 'TimeoutError')));
    const error = await failure({ signal: controller.signal }, { url: `${server.url}/slow` });
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it('does not start when the signal is already aborted', async () => {
    const error = await failure({ signal: AbortSignal.abort(new Error('Ctrl-C')) }, { url: `${server.url}/x` });
    expect(error).toBeInstanceOf(CancelledError);
    expect(server.requests).toHaveLength(0);
  });

  it('is transient when nothing listens', async () => {
    const port = await closedPort();
    const error = await failure({}, { url: `http://127.0.0.1:${port}/x` });
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('plans a mutating request without sending it', async () => {
    const ctx = createMockActionContext({ dryRun: true });
    const plan = await httpRequestAction.plan?.(ctx, validParams({ method: 'DELETE', url: `${server.url}/users/1`, query: { hard: true } }));
    expect(server.requests).toHaveLength(0);
    expect(plan).toEqual({
      changes: [{ target: `DELETE ${server.url}/users/1`, operation: 'request', after: { method: 'DELETE', url: `${server.url}/users/1`, query: { hard: 'true' } }, note: `would send DELETE ${server.url}/users/1` }],
      summary: `would send DELETE ${server.url}/users/1`,
    });
    expect(ctx.recorded).toEqual([]);
  });

  it('in sandbox mode, refuses a mutating request to a host not on this machine (run and plan), sends one on this machine', async () => {
    // A name that cannot resolve: had the action tried to send, the error would be another one.
    const params = { method: 'POST', url: 'https://mdm.company.invalid/devices/lock?token=t0k', json: { owner_email: 'john.smith@company.com' } };
    const message = 'http.request: POST https://mdm.company.invalid/devices/lock was not sent (sandbox mode: mdm.company.invalid is not on this machine, so nothing is sent to it): a sandbox run changes nothing outside this machine. ' +
      'For a trial, point the URL at a server on this machine (e.g. through a variable), mark the step continue_on_error, or run without --sandbox';
    const error = await failure({ sandbox: true }, params);
    expect(error).toBeInstanceOf(PermanentError);
    expect([error.code, error.message]).toEqual(['SANDBOX_REQUEST_REFUSED', message]);
    await expect(httpRequestAction.plan?.(createMockActionContext({ sandbox: true, dryRun: true }), validParams(params))).rejects.toThrow(message);
    // On this machine (a local MDM stand-in) it is sent.
    const local = await run({ sandbox: true }, { ...params, url: `${server.url}/devices/lock` });
    expect(local.result.changed).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('performs a read-only request in a plan, so later steps can plan with its output', async () => {
    server.respond(reply(200, { id: 7 }));
    const plan = await httpRequestAction.plan?.(createMockActionContext({ dryRun: true }), validParams({ url: `${server.url}/users/7` }));
    expect(server.requests).toHaveLength(1);
    expect(plan?.changes).toEqual([]);
    expect(plan?.output).toMatchObject({ status: 200, body: { id: 7 } });
  });
});

describe('http.request parameters', () => {
  it.each([
    [{ url: 'not a url' }, /"url" is not a valid URL: "not a url"/],
    [{ url: 'file:///etc/passwd' }, /must be an http:\/\/ or https:\/\/ URL/],
    [{ method: 'POST', url: 'http://h.test/', json: {}, body: 'x' }, /either "json" or "body", not both/],
    [{ url: 'http://h.test/', json: { a: 1 } }, /a GET request cannot have a body/],
    [{ url: 'http://h.test/', timeout: '5 parsecs' }, /"timeout" must be a positive number of seconds or a duration/],
    [{ url: 'http://h.test/', timeout: 0 }, /"timeout" must be a positive/],
  ])('refuses bad input before sending (%#)', async (raw, pattern) => {
    const error = await failure({}, raw);
    expect(error.code).toBe('INVALID_PARAMS');
    expect(error.message).toMatch(pattern);
  });

  it('validates params through the registry', () => {
    expect(validate?.({ url: 'http://h.test/', method: 'FETCH' })).toBe(false);
    expect(validate?.({ url: 'http://h.test/', expect_status: ['2xx', 404] })).toBe(true);
    expect(validate?.({ url: 'http://h.test/', expect_status: ['ok'] })).toBe(false);
    expect(validate?.({ url: 'http://h.test/', expect_status: [] })).toBe(false);
    expect(validate?.({ url: 'http://h.test/', headers: { a: { b: 1 } } })).toBe(false);
    for (const example of httpRequestAction.examples ?? []) expect(validate?.(structuredClone(example.with))).toBe(true);
  });

  it('matches statuses by code and by class', () => {
    expect(statusMatches(204, ['2xx'])).toBe(true);
    expect(statusMatches(301, ['2xx'])).toBe(false);
    expect(statusMatches(404, [200, 404])).toBe(true);
    expect(statusMatches(500, [200, '4xx'])).toBe(false);
  });
});
