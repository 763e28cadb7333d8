import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, validateSandboxData, type RunningEmulator, type SandboxData } from '../../../../../actions/jumpcloud/emulator/index.js';
import { ValidationError } from '../../../../../engine/errors/index.js';
import { apiFor, type Api } from '../support/api.js';

const DAY = 86_400_000;

const DATA: SandboxData = {
  users: [
    { username: 'kim', email: 'kim@example.com', createdDaysAgo: 400, logins: [{ daysAgo: 3, via: 'sso', application: 'Slack' }, { daysAgo: 100, via: 'system', system: 'kim-mbp' }] },
    { username: 'lou', email: 'lou@example.com', logins: [{ daysAgo: 10, via: 'ldap' }, { daysAgo: 11, via: 'radius', radiusServer: 'Wi-Fi' }, { daysAgo: 1, via: 'user_portal', success: false }] },
  ],
  systems: [
    { displayName: 'kim-mbp', osFamily: 'darwin', version: '14.1', createdDaysAgo: 30, lastContactDaysAgo: 5, fde: { active: false, keyPresent: false }, policyResults: [{ policy: 'FileVault', success: false, detail: 'off' }, { policy: 'Lock', success: true }] },
    { displayName: 'box', lastContact: '2024-01-02T03:04:05.000Z', created: '2023-01-01T00:00:00.000Z' },
  ],
  applications: [{ displayLabel: 'Slack' }],
  radiusServers: [{ name: 'Wi-Fi' }],
  policies: [{ name: 'FileVault', template: 'mac_disk_encryption', osFamily: 'darwin' }, { name: 'Lock' }],
};

