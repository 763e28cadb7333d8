import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SandboxData } from '../../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from '../support/api.js';

const DATA: SandboxData = {
  users: [{ username: 'ann', email: 'ann@example.com', systems: ['web-1'] }],
  systems: [
    { displayName: 'web-1', os: 'Ubuntu', osFamily: 'linux' },
    { displayName: 'web-2', os: 'Ubuntu', osFamily: 'linux' },
    { displayName: 'ws-1', os: 'Windows', osFamily: 'windows' },
    { displayName: 'mac-1', os: 'Mac OS X', osFamily: 'darwin' },
  ],
  systemGroups: [{ name: 'Web', systems: ['web-2'] }, { name: 'Quarantine' }],
};

describe('v2 system group members, a system\'s groups, and v1 built-in commands', () => {
  let emulator: RunningEmulator;
  let api: Api;
  const system = (name: string): string => emulator.state.snapshot().systems.find((s) => s.displayName === name)?._id as string;
  const group = (name: string): string => emulator.state.snapshot().systemgroups.find((g) => g.name === name)?.id as string;

  beforeAll(async () => {
    emulator = await startEmulator({ data: DATA });
    api = apiFor(emulator);
  });
  beforeEach(() => emulator.reset(DATA));
  afterAll(() => emulator.close());

  it('adds a system to a group (204), lists it among the members and in the system\'s memberof, and records association_change', async () => {
    const web1 = system('web-1');
    const quarantine = group('Quarantine');
    expect((await api('POST', `/api/v2/systemgroups/${quarantine}/members`, { body: { op: 'add', type: 'system', id: web1 } })).status).toBe(204);
    expect((await api('GET', `/api/v2/systemgroups/${quarantine}/members`)).body).toEqual([{ to: { id: web1, type: 'system' } }]);
    const memberOf = await api('GET', `/api/v2/systems/${web1}/memberof`);
    expect(memberOf.body).toEqual([{ id: quarantine, type: 'system_group', compiledAttributes: {}, paths: [[{ to: { id: quarantine, type: 'system_group' } }]] }]);
    expect(memberOf.headers.get('x-total-count')).toBe('1');
    expect(emulator.state.systemGroupsOf(web1)).toEqual([quarantine]);
    expect(emulator.state.events()).toEqual([
      expect.objectContaining({
        event_type: 'association_change',
        resource: { type: 'system_group', id: quarantine, name: 'Quarantine' },
        association: { op: 'add', connection: { from: { type: 'system_group', object_id: quarantine, name: 'Quarantine' }, to: { type: 'system', object_id: web1, name: 'web-1' } } },
      }),
    ]);
  });

  it('answers 409 Already Exists to adding a member twice, and 204 with no event to removing a non-member', async () => {
    const web2 = system('web-2');
    const web = group('Web');
    const again = await api('POST', `/api/v2/systemgroups/${web}/members`, { body: { op: 'add', type: 'system', id: web2 } });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already exists/i);
    expect((await api('POST', `/api/v2/systemgroups/${group('Quarantine')}/members`, { body: { op: 'remove', type: 'system', id: web2 } })).status).toBe(204);
    expect(emulator.state.events()).toEqual([]);
    expect((await api('POST', `/api/v2/systemgroups/${web}/members`, { body: { op: 'remove', type: 'system', id: web2 } })).status).toBe(204);
    expect(emulator.state.systemGroupsOf(web2)).toEqual([]);
    expect(emulator.state.events().map((e) => e.association?.op)).toEqual(['remove']);
  });

  it('refuses members of the wrong type, unknown systems and groups, and changes to a dynamic group', async () => {
    const web = group('Web');
    const wrongType = await api('POST', `/api/v2/systemgroups/${web}/members`, { body: { op: 'add', type: 'user', id: system('web-1') } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain('type required, one of system');
    expect((await api('POST', `/api/v2/systemgroups/${web}/members`, { body: { op: 'add', type: 'system', id: '0123456789abcdef01234567' } })).status).toBe(404);
    expect((await api('POST', '/api/v2/systemgroups/0123456789abcdef01234567/members', { body: { op: 'add', type: 'system', id: system('web-1') } })).status).toBe(404);
    expect((await api('GET', '/api/v2/systems/0123456789abcdef01234567/memberof')).status).toBe(404);
    const seeded = await api('POST', '/__sandbox/seed', { body: { systemgroups: [{ name: 'All Linux', membershipMethod: 'DYNAMIC_AUTOMATED' }] } });
    const dynamic = await api('POST', `/api/v2/systemgroups/${seeded.body.systemgroups[0].id}/members`, { body: { op: 'add', type: 'system', id: system('web-1') } });
    expect(dynamic.status).toBe(400);
    expect(dynamic.body.message).toContain('cannot be added by hand');
  });

  it('accepts a built-in command with 201 and no body, and shows it on the admin route; an unknown system is 404, a Mac is 400', async () => {
    const ws = system('ws-1');
    const sent = await api('POST', `/api/systems/${ws}/command/builtin/lock`, { body: {} });
    expect(sent.status).toBe(201);
    expect(sent.body).toBeUndefined();
    expect((await api('POST', `/api/systems/${system('web-1')}/command/builtin/restart`)).status).toBe(201);
    const commands = await api('GET', '/__sandbox/commands');
    expect(commands.body).toEqual([
      { id: expect.stringMatching(/^[0-9a-f]{24}$/), systemId: ws, command: 'lock', at: expect.any(String) },
      { id: expect.stringMatching(/^[0-9a-f]{24}$/), systemId: system('web-1'), command: 'restart', at: expect.any(String) },
    ]);
    expect(emulator.state.commands()).toEqual(commands.body);
    expect((await api('POST', '/api/systems/0123456789abcdef01234567/command/builtin/erase')).status).toBe(404);
    const mac = await api('POST', `/api/systems/${system('mac-1')}/command/builtin/erase`);
    expect(mac.status).toBe(400);
    expect(mac.body.message).toContain('only supported on Linux and Windows devices');
    expect((await api('POST', `/api/systems/${ws}/command/builtin/reboot`)).status).toBe(404);
    expect(emulator.state.commands()).toHaveLength(2);
    emulator.reset(DATA);
    expect(emulator.state.commands()).toEqual([]);
  });
});
