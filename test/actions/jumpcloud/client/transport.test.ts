import { getEventListeners } from 'node:events';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, ConflictError, IdflowError, NotFoundError, PermanentError, TimeoutError, TransientError } from '../../../../engine/errors/index.js';
import { backoffDelay, createTransport, sendsOrgId, type Transport } from '../../../../actions/jumpcloud/client/transport.js';
import type { JumpCloudClientOptions } from '../../../../actions/jumpcloud/client/options.js';
import { recordingLogger, sendJson, startLoopbackServer, type Handler, type LoopbackServer } from './support/loopback-server.js';
import { failure } from './support/failure.js';

const KEY = 'jc-test-key-7d1f0c9a51e4b8';
const ORG = '5e0000000000000000000001';

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Handler): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  return server;
}

/** A handler that answers the n-th request (0-based) with `answers[n]`, repeating the last one. */
function inTurn(...answers: Handler[]): Handler {
  let n = 0;
  return (request, response) => {
    const answer = answers[Math.min(n, answers.length - 1)];
    n++;
    return answer?.(request, response);
  };
}

const ok: Handler = (_request, response) => sendJson(response, 200, { ok: true });
const status = (code: number, body: unknown = { message: `status ${code}` }, headers: Record<string, string> = {}): Handler => (_request, response) => sendJson(response, code, body, headers);

function transportFor(server: LoopbackServer, options: Partial<JumpCloudClientOptions> = {}): Transport {
  return createTransport({ baseUrl: server.url, apiKey: KEY, retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 5 }, ...options });
}

describe('headers', () => {
  it('sends the key, the organisation, JSON content type and accept, and the body as JSON', async () => {
    const server = await serve(ok);
    const transport = transportFor(server, { orgId: ORG, userAgent: 'idflow-test' });
    await transport.request({ method: 'PUT', path: '/api/systemusers/5f0000000000000000000001', body: { suspended: true } });
    const [request] = server.requests;
    expect(request?.headers).toMatchObject({
      'x-api-key': KEY,
      'x-org-id': ORG,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'idflow-test',
    });
    expect(request?.method).toBe('PUT');
    expect(request?.body).toEqual({ suspended: true });
  });

  it('omits x-org-id on the routes that reject it, and sends it everywhere else', async () => {
    const server = await serve(ok);
    const transport = transportFor(server, { orgId: ORG });
    const paths = ['/api/organizations', '/api/organizations/abc', '/api/v2/providers/p1/organizations', '/api/v2/organizations/o1/policies', '/api/v2/users/u1/memberof', '/api/systemusers', '/insights/directory/v1/events'];
    for (const path of paths) await transport.request({ method: 'GET', path });
    expect(server.requests.map((r) => [r.path, r.headers['x-org-id'] ?? null])).toEqual([
      ['/api/organizations', null],
      ['/api/organizations/abc', null],
      ['/api/v2/providers/p1/organizations', null],
      ['/api/v2/organizations/o1/policies', null],
      ['/api/v2/users/u1/memberof', ORG],
      ['/api/systemusers', ORG],
      ['/insights/directory/v1/events', ORG],
    ]);
    expect(sendsOrgId('/api/organizationsettings')).toBe(true);
  });

  it('sends no x-org-id for a single-tenant admin', async () => {
    const server = await serve(ok);
    await transportFor(server).request({ method: 'GET', path: '/api/systemusers' });
    expect(server.requests[0]?.headers).not.toHaveProperty('x-org-id');
  });

  it('builds the query with repeated keys for arrays', async () => {
    const server = await serve(ok);
    await transportFor(server).request({ method: 'GET', path: '/api/systemusers', query: { filter: ['firstname:$eq:A', 'lastname:$eq:B'], limit: 2, skip: undefined } });
    expect(server.requests[0]?.query.getAll('filter')).toEqual(['firstname:$eq:A', 'lastname:$eq:B']);
    expect(server.requests[0]?.query.get('limit')).toBe('2');
    expect(server.requests[0]?.query.has('skip')).toBe(false);
  });
});