describe('the org file: relative dates, devices, policies and login history', () => {
  let emulator: RunningEmulator;
  let api: Api;
  let startedAt: number;

  beforeAll(async () => {
    startedAt = Date.now();
    emulator = await startEmulator({ data: DATA, seed: 'history' });
    api = apiFor(emulator);
  });
  beforeEach(() => emulator.reset());
  afterAll(() => emulator.close());

  const daysAgo = (iso: unknown): number => Math.round((Date.now() - Date.parse(String(iso))) / DAY);

  it('dates users and systems relative to the start, and serves lastContact, fde and policyStats on v1 systems', async () => {
    const kim = emulator.state.user('kim');
    expect(daysAgo(kim?.created)).toBe(400);
    const systems = (await api('GET', '/api/systems', { headers: {} })).body as { results: Array<Record<string, unknown>> };
    const mbp = systems.results.find((s) => s['displayName'] === 'kim-mbp') as Record<string, unknown>;
    expect(daysAgo(mbp['created'])).toBe(30);
    expect(daysAgo(mbp['lastContact'])).toBe(5);
    expect(mbp['fde']).toEqual({ active: false, keyPresent: false });
    expect(mbp['policyStats']).toEqual({ total: 2, success: 1, failed: 1, pending: 0, duplicate: 0, unsupportedOs: 0 });
    expect(mbp).not.toHaveProperty('policyResults');
    expect(mbp).not.toHaveProperty('lastContactDaysAgo');
    const box = systems.results.find((s) => s['displayName'] === 'box') as Record<string, unknown>;
    expect(box['lastContact']).toBe('2024-01-02T03:04:05.000Z');
    expect(box['created']).toBe('2023-01-01T00:00:00.000Z');
  });

  it('filters v1 systems on lastContact and fde server-side', async () => {
    const cutoff = new Date(Date.now() - 2 * DAY).toISOString();
    const stale = (await api('GET', `/api/systems?filter=${encodeURIComponent(`lastContact:$lt:${cutoff}`)}`)).body as { results: Array<{ displayName: string }> };
    expect(stale.results.map((s) => s.displayName).sort()).toEqual(['box', 'kim-mbp']);
    const clear = (await api('GET', `/api/systems?filter=${encodeURIComponent('fde.active:$eq:false')}`)).body as { results: Array<{ displayName: string }> };
    expect(clear.results.map((s) => s.displayName)).toEqual(['kim-mbp']);
  });

  it('serves policies and each system\u2019s policy statuses (v2), 404 for an unknown system', async () => {
    const policies = (await api('GET', '/api/v2/policies')).body as Array<{ id: string; name: string; template?: { name?: string; osMetaFamily?: string } }>;
    expect(policies.map((p) => p.name)).toEqual(['FileVault', 'Lock']);
    expect(policies[0]?.template).toEqual({ name: 'mac_disk_encryption', osMetaFamily: 'darwin' });
    const fileVault = policies[0]?.id as string;
    expect((await api('GET', `/api/v2/policies/${fileVault}`)).body).toMatchObject({ id: fileVault, name: 'FileVault' });
    const mbp = emulator.state.snapshot().systems.find((s) => s.displayName === 'kim-mbp')?._id as string;
    const statuses = await api('GET', `/api/v2/systems/${mbp}/policystatuses?filter=success:eq:false`);
    expect(statuses.headers.get('x-total-count')).toBe('1');
    expect(statuses.body).toEqual([expect.objectContaining({ policyID: fileVault, systemID: mbp, state: 'failed', success: false, detail: 'off' })]);
    expect((await api('GET', '/api/v2/systems/0123456789abcdef01234567/policystatuses')).status).toBe(404);
  });

  it('answers Directory Insights with the login history, by service, without counting it as changes', async () => {
    expect(emulator.state.events()).toEqual([]);
    expect(emulator.state.snapshot().eventCount).toBe(0);
    const start = new Date(startedAt - 200 * DAY).toISOString();
    const read = async (service: string[]) => (await api('POST', '/insights/directory/v1/events', { body: { service, start_time: start } })).body as Array<Record<string, unknown>>;
    const all = await read(['all']);
    expect(all.map((e) => e['event_type'])).toEqual(['login_attempt', 'radius_auth', 'ldap_bind', 'sso_auth', 'user_login_attempt']);
    expect(all.map((e) => daysAgo(e['timestamp']))).toEqual([100, 11, 10, 3, 1]);
    const kim = emulator.state.user('kim')?._id as string;
    const lou = emulator.state.user('lou')?._id as string;
    const [device, radius, ldap, sso, portal] = all;
    expect(device).toMatchObject({ service: 'systems', success: true, username: 'kim', resource: { type: 'systemuser', id: kim, username: 'kim' }, system: { displayName: 'kim-mbp' } });
    expect(radius).toMatchObject({ service: 'radius', username: 'lou' });
    expect(ldap).toMatchObject({ service: 'ldap', username: 'lou', dn: expect.stringMatching(/^uid=lou,ou=Users,o=[0-9a-f]{24},dc=jumpcloud,dc=com$/) });
    expect(sso).toMatchObject({ service: 'sso', initiated_by: { type: 'systemuser', id: kim, username: 'kim' }, application: { display_label: 'Slack' } });
    expect(portal).toMatchObject({ service: 'directory', success: false, initiated_by: { type: 'user', id: lou, username: 'lou' } });
    expect((await read(['sso', 'radius'])).map((e) => e['event_type'])).toEqual(['radius_auth', 'sso_auth']);
    expect((await read(['directory'])).map((e) => e['event_type'])).toEqual(['user_login_attempt']);
  });

  it('keeps the history after a reset, and pages through it with search_after', async () => {
    const start = new Date(startedAt - 200 * DAY).toISOString();
    const first = await api('POST', '/insights/directory/v1/events', { body: { service: ['all'], start_time: start, limit: 2 } });
    expect((first.body as unknown[]).length).toBe(2);
    const after = JSON.parse(first.headers.get('x-search_after') as string) as unknown[];
    const rest = await api('POST', '/insights/directory/v1/events', { body: { service: ['all'], start_time: start, limit: 10, search_after: after } });
    expect((rest.body as Array<{ event_type: string }>).map((e) => e.event_type)).toEqual(['ldap_bind', 'sso_auth', 'user_login_attempt']);
  });
});

