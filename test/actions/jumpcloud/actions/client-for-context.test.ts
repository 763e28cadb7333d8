import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../engine/errors/index.js';
import { createMockActionContext } from '../../../../engine/plugin-api/mock-context.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { openJumpCloud } from '../../../../actions/jumpcloud/actions/client-for-context.js';
import { userLookupAction } from '../../../../actions/jumpcloud/actions/user-lookup.js';
import { emulatorContext, loadExampleOrg, userId, runStep } from './support/emulator-context.js';

const ORG_ID = '5e00000000000000000000a1';
const OTHER_ORG = '5e00000000000000000000ff';
let emulator: RunningEmulator;
const savedEnv = { url: process.env['JUMPCLOUD_API_URL'], org: process.env['JUMPCLOUD_ORG_ID'] };

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), orgId: ORG_ID, seed: 'connection' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());
afterEach(() => {
  for (const [name, value] of [['JUMPCLOUD_API_URL', savedEnv.url], ['JUMPCLOUD_ORG_ID', savedEnv.org]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const lookupJohn = (ctx: ReturnType<typeof createMockActionContext>, orgId?: string) =>
  runStep(userLookupAction, ctx, { identifier: 'john.smith', refuse_protected: false, when_deleted: 'fail', connection: 'jumpcloud', ...(orgId === undefined ? {} : { org_id: orgId }) });

describe('openJumpCloud', () => {
  it('a sandbox connection never falls back to the environment for the key or the URL', async () => {
    process.env['JUMPCLOUD_API_URL'] = 'https://console.jumpcloud.com';
    const withoutKey = createMockActionContext({ connections: { jumpcloud: { base_url: emulator.url, sandbox: true } }, secrets: { JUMPCLOUD_API_KEY: 'a-real-key' } });
    const error = (() => {
      try {
        openJumpCloud(withoutKey, {}, { readOnly: true });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect((error as PermanentError).code).toBe('JUMPCLOUD_NO_API_KEY');
    expect(withoutKey.redactions.has('a-real-key')).toBe(false);
    // With its own key it goes to its own URL, not JUMPCLOUD_API_URL.
    const session = openJumpCloud(emulatorContext(emulator), {}, { readOnly: true });
    expect(session.client.baseUrl).toBe(emulator.url);
    expect(session.sandbox).toBe(true);
    // A --sandbox run treats its connections the same way.
    const sandboxRun = createMockActionContext({ sandbox: true, connections: { jumpcloud: { api_key: emulator.apiKey, sandbox: true } } });
    expect(() => openJumpCloud(sandboxRun, {}, { readOnly: true })).toThrow(/sandbox connection without a base_url/);
  });

  it('a --sandbox run refuses a real connection from the config (an MSP client organisation), plan included, and never reads its key', () => {
    const ctx = createMockActionContext({
      sandbox: true,
      connections: { jumpcloud: { base_url: emulator.url, api_key: emulator.apiKey, sandbox: true }, client_acme: { base_url: 'https://console.jumpcloud.com', api_key: 'acme-real-key', org_id: ORG_ID } },
    });
    for (const readOnly of [true, false]) {
      let error: unknown;
      try {
        openJumpCloud(ctx, { connection: 'client_acme' }, { readOnly });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).code).toBe('JUMPCLOUD_NOT_SANDBOX');
      expect((error as PermanentError).message).toBe('Connection "client_acme" is a real JumpCloud connection from the config, and this is a sandbox run, which never uses one. Leave out "connection" to use the sandbox\'s "jumpcloud" connection, or mark a connection to an emulator sandbox: true');
    }
    expect(ctx.redactions.has('acme-real-key')).toBe(false);
    // The sandbox's own connection is used.
    expect(openJumpCloud(ctx, {}, { readOnly: true }).client.baseUrl).toBe(emulator.url);
  });

  it('a real organisation uses JUMPCLOUD_API_KEY (as a secret, redacted) and JUMPCLOUD_API_URL when no connection is configured', async () => {
    process.env['JUMPCLOUD_API_URL'] = emulator.url;
    const ctx = createMockActionContext({ secrets: { JUMPCLOUD_API_KEY: emulator.apiKey } });
    expect((await lookupJohn(ctx, ORG_ID)).output?.user.id).toBe(userId(emulator, 'john.smith'));
    expect(ctx.redactions.has(emulator.apiKey)).toBe(true);
  });

  it('the step\'s org_id wins over the connection\'s and JUMPCLOUD_ORG_ID, except in a sandbox', async () => {
    process.env['JUMPCLOUD_ORG_ID'] = OTHER_ORG;
    const real = createMockActionContext({ connections: { jumpcloud: { base_url: emulator.url, api_key: emulator.apiKey, org_id: OTHER_ORG, retry_attempts: 1 } } });
    expect((await lookupJohn(real, ORG_ID)).output?.user.username).toBe('john.smith');
    const wrong = await lookupJohn(createMockActionContext({ connections: { jumpcloud: { base_url: emulator.url, api_key: emulator.apiKey, org_id: ORG_ID, retry_attempts: 1 } } }), OTHER_ORG).catch((e: unknown) => e);
    expect((wrong as PermanentError).code).toBe('JUMPCLOUD_UNKNOWN_ORG');
    expect((wrong as Error).message).toContain(OTHER_ORG);
    // The sandbox connection decides the organisation; the template's real org id is ignored.
    const sandbox = emulatorContext(emulator);
    expect((await lookupJohn(sandbox, OTHER_ORG)).output?.user.username).toBe('john.smith');
  });

  it('names a connection that is not configured', () => {
    const ctx = createMockActionContext({ connections: {} });
    expect(() => openJumpCloud(ctx, { connection: 'jc_prod' }, { readOnly: false })).toThrow('No connection "jc_prod" is configured: add connections.jc_prod');
  });

  it('rejects malformed settings without echoing them', () => {
    const base = { base_url: emulator.url, api_key: emulator.apiKey, sandbox: true };
    const open = (extra: Record<string, unknown>) => () => openJumpCloud(createMockActionContext({ connections: { jumpcloud: { ...base, ...extra } } }), {}, { readOnly: true });
    expect(open({ protected_accounts: [1, 2] })).toThrow('connections.jumpcloud.protected_accounts must be a list of user ids, usernames or emails');
    expect(open({ retry_attempts: 'many' })).toThrow('connections.jumpcloud.retry_attempts must be a number ≥ 0, got "many"');
    expect(open({ max_requests_per_second: 0 })).toThrow('connections.jumpcloud.max_requests_per_second must be above 0 (requests per second, e.g. 10 or 0.5); leave it out for no ceiling');
    expect(open({ max_requests_per_second: 'fast' })).toThrow('connections.jumpcloud.max_requests_per_second must be a number ≥ 0, got "fast"');
    expect(open({ backup_root: ['a'] })).toThrow('connections.jumpcloud.backup_root must be a string, got a list');
    const named = createMockActionContext({ connections: { jc_eu: { region: 'europe', api_key: 'k' } } });
    expect(() => openJumpCloud(named, { connection: 'jc_eu' }, { readOnly: true })).toThrow('connections.jc_eu.region "europe" is not a JumpCloud region');
  });

  it('gives plan() a read-only client: a change is refused before anything is sent, reads and searches pass', async () => {
    const { client } = openJumpCloud(emulatorContext(emulator, { dryRun: true }), {}, { readOnly: true });
    const john = userId(emulator, 'john.smith');
    const from = emulator.requests().length;
    const refused = await client.suspendUser(john).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as PermanentError).code).toBe('JUMPCLOUD_READ_ONLY');
    expect((refused as Error).message).toBe(`This JumpCloud client is read-only (a plan makes no change): refused PUT /api/systemusers/${john} (user ${john})`);
    await expect(client.removeUserFromGroup(john, john)).rejects.toMatchObject({ code: 'JUMPCLOUD_READ_ONLY' });
    await expect(client.deleteUser(john)).rejects.toMatchObject({ code: 'JUMPCLOUD_READ_ONLY' });
    expect(emulator.requests().length).toBe(from);
    expect(await client.findUsers({ email: 'JOHN.SMITH@company.com' })).toHaveLength(1);
    expect((await client.getUser(john)).state).toBe('ACTIVATED');
  });
});

describe('errors', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Forbidden' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a 403 says which organisation and credential to check, and never shows the key', async () => {
    const key = 'k-0123456789abcdef-secret';
    const ctx = createMockActionContext({ connections: { jumpcloud: { base_url: url, api_key: key, org_id: ORG_ID } } });
    const error = await lookupJohn(ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('JUMPCLOUD_FORBIDDEN');
    expect((error as Error).message).toContain(`organisation ${ORG_ID}`);
    expect((error as Error).message).toContain('jumpcloud_org_id');
    expect(JSON.stringify([(error as Error).message, (error as PermanentError).details, ctx.logs])).not.toContain(key);
  });
});
