import { readdir, readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyError, createMockActionContext, type ActionDefinition, type MockActionContext } from '../../engine/index.js';
import { ActionRegistry } from '../../engine/registry/action-registry.js';
import { loadPlugins } from '../../engine/plugins/load-plugins.js';

const TOKEN = 'psa-token-5f2a9c';

interface Note {
  id: number;
  text: string;
  internal: boolean;
}

/**
 * A small PSA ticket API on loopback: tickets with notes, bearer-token auth, and failures to
 * order (the next responses can be set to a status with headers).
 */
class PsaServer {
  readonly tickets = new Map<number, { id: number; summary: string; status: string; notes: Note[] }>();
  readonly requests: Array<{ method: string; path: string; authorization: string | undefined }> = [];
  readonly failures: Array<{ status: number; headers?: Record<string, string>; body?: string }> = [];
  private server: Server | undefined;
  private nextNoteId = 100;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((error) => (error ? reject(error) : resolve())));
  }

  reset(): void {
    this.tickets.clear();
    this.tickets.set(4711, { id: 4711, summary: 'Offboard John Smith', status: 'open', notes: [{ id: 1, text: 'Requested by HR', internal: true }] });
    this.requests.length = 0;
    this.failures.length = 0;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').replace(/^\/api/, '');
    this.requests.push({ method: request.method ?? '', path, authorization: request.headers.authorization });
    const body = await new Promise<string>((resolve) => {
      let text = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
    });
    const send = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(data === undefined ? '' : JSON.stringify(data));
    };
    const failure = this.failures.shift();
    if (failure) return void response.writeHead(failure.status, failure.headers ?? {}).end(failure.body ?? '');
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: 'invalid token' });
    const match = /^\/tickets\/(\d+)(\/notes)?$/.exec(path);
    const ticket = match ? this.tickets.get(Number(match[1])) : undefined;
    if (!match || !ticket) return send(404, { error: 'no such ticket' });
    if (!match[2] && request.method === 'GET') return send(200, { id: ticket.id, summary: ticket.summary, status: ticket.status });
    if (match[2] && request.method === 'GET') return send(200, ticket.notes);
    if (match[2] && request.method === 'POST') {
      const { text, internal } = JSON.parse(body) as { text: string; internal: boolean };
      const note = { id: this.nextNoteId++, text, internal };
      ticket.notes.push(note);
      return send(201, note);
    }
    return send(405, { error: 'method not allowed' });
  }
}

const psa = new PsaServer();
let action: ActionDefinition;
let validateParams: (data: unknown) => boolean;

beforeAll(async () => {
  await psa.start();
  // Loaded through the plugin loader, as `--plugin examples/plugins/psa-ticket-note.mjs` would.
  const registry = new ActionRegistry();
  const file = fileURLToPath(new URL('./psa-ticket-note.mjs', import.meta.url));
  expect(await loadPlugins(registry, [{ origin: 'cli', spec: file, baseDir: '/' }])).toEqual([]);
  const registered = registry.get('example.psa.ticket_note') as NonNullable<ReturnType<typeof registry.get>>;
  action = registered.definition;
  validateParams = (data) => registered.validateParams(data);
});
afterAll(() => psa.stop());
beforeEach(() => psa.reset());

function context(options: { dryRun?: boolean } = {}): MockActionContext {
  return createMockActionContext({ connections: { psa: { base_url: psa.url, token: TOKEN } }, ...options });
}

const params = { ticket_id: 4711, text: 'Offboarded john.smith@company.com: account suspended.', internal: true, connection: 'psa' };

async function failure(promise: Promise<unknown> | unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to fail');
}