describe('the login history and policies in the state file', () => {
  it('survive a restart: the history answers queries again, once, and policy results are still served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-history-'));
    const stateFile = join(dir, 'state.json');
    try {
      const first = await startEmulator({ data: DATA, stateFile });
      // A change, so the state file is written with the history beside it.
      await apiFor(first)('PUT', `/api/systemusers/${first.state.user('kim')?._id as string}`, { body: { jobTitle: 'Lead' } });
      const before = first.state.snapshot();
      await first.close();
      const second = await startEmulator({ data: DATA, stateFile });
      try {
        const api = apiFor(second);
        const start = new Date(Date.now() - 200 * DAY).toISOString();
        const events = (await api('POST', '/insights/directory/v1/events', { body: { service: ['all'], start_time: start } })).body as Array<{ event_type: string }>;
        expect(events.map((e) => e.event_type)).toEqual(['login_attempt', 'radius_auth', 'ldap_bind', 'sso_auth', 'user_login_attempt', 'user_update']);
        expect(second.state.events().map((e) => e.event_type)).toEqual(['user_update']);
        const after = second.state.snapshot();
        expect(after.policies).toEqual(before.policies);
        expect(after.policyresults).toEqual(before.policyresults);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the org file checks of the new fields', () => {
  const problems = (data: unknown): string[] => {
    try {
      validateSandboxData(data);
      return [];
    } catch (error) {
      return (error as ValidationError).problems.map((p) => p.message);
    }
  };

  it('names logins that point at nothing, at the wrong kind of object, or lack what their channel needs', () => {
    expect(problems({
      users: [{ username: 'kim', email: 'kim@example.com', logins: [
        { daysAgo: 1, via: 'sso', application: 'Slak' },
        { daysAgo: 1, via: 'system' },
        { daysAgo: 1, via: 'radius', application: 'Slack' },
        { daysAgo: -1, via: 'user_portal' },
        { daysAgo: 1, via: 'telepathy' },
      ] }],
      applications: [{ displayLabel: 'Slack' }],
    })).toEqual([
      'users[0].logins[3].daysAgo: -1 is not a number of days from 0 to 3650',
      'users[0].logins[4].via: "telepathy" is not one of user_portal, sso, ldap, radius, system',
    ]);
    expect(problems({
      users: [{ username: 'kim', email: 'kim@example.com', logins: [
        { daysAgo: 1, via: 'sso', application: 'Slak' },
        { daysAgo: 1, via: 'system' },
        { daysAgo: 1, via: 'radius', application: 'Slack' },
      ] }],
      applications: [{ displayLabel: 'Slack' }],
    })).toEqual([
      'users[0].logins[0].application: no application named "Slak" in this file',
      'users[0].logins[1]: a "system" login needs "system" (the system it was to)',
      'users[0].logins[2].application: a "radius" login names no application; it takes "radiusServer"',
    ]);
  });

  it('refuses a fixed and a relative date for the same field, unknown policies, and bad fde', () => {
    expect(problems({
      users: [{ username: 'kim', email: 'kim@example.com', created: '2024-01-01T00:00:00Z', createdDaysAgo: 3 }],
      systems: [{ displayName: 'a', lastContact: '2024-01-01T00:00:00Z', lastContactDaysAgo: 2, policyResults: [{ policy: 'Nope', success: true }] }],
      policies: [{ name: 'Lock' }],
    })).toEqual([
      'users[0].createdDaysAgo: give either "created" (a date-time) or "createdDaysAgo" (days before the emulator starts), not both',
      'systems[0].lastContactDaysAgo: give either "lastContact" (a date-time) or "lastContactDaysAgo" (days before the emulator starts), not both',
      'systems[0].policyResults[0].policy: no policy named "Nope" in this file',
    ]);
    expect(problems({ systems: [{ displayName: 'a', fde: { on: true } }] })).toEqual([
      'systems[0].fde: missing required field "active"',
      'systems[0].fde: unknown field "on"; known fields: active, keyPresent',
    ]);
  });
});