describe('base URL', () => {
  it('refuses plain HTTP to anything but loopback, so the key never travels in the clear', () => {
    expect(() => createTransport({ baseUrl: 'http://console.jumpcloud.com', apiKey: KEY })).toThrow(PermanentError);
    expect(() => createTransport({ baseUrl: 'http://console.jumpcloud.com', apiKey: KEY })).toThrow('must use https://');
    expect(() => createTransport({ baseUrl: 'http://localhost:4010', apiKey: KEY })).not.toThrow();
    expect(() => createTransport({ baseUrl: 'not a url', apiKey: KEY })).toThrow('is not an absolute URL');
  });

  it('rejects an empty key and a key with a line break, without quoting it', () => {
    expect(() => createTransport({ baseUrl: 'https://console.jumpcloud.com', apiKey: ' ' })).toThrow('The JumpCloud API key is empty');
    const error = (() => {
      try {
        createTransport({ baseUrl: 'https://console.jumpcloud.com', apiKey: `${KEY}\n` });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain('line break or control character');
    expect(error?.message).not.toContain(KEY);
  });

  it('rejects bad retry and concurrency options by name', () => {
    expect(() => createTransport({ baseUrl: 'https://a.example', apiKey: KEY, retry: { attempts: 0 } })).toThrow('retry.attempts must be an integer of at least 1, got 0');
    expect(() => createTransport({ baseUrl: 'https://a.example', apiKey: KEY, retry: { minDelayMs: 10, maxDelayMs: 5 } })).toThrow('retry.maxDelayMs must be at least retry.minDelayMs (10)');
    expect(() => createTransport({ baseUrl: 'https://a.example', apiKey: KEY, maxConcurrency: 0 })).toThrow('maxConcurrency must be an integer of at least 1');
  });

  it('does not follow redirects (they would carry the key elsewhere)', async () => {
    const server = await serve(status(302, undefined, { location: 'https://elsewhere.example/api/systemusers' }));
    const error = await failure(transportFor(server).request({ method: 'GET', path: '/api/systemusers' }));
    expect(error).toMatchObject({ code: 'JUMPCLOUD_REDIRECT', retryable: false });
    expect(server.requests).toHaveLength(1);
  });
});

describe('retries', () => {
  it('waits out Retry-After given in seconds, then succeeds', async () => {
    let limitedAt = 0;
    const server = await serve(
      inTurn((_r, response) => {
        limitedAt = performance.timeOrigin + performance.now();
        sendJson(response, 429, { message: 'Too Many Requests' }, { 'retry-after': '1' });
      }, ok),
    );
    const response = await transportFor(server).request({ method: 'GET', path: '/api/systemusers' });
    expect(response.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at - limitedAt).toBeGreaterThanOrEqual(990);
  });

  it('waits out Retry-After given as an HTTP-date', async () => {
    let retryAt = 0;
    const server = await serve(
      inTurn((_r, response) => {
        const date = new Date(Date.now() + 2000);
        retryAt = Math.floor(date.getTime() / 1000) * 1000; // the header has whole seconds
        sendJson(response, 503, { message: 'Service Unavailable' }, { 'retry-after': date.toUTCString() });
      }, ok),
    );
    await transportFor(server).request({ method: 'GET', path: '/api/v2/users/u1/memberof' });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.at).toBeGreaterThanOrEqual(retryAt - 20);
  });

  it('retries 5xx and succeeds, logging each retry', async () => {
    const logger = recordingLogger();
    const server = await serve(inTurn(status(500), status(502), ok));
    const response = await transportFor(server, { logger }).request<{ ok: boolean }>({ method: 'GET', path: '/api/systemusers/x' });
    expect(response.data).toEqual({ ok: true });
    expect(response.attempts).toBe(3);
    expect(logger.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/^JumpCloud GET \/api\/systemusers\/x failed \(attempt 1 of 3\); retrying in \d+ ms$/),
      expect.stringMatching(/^JumpCloud GET \/api\/systemusers\/x failed \(attempt 2 of 3\); retrying in \d+ ms$/),
    ]);
  });

  it('gives up after the configured attempts with the last TransientError', async () => {
    const server = await serve(status(503, { message: 'Service Unavailable' }));
    const error = await failure(transportFor(server).request({ method: 'GET', path: '/api/systemusers' }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toBe('JumpCloud had a server error (503 Service Unavailable) on GET /api/systemusers; JumpCloud said: "Service Unavailable"');
    expect(server.requests).toHaveLength(3);
  });

  it('retries a dropped connection', async () => {
    const server = await serve(inTurn(() => 'drop', ok));
    const response = await transportFor(server).request({ method: 'GET', path: '/api/systemusers' });
    expect(response.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it('reports a connection that keeps dropping as transient', async () => {
    const server = await serve(() => 'drop');
    const error = await failure(transportFor(server).request({ method: 'GET', path: '/api/systemusers' }));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toMatch(/^Could not complete GET \/api\/systemusers with JumpCloud at http:\/\/127\.0\.0\.1:\d+: /);
    expect(server.requests).toHaveLength(3);
  });

  it('retries an attempt that timed out', async () => {
    const server = await serve(inTurn(() => 'hang', ok));
    const response = await transportFor(server, { timeoutMs: 200 }).request({ method: 'GET', path: '/api/systemusers' });
    expect(response.attempts).toBe(2);
  });

  it.each([400, 401, 403, 404, 409, 422])('does not retry %i', async (code) => {
    const server = await serve(status(code));
    const error = await failure(transportFor(server).request({ method: 'GET', path: '/api/systemusers/x' }));
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('maps 404 and 409 to NotFoundError and ConflictError', async () => {
    const server = await serve(inTurn(status(404), status(409, { message: 'Already Exists' })));
    const transport = transportFor(server);
    expect(await failure(transport.request({ method: 'GET', path: '/api/systemusers/x', what: 'user x' }))).toBeInstanceOf(NotFoundError);
    expect(await failure(transport.request({ method: 'POST', path: '/api/v2/usergroups/g/members', idempotent: true }))).toBeInstanceOf(ConflictError);
  });

  it('never retries a creating POST, but does retry an idempotent one', async () => {
    const server = await serve(status(503));
    const transport = transportFor(server);
    expect(await failure(transport.request({ method: 'POST', path: '/api/systemusers', body: { username: 'a' } }))).toBeInstanceOf(TransientError);
    expect(server.requests).toHaveLength(1);
    await failure(transport.request({ method: 'POST', path: '/api/v2/usergroups/g/members', body: { op: 'remove' }, idempotent: true }));
    expect(server.requests).toHaveLength(4);
  });

  it('surfaces a Retry-After longer than it will wait at once, with retryAfterMs for the engine', async () => {
    const server = await serve(status(429, { message: 'Too Many Requests' }, { 'retry-after': '120' }));
    const error = await failure(transportFor(server).request({ method: 'GET', path: '/api/systemusers' }));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(120_000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('abort', () => {
  it('stops a request in flight when the call signal aborts', async () => {
    const server = await serve(() => 'hang');
    const controller = new AbortController();
    const pending = failure(transportFor(server).request({ method: 'GET', path: '/api/systemusers', signal: controller.signal }));
    await server.received(1);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.message).toBe('JumpCloud request GET /api/systemusers was cancelled');
    await expect.poll(() => server.clientsGone).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it('stops waiting for a retry when the signal aborts', async () => {
    const server = await serve(status(429, { message: 'Too Many Requests' }, { 'retry-after': '50' }));
    const controller = new AbortController();
    const pending = failure(transportFor(server).request({ method: 'GET', path: '/api/systemusers', signal: controller.signal }));
    await server.received(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    expect(await pending).toBeInstanceOf(CancelledError);
    expect(server.requests).toHaveLength(1);
  });

  it("honours the client's default signal, and turns a step timeout into a TimeoutError", async () => {
    const server = await serve(() => 'hang');
    const clientController = new AbortController();
    const transport = transportFor(server, { signal: clientController.signal });
    const pending = failure(transport.request({ method: 'GET', path: '/api/systemusers' }));
    await server.received(1);
    clientController.abort(new DOMException('step time limit', 'TimeoutError'));
    expect(await pending).toBeInstanceOf(TimeoutError);
    await expect(transport.request({ method: 'GET', path: '/api/systemusers' })).rejects.toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(1);
  });

  it('leaves no listener on a long-lived signal once requests are over', async () => {
    const server = await serve(inTurn(status(500), ok));
    const runSignal = new AbortController().signal;
    const transport = transportFor(server, { signal: runSignal });
    const callController = new AbortController();
    for (let i = 0; i < 10; i++) await transport.request({ method: 'GET', path: '/api/systemusers', signal: callController.signal });
    expect(getEventListeners(runSignal, 'abort')).toHaveLength(0);
    expect(getEventListeners(callController.signal, 'abort')).toHaveLength(0);
  });
});

describe('logging', () => {
  it('logs every request at debug level with method, path, status, duration and attempt — never the key', async () => {
    const logger = recordingLogger();
    const server = await serve(inTurn(status(500), ok));
    await transportFor(server, { logger, orgId: ORG }).request({ method: 'GET', path: '/api/systemusers', query: { limit: 1 } });
    const debug = logger.lines.filter((l) => l.level === 'debug');
    expect(debug.map((l) => l.meta)).toEqual([
      { method: 'GET', path: '/api/systemusers?limit=1', status: 500, ms: expect.any(Number), attempt: 1 },
      { method: 'GET', path: '/api/systemusers?limit=1', status: 200, ms: expect.any(Number), attempt: 2 },
    ]);
    expect(logger.text()).not.toContain(KEY);
  });
});

describe('the API key', () => {
  it('appears in no error message, cause chain, serialised error or log line, even when the server echoes it', async () => {
    const logger = recordingLogger();
    const echo = `invalid key ${KEY}`;
    const scenarios: Handler[] = [
      status(401, { message: echo }),
      status(403, { message: echo }),
      status(400, { message: echo, details: [{ fieldViolationsList: [{ field: 'x-api-key', description: KEY }] }] }),
      status(404, { message: echo }),
      status(409, { message: echo }),
      status(500, echo),
      status(429, { message: echo }, { 'retry-after': '0' }),
      () => 'drop',
      () => 'hang',
      (_r, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`{"broken": "${KEY}`);
      },
    ];
    let which = 0;
    const server = await serve((request, response) => scenarios[which]!(request, response));
    const transport = transportFor(server, { logger, orgId: ORG, timeoutMs: 150 });
    const errors: unknown[] = [];
    for (which = 0; which < scenarios.length; which++) {
      errors.push(await failure(transport.request({ method: 'GET', path: '/api/systemusers' })));
    }
    const controller = new AbortController();
    which = scenarios.length - 2; // hang, then abort
    const aborted = failure(transport.request({ method: 'GET', path: '/api/systemusers', signal: controller.signal }));
    await server.received(server.requests.length + 1);
    controller.abort();
    errors.push(await aborted);

    expect(errors.every((e) => e instanceof IdflowError)).toBe(true);
    for (const error of errors) {
      const text = [String(error), (error as Error).message, JSON.stringify((error as IdflowError).toJSON()), inspect(error, { depth: null }), causeChain(error)].join('\n');
      expect(text).not.toContain(KEY);
    }
    expect(logger.text()).not.toContain(KEY);
    expect(logger.lines.length).toBeGreaterThan(10);
    // The server did receive it, of course: it travels only in the header.
    expect(server.requests.every((r) => r.headers['x-api-key'] === KEY && !r.target.includes(KEY))).toBe(true);
  });
});

describe('concurrency cap', () => {
  /**
   * Holds every answer until `width` requests wait together (or a second passes), so that the
   * cap is reached however slowly a loaded machine delivers them; a full batch is answered a
   * moment later, so that requests beyond the cap, if the client let any through, arrive first.
   */
  function inBatchesOf(width: number): Handler {
    let waiting: Array<() => void> = [];
    const releaseAll = (): void => {
      for (const release of waiting.splice(0)) release();
    };
    return (_request, response) =>
      new Promise<void>((resolve) => {
        const answer = (): void => {
          clearTimeout(timer);
          if (!response.headersSent) sendJson(response, 200, []);
          resolve();
        };
        const timer = setTimeout(() => {
          waiting = waiting.filter((other) => other !== answer);
          answer();
        }, 1000);
        waiting.push(answer);
        if (waiting.length === width) setTimeout(releaseAll, 20);
      });
  }

  it('never has more than 5 requests in flight per organisation, across client instances', async () => {
    const server = await serve(inBatchesOf(5));
    const clients = [transportFor(server, { orgId: ORG }), transportFor(server, { orgId: ORG }), transportFor(server, { orgId: ORG })];
    await Promise.all(Array.from({ length: 30 }, (_, i) => clients[i % 3]!.request({ method: 'GET', path: `/api/systemusers/${i}` })));
    expect(server.requests).toHaveLength(30);
    expect(server.maxInFlight).toBe(5);
  });

  it('takes an adjusted limit, and keeps organisations apart', async () => {
    const server = await serve(inBatchesOf(2));
    const orgA = transportFor(server, { orgId: 'org-a', maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 12 }, () => orgA.request({ method: 'GET', path: '/api/systemusers' })));
    expect(server.maxInFlight).toBe(2);
    const both = await serve(inBatchesOf(4));
    const bothA = transportFor(both, { orgId: 'org-a', maxConcurrency: 2 });
    const bothB = transportFor(both, { orgId: 'org-b', maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? bothA : bothB).request({ method: 'GET', path: '/api/systemusers' })));
    expect(both.maxInFlight).toBe(4);
  });
});

describe('responses', () => {
  it('returns parsed JSON, plain text and empty bodies', async () => {
    const server = await serve(
      inTurn(
        (_r, response) => sendJson(response, 200, { a: 1 }),
        (_r, response) => {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end('OK');
        },
        (_r, response) => {
          response.writeHead(204);
          response.end();
        },
      ),
    );
    const transport = transportFor(server);
    expect((await transport.request({ method: 'GET', path: '/a' })).data).toEqual({ a: 1 });
    expect((await transport.request({ method: 'POST', path: '/b', idempotent: true })).data).toBe('OK');
    const empty = await transport.request({ method: 'POST', path: '/c', idempotent: true });
    expect(empty.status).toBe(204);
    expect(empty.data).toBeUndefined();
  });

  it('rejects a JSON response that does not parse', async () => {
    const server = await serve((_r, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"results": [');
    });
    const error = await failure(transportFor(server).request({ method: 'GET', path: '/api/systemusers' }));
    expect(error).toMatchObject({ code: 'JUMPCLOUD_BAD_RESPONSE' });
    expect(error.message).toContain('GET /api/systemusers with a body that is not valid JSON');
  });
});

function causeChain(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    parts.push(inspect(current, { depth: null }));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('backoffDelay', () => {
  const retry = { attempts: 5, minDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 60_000 };

  it('doubles from minDelayMs up to maxDelayMs, with half of it random', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(retry, n, undefined, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(retry, n, undefined, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  });

  it('never waits less than Retry-After', () => {
    expect(backoffDelay(retry, 1, 5000, () => 0.5)).toBe(5000);
    expect(backoffDelay(retry, 4, 10, () => 0)).toBe(400);
  });
});