describe('example.psa.ticket_note', () => {
  it('its params schema fills the defaults and takes the ticket as a number or a string of digits', () => {
    const given: Record<string, unknown> = { ticket_id: '4711', text: 'Offboarded' };
    expect(validateParams(given)).toBe(true);
    expect(given).toEqual({ ticket_id: '4711', text: 'Offboarded', internal: true, connection: 'psa' });
    expect(validateParams({ ticket_id: 'INC-1', text: 'x' })).toBe(false);
    expect(validateParams({ ticket_id: 0, text: 'x' })).toBe(false);
    expect(validateParams({ ticket_id: 1, text: 'x', token: 'no secrets in params' })).toBe(false);
  });

  it('adds the note once, with a marker; a second run changes nothing', async () => {
    const ctx = context();
    const first = await action.run(ctx, params);
    expect(first.changed).toBe(true);
    expect(first.output).toMatchObject({ ticket_id: 4711, note_id: 100, added: true });
    const notes = psa.tickets.get(4711)?.notes ?? [];
    expect(notes).toHaveLength(2);
    expect(notes[1]?.text).toBe(`${params.text}\n\n${(first.output as { marker: string }).marker}`);
    expect(ctx.recorded).toEqual([{ target: 'ticket #4711 "Offboard John Smith"', operation: 'note', after: notes[1]?.text, result: 'changed' }]);

    const second = await action.run(context(), params);
    expect(second).toMatchObject({ changed: false, output: { note_id: 100, added: false }, summary: 'ticket #4711 already noted' });
    expect(psa.tickets.get(4711)?.notes).toHaveLength(2);
  });

  it('a caller-given key makes the note unique regardless of its text', async () => {
    await action.run(context(), { ...params, key: 'offboarding-john' });
    const again = await action.run(context(), { ...params, text: 'Different wording, same offboarding', key: 'offboarding-john' });
    expect(again.changed).toBe(false);
    expect(psa.tickets.get(4711)?.notes.map((note) => note.text.split('\n').at(-1))).toEqual(['Requested by HR', '[idflow:offboarding-john]']);
  });

  it('accepts the ticket number as a string (as a template renders it)', async () => {
    expect((await action.run(context(), { ...params, ticket_id: '4711' })).output).toMatchObject({ ticket_id: 4711, added: true });
  });

  it('sends the token as a bearer token and registers it for redaction', async () => {
    const ctx = context();
    await action.run(ctx, params);
    expect(new Set(psa.requests.map((r) => r.authorization))).toEqual(new Set([`Bearer ${TOKEN}`]));
    expect(ctx.redactions.has(TOKEN)).toBe(true);
    expect(JSON.stringify(ctx.logs)).not.toContain(TOKEN);
  });

  it('plan() reads only, and says which note would be added', async () => {
    const plan = await action.plan?.(context({ dryRun: true }), params);
    expect(plan?.changes).toEqual([{ target: 'ticket #4711 "Offboard John Smith"', operation: 'note', after: expect.stringContaining(params.text), note: 'would add an internal note' }]);
    expect(plan?.summary).toBe('would add a note');
    expect(psa.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(psa.tickets.get(4711)?.notes).toHaveLength(1);
  });

  it('plan() after the note was added says it is already there', async () => {
    await action.run(context(), params);
    const plan = await action.plan?.(context({ dryRun: true }), params);
    expect(plan?.changes).toEqual([{ target: 'ticket #4711 "Offboard John Smith"', operation: 'note', result: 'unchanged', note: expect.stringMatching(/^already has the note \[idflow:[0-9a-f]{16}\]$/) }]);
  });

  it('in sandbox mode, writes the note to the outbox rather than touch a PSA not on this machine (run, plan, verify)', async () => {
    // A name that cannot resolve: had the action tried the PSA, the step would have failed.
    const ctx = createMockActionContext({ sandbox: true, runId: 'run-9', stepId: 'note', connections: { psa: { base_url: 'https://psa.company.invalid/api', token: TOKEN } } });
    expect(await action.verify?.(ctx, params, undefined)).toMatchObject({ ok: false });
    const plan = await action.plan?.(ctx, params);
    expect(plan?.changes[0]?.note).toMatch(/^would write the note to the outbox .* \(sandbox mode: the PSA at psa\.company\.invalid is not on this machine, so nothing is sent to it\)$/);
    const outcome = await action.run(ctx, params);
    expect(outcome).toMatchObject({ changed: true, output: { ticket_id: 4711, note_id: null, added: false }, summary: expect.stringMatching(/^written to the outbox: .*-run-9-note\.psa-note\.json$/) });
    const [file] = await readdir(ctx.paths.outbox);
    expect(JSON.parse(await readFile(join(ctx.paths.outbox, file ?? ''), 'utf8'))).toEqual({ ticket_id: 4711, text: `${params.text}\n\n${(outcome.output as { marker: string }).marker}`, internal: true });
    expect(await action.verify?.(ctx, params, outcome.output)).toEqual({ ok: true });
    expect(psa.requests).toEqual([]);
    // A PSA on this machine (an emulator, this test's server) is used in sandbox mode too.
    expect((await action.run(createMockActionContext({ sandbox: true, connections: { psa: { base_url: psa.url, token: TOKEN } } }), params)).output).toMatchObject({ added: true });
  });

  it('verify() checks that the note is there', async () => {
    const before = await action.verify?.(context(), params, undefined);
    expect(before).toEqual({ ok: false, problems: [expect.stringMatching(/^ticket #4711 has no note \[idflow:/)] });
    const { output } = await action.run(context(), params);
    expect(await action.verify?.(context(), params, output)).toEqual({ ok: true });
  });

  describe('errors say whether a retry can help', () => {
    it('401 (bad token) is permanent', async () => {
      const ctx = createMockActionContext({ connections: { psa: { base_url: psa.url, token: 'wrong' } } });
      const error = classifyError(await failure(action.run(ctx, params)));
      expect(error.retryable).toBe(false);
      expect(error.message).toBe('PSA GET /tickets/4711 failed: 401 Unauthorized ({"error":"invalid token"}); check the token of the PSA connection');
    });

    it('404 (no such ticket) is permanent', async () => {
      const error = classifyError(await failure(action.run(context(), { ...params, ticket_id: 999 })));
      expect([error.retryable, error.message]).toEqual([false, 'PSA GET /tickets/999 failed: 404 Not Found ({"error":"no such ticket"})']);
    });

    it('429 is transient and carries Retry-After', async () => {
      psa.failures.push({ status: 429, headers: { 'retry-after': '3' } });
      const error = classifyError(await failure(action.run(context(), params)));
      expect(error.retryable).toBe(true);
      expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(3000);
    });

    it('5xx is transient, and the retry after it adds the note once', async () => {
      // The PSA is down for the first request: nothing was added, and the next attempt adds the note.
      psa.failures.push({ status: 503, body: 'maintenance' });
      const error = classifyError(await failure(action.run(context(), params)));
      expect([error.retryable, error.message]).toEqual([true, 'PSA GET /tickets/4711 failed: 503 Service Unavailable (maintenance)']);
      expect((await action.run(context(), params)).changed).toBe(true);
      expect(psa.tickets.get(4711)?.notes).toHaveLength(2);
    });

    it('a PSA that cannot be reached is transient', async () => {
      const ctx = createMockActionContext({ connections: { psa: { base_url: 'http://127.0.0.1:9/api', token: TOKEN } } });
      expect(classifyError(await failure(action.run(ctx, params))).retryable).toBe(true);
    });

    it('a base_url that is not a URL is permanent and names the setting', async () => {
      const ctx = createMockActionContext({ connections: { psa: { base_url: 'psa.company.com/api', token: TOKEN } } });
      const error = classifyError(await failure(action.run(ctx, params)));
      expect([error.retryable, error.message]).toEqual([false, 'connections.psa.base_url "psa.company.com/api" is not a URL; e.g. https://psa.example.com/api']);
    });

    it('a missing connection is permanent and says what to configure', async () => {
      const error = classifyError(await failure(action.run(createMockActionContext(), params)));
      expect([error.retryable, error.message]).toEqual([
        false,
        'Connection "psa" needs a base_url and a token: add connections.psa to idflow.config.yaml, e.g. { base_url: https://psa.example.com/api, token: { env: PSA_TOKEN } }',
      ]);
    });
  });
});
