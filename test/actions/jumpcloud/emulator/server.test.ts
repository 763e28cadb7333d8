import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from './support/api.js';

const ORG_ID = '5e0000000000000000000001';

describe('emulator server: authentication', () => {
  let emulator: RunningEmulator;
  let api: Api;
  beforeAll(async () => {
    emulator = await startEmulator({ apiKey: 'test-key-123' });
    api = apiFor(emulator);
  });
  afterAll(() => emulator.close());

  it('listens on loopback and reports its url and key', () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.apiKey).toBe('test-key-123');
    expect(emulator.multiTenant).toBe(false);
    expect(emulator.orgId).toMatch(/^[0-9a-f]{24}$/);
  });

  it('answers 401 {"message":"Unauthorized"} without an x-api-key', async () => {
    const reply = await api('GET', '/api/systemusers', { anonymous: true });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ message: 'Unauthorized' });
  });

  it('answers 401 for a wrong key, on v1, v2, Directory Insights and admin paths alike', async () => {
    for (const [method, path] of [['GET', '/api/systemusers'], ['GET', '/api/v2/usergroups'], ['POST', '/insights/directory/v1/events'], ['GET', '/__sandbox/state']] as const) {
      const reply = await api(method, path, { headers: { 'x-api-key': 'wrong' } });
      expect(reply.status, `${method} ${path}`).toBe(401);
      expect(reply.body).toEqual({ message: 'Unauthorized' });
    }
  });

  it('generates a 40-hex key when none is given', async () => {
    const other = await startEmulator();
    try {
      expect(other.apiKey).toMatch(/^[0-9a-f]{40}$/);
    } finally {
      await other.close();
    }
  });

  it('accepts its own organisation id in x-org-id but does not require it (single tenant)', async () => {
    expect((await api('GET', '/api/systemusers', { headers: { 'x-org-id': emulator.orgId } })).status).toBe(200);
    expect((await api('GET', '/api/systemusers')).status).toBe(200);
  });

  it('rejects a malformed x-org-id with 400 and another organisation with 404', async () => {
    const malformed = await api('GET', '/api/systemusers', { headers: { 'x-org-id': 'not-an-id' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ message: 'Malformed ID.', code: 400 });
    const other = await api('GET', '/api/systemusers', { headers: { 'x-org-id': 'ffffffffffffffffffffffff' } });
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ message: 'Organization ID Not Found.', code: 404, status: 'NOT_FOUND' });
  });
});

describe('emulator server: multi-tenant admin (orgId option)', () => {
  let emulator: RunningEmulator;
  let api: Api;
  beforeAll(async () => {
    emulator = await startEmulator({ orgId: ORG_ID });
    api = apiFor(emulator);
  });
  afterAll(() => emulator.close());

  it('requires x-org-id: 401 without it, 200 with the right one', async () => {
    expect(emulator.multiTenant).toBe(true);
    expect(emulator.orgId).toBe(ORG_ID);
    const missing = await api('GET', '/api/systemusers');
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ message: 'ID not included for multi-tenant admin.', code: 401 });
    expect((await api('GET', '/api/systemusers', { headers: { 'x-org-id': ORG_ID } })).status).toBe(200);
  });

  it('stamps the organisation on created records', async () => {
    const reply = await api('POST', '/api/systemusers', { headers: { 'x-org-id': ORG_ID }, body: { username: 'mt.user', email: 'mt.user@example.com' } });
    expect(reply.status).toBe(200);
    expect(reply.body.organization).toBe(ORG_ID);
  });

  it('accepts several x-org-id values when one is the organisation (Directory Insights MSP form)', async () => {
    const reply = await api('POST', '/insights/directory/v1/events', {
      headers: { 'x-org-id': `ffffffffffffffffffffffff, ${ORG_ID}` },
      body: { service: ['all'], start_time: '2020-01-01T00:00:00Z' },
    });
    expect(reply.status).toBe(200);
  });

  it('does not require x-org-id on admin endpoints', async () => {
    expect((await api('GET', '/__sandbox/state')).status).toBe(200);
  });

  it('refuses an orgId that is not an ObjectId', async () => {
    await expect(startEmulator({ orgId: 'acme' })).rejects.toThrow(/orgId must be a 24-character/);
  });
});

describe('emulator server: routing and request bodies', () => {
  let emulator: RunningEmulator;
  let api: Api;
  beforeAll(async () => {
    emulator = await startEmulator();
    api = apiFor(emulator);
  });
  afterAll(() => emulator.close());

  it('answers 404 with an Error body for unknown paths', async () => {
    const reply = await api('GET', '/api/nothing-here');
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ message: 'Not Found: no endpoint GET /api/nothing-here', code: 404, status: 'NOT_FOUND' });
  });

  it('answers 405 with Allow for a known path and a wrong method', async () => {
    const reply = await api('PATCH', '/api/systemusers');
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('GET, POST');
    expect(reply.body).toMatchObject({ code: 405, status: 'METHOD_NOT_ALLOWED' });
  });

  it('answers 400 for a body that is not JSON, saying so', async () => {
    const reply = await api('POST', '/api/systemusers', { rawBody: '{"username": "x",' });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toMatch(/^Bad Request: the request body is not valid JSON/);
  });

  it('answers 400 for a malformed ObjectId in the path (not 404: it cannot name anything)', async () => {
    const reply = await api('GET', '/api/systemusers/not-an-id');
    expect(reply.status).toBe(400);
    expect(reply.body.message).toContain('"not-an-id" is not a valid ObjectId');
    expect(reply.body.details[0].fieldViolationsList).toEqual([{ field: 'id', description: 'must be a 24-character hexadecimal ObjectId' }]);
  });

  it('answers 413 for bodies over 1 MB and keeps serving', async () => {
    const reply = await api('POST', '/api/systemusers', { rawBody: JSON.stringify({ username: 'x'.repeat(1024 * 1024 + 10), email: 'a@b.c' }) });
    expect(reply.status).toBe(413);
    expect((await api('GET', '/api/systemusers')).status).toBe(200);
  });

  it('sends JSON with content-length and empty bodies with none', async () => {
    const list = await api('GET', '/api/systemusers');
    expect(list.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const user = await api('POST', '/api/systemusers', { body: { username: 'empty.body', email: 'empty.body@example.com' } });
    const expire = await api('POST', `/api/systemusers/${user.body._id}/expire`);
    expect(expire.status).toBe(200);
    expect(expire.body).toBeUndefined();
    expect(expire.headers.get('content-length')).toBe('0');
  });

  it('closes every connection on close(), including idle keep-alive ones', async () => {
    const other = await startEmulator();
    const { port } = new URL(other.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await other.close();
    await closed;
    await expect(fetch(`${other.url}/api/systemusers`)).rejects.toThrow();
  });
});
