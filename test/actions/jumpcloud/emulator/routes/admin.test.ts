import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type OrgSnapshot, type RequestLogEntry, type RunningEmulator, type SandboxData } from '../../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from '../support/api.js';

const DATA: SandboxData = { users: [{ username: 'one', email: 'one@example.com' }] };

describe('admin endpoints (/__sandbox)', () => {
  let emulator: RunningEmulator;
  let api: Api;
  beforeAll(async () => {
    emulator = await startEmulator({ data: DATA });
    api = apiFor(emulator);
  });
  beforeEach(() => emulator.reset(DATA));
  afterAll(() => emulator.close());

  it('need the API key', async () => {
    for (const [method, path] of [['GET', '/__sandbox/state'], ['GET', '/__sandbox/requests'], ['POST', '/__sandbox/seed'], ['POST', '/__sandbox/systems'], ['POST', '/__sandbox/reset'], ['PATCH', '/__sandbox/faults']] as const) {
      expect((await api(method, path, { anonymous: true })).status, path).toBe(401);
    }
  });

  it('POST /__sandbox/seed adds objects the API cannot create, in the API shapes, and returns them with ids', async () => {
    const reply = await api('POST', '/__sandbox/seed', {
      body: {
        systems: [{ displayName: 'srv-1', os: 'Ubuntu' }, { _id: '0123456789abcdef01234567', displayName: 'srv-2', hostname: 'srv-2.internal' }],
        applications: [{ name: 'okta', displayLabel: 'Okta' }],
        ldapservers: [{ name: 'Corp LDAP' }],
        radiusservers: [{ name: 'Guest Wi-Fi', networkSourceIp: '198.51.100.1' }],
        systemgroups: [{ name: 'Servers', members: ['0123456789abcdef01234567'] }],
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.systems).toEqual([
      expect.objectContaining({ _id: expect.stringMatching(/^[0-9a-f]{24}$/), displayName: 'srv-1', os: 'Ubuntu', hostname: 'srv-1', organization: emulator.orgId }),
      expect.objectContaining({ _id: '0123456789abcdef01234567', hostname: 'srv-2.internal' }),
    ]);
    expect(reply.body.applications[0]).toMatchObject({ name: 'okta', displayLabel: 'Okta', ssoUrl: 'https://sso.jumpcloud.com/saml2/okta' });
    expect(reply.body.ldapservers[0]).toMatchObject({ name: 'Corp LDAP', id: expect.stringMatching(/^[0-9a-f]{24}$/) });
    expect(reply.body.radiusservers[0]).toMatchObject({ name: 'Guest Wi-Fi', _id: expect.stringMatching(/^[0-9a-f]{24}$/) });
    expect(reply.body.systemgroups[0]).toMatchObject({ name: 'Servers', type: 'system_group' });
    expect((await api('GET', `/api/systems/${reply.body.systems[0]._id}`)).body.displayName).toBe('srv-1');
    expect((await api('GET', `/api/v2/ldapservers/${reply.body.ldapservers[0].id}`)).body.name).toBe('Corp LDAP');
    const snapshot = (await api('GET', '/__sandbox/state')).body as OrgSnapshot;
    expect(snapshot.systemgroups.find((g) => g.name === 'Servers')?.members).toEqual(['0123456789abcdef01234567']);
    expect(emulator.state.events()).toEqual([]);
  });

  it('POST /__sandbox/systems enrols a device as the agent does: a JcSystem the API serves, and a system_create event', async () => {
    const reply = await api('POST', '/__sandbox/systems', {
      body: { hostname: 'ann-mbp.local', displayName: 'ANN-MBP', os: 'Mac OS X', osFamily: 'darwin', version: '14.4.1', fde: { active: false, keyPresent: false }, invented: 'ignored' },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      _id: expect.stringMatching(/^[0-9a-f]{24}$/), hostname: 'ann-mbp.local', displayName: 'ANN-MBP', os: 'Mac OS X', osFamily: 'darwin', version: '14.4.1',
      fde: { active: false, keyPresent: false }, active: true, organization: emulator.orgId, created: expect.any(String), lastContact: expect.any(String),
    });
    expect(reply.body).not.toHaveProperty('invented');
    // Served by the API in the documented shape (the test client checks it against the contract).
    expect((await api('GET', `/api/systems/${reply.body._id}`)).body).toEqual(reply.body);
    expect(emulator.state.events()).toEqual([
      expect.objectContaining({
        event_type: 'system_create', service: 'directory', organization: emulator.orgId,
        resource: { type: 'system', id: reply.body._id, displayName: 'ANN-MBP', hostname: 'ann-mbp.local', os: 'Mac OS X', version: '14.4.1' },
      }),
    ]);
    // Not an API request: the request log is for what clients call.
    expect(emulator.requests().map((r) => r.path)).toEqual([`/api/systems/${reply.body._id}`]);

    const bare = await api('POST', '/__sandbox/systems', { body: { _id: '0123456789abcdef0123abcd', hostname: 'kiosk-7' } });
    expect(bare.body).toMatchObject({ _id: '0123456789abcdef0123abcd', hostname: 'kiosk-7', displayName: 'kiosk-7', os: 'Unknown' });
    expect(emulator.state.events().at(-1)?.resource).toEqual({ type: 'system', id: '0123456789abcdef0123abcd', displayName: 'kiosk-7', hostname: 'kiosk-7', os: 'Unknown' });
  });

  it('POST /__sandbox/systems names every problem, refuses a taken id, and changes nothing then', async () => {
    const bad = await api('POST', '/__sandbox/systems', { body: { displayName: '', version: 14, fde: { active: 'no' }, lastContact: 'yesterday', _id: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('version must be a string');
    expect(bad.body.details[0].fieldViolationsList.map((v: { field: string }) => v.field).sort()).toEqual(['_id', 'displayName', 'fde.active', 'hostname', 'lastContact', 'version']);
    expect((await api('POST', '/__sandbox/systems', { body: [] })).status).toBe(400);
    const first = await api('POST', '/__sandbox/systems', { body: { hostname: 'a' } });
    const taken = await api('POST', '/__sandbox/systems', { body: { _id: first.body._id, hostname: 'b' } });
    expect(taken.status).toBe(409);
    expect(emulator.state.snapshot().systems.map((s) => s.hostname)).toEqual(['a']);
    expect(emulator.state.events()).toHaveLength(1);
  });

  it('seeds users and groups in bulk, all or nothing', async () => {
    const ok = await api('POST', '/__sandbox/seed', { body: { users: [{ username: 'two', email: 'two@example.com' }, { username: 'three', email: 'three@example.com' }] } });
    expect(ok.body.users.map((u: { username: string }) => u.username)).toEqual(['two', 'three']);
    const group = await api('POST', '/__sandbox/seed', { body: { usergroups: [{ name: 'Seeded', members: [ok.body.users[0]._id] }] } });
    expect(emulator.state.members(group.body.usergroups[0].id)).toEqual([ok.body.users[0]._id]);
    const bad = await api('POST', '/__sandbox/seed', { body: { systems: [{ displayName: 'fine' }], users: [{ username: 'ONE', email: 'x@example.com' }, { username: 'four' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].fieldViolationsList.map((v: { field: string }) => v.field)).toEqual(['users[1]', 'users[0]']);
    expect(emulator.state.snapshot().systems).toEqual([]);
  });

  it('refuses unknown lists, malformed or taken ids and unknown member ids', async () => {
    expect((await api('POST', '/__sandbox/seed', { body: { printers: [] } })).body.message).toContain('unknown seed list(s) printers');
    expect((await api('POST', '/__sandbox/seed', { body: { systems: [{ _id: 'xyz', displayName: 'a' }] } })).status).toBe(400);
    const taken = emulator.state.user('one')?._id as string;
    expect((await api('POST', '/__sandbox/seed', { body: { systems: [{ _id: taken, displayName: 'a' }] } })).status).toBe(409);
    expect((await api('POST', '/__sandbox/seed', { body: { systemgroups: [{ name: 'g', members: ['ffffffffffffffffffffffff'] }] } })).status).toBe(400);
    expect((await api('POST', '/__sandbox/seed', { body: { systems: [{ os: 'no name' }] } })).body.details[0].fieldViolationsList).toEqual([{ field: 'systems[0].displayName', description: 'required string' }]);
  });

  it('GET /__sandbox/state returns the whole organisation', async () => {
    const reply = await api('GET', '/__sandbox/state');
    expect(reply.body.organization.id).toBe(emulator.orgId);
    expect(reply.body.users.map((u: { username: string }) => u.username)).toEqual(['one']);
    expect(reply.body.eventCount).toBe(0);
  });

  it('GET /__sandbox/requests lists API requests (method, path, query, status, ms, at) but not admin calls', async () => {
    await api('GET', '/api/systemusers?limit=5');
    await api('GET', '/api/systemusers/aaaaaaaaaaaaaaaaaaaaaaaa');
    const log = (await api('GET', '/__sandbox/requests')).body as RequestLogEntry[];
    expect(log.map((e) => [e.method, e.path, e.query, e.status])).toEqual([
      ['GET', '/api/systemusers', 'limit=5', 200],
      ['GET', '/api/systemusers/aaaaaaaaaaaaaaaaaaaaaaaa', '', 404],
    ]);
    expect(log[0]?.ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(log[0]?.at as string)).not.toBeNaN();
    expect(emulator.requests()).toEqual(log);
  });

  it('POST /__sandbox/reset restores the starting data, or loads the org data sent', async () => {
    await api('POST', '/api/systemusers', { body: { username: 'temp', email: 'temp@example.com' } });
    const reset = await api('POST', '/__sandbox/reset');
    expect(reset.body).toMatchObject({ users: 1 });
    expect(emulator.state.user('temp')).toBeUndefined();
    expect(emulator.requests()).toEqual([]);
    const other = await api('POST', '/__sandbox/reset', { body: { users: [{ username: 'x', email: 'x@example.com' }, { username: 'y', email: 'y@example.com' }] } });
    expect(other.body).toMatchObject({ users: 2 });
    const invalid = await api('POST', '/__sandbox/reset', { body: { users: [{ username: 'x' }] } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('missing required field "email"');
    expect(emulator.state.users().map((u) => u.username)).toEqual(['x', 'y']);
  });

  it('PATCH /__sandbox/faults changes the fault settings and checks them', async () => {
    const reply = await api('PATCH', '/__sandbox/faults', { body: { latencyMs: 5, failRate: 0.5 } });
    expect(reply.body).toEqual({ latencyMs: 5, failRate: 0.5, rateLimit: 0, dropRate: 0 });
    expect(emulator.faults()).toEqual(reply.body);
    expect((await api('GET', '/__sandbox/faults')).body).toEqual(reply.body);
    expect((await api('PATCH', '/__sandbox/faults', { body: { failRate: 2 } })).body.message).toContain('failRate must be between 0 and 1');
    expect((await api('PATCH', '/__sandbox/faults', { body: { jitter: 1 } })).body.message).toContain('unknown fault setting(s) jitter');
    expect((await api('PATCH', '/__sandbox/faults', { body: { dropRate: '0.1' } })).status).toBe(400);
    emulator.setFaults({ latencyMs: 0, failRate: 0 });
  });
});
