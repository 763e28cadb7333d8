import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SandboxData } from '../../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from '../support/api.js';

const DATA: SandboxData = {
  users: [
    { username: 'ann', email: 'ann@example.com' },
    { username: 'bob', email: 'bob@example.com' },
    { username: 'cat', email: 'cat@example.com', groups: ['Static'] },
  ],
  userGroups: [
    { name: 'Static', description: 'a static group', systems: ['web-1'], applications: ['Slack'] },
    { name: 'Dynamic', membershipMethod: 'DYNAMIC_AUTOMATED', memberQuery: { queryType: 'Filter', filters: ['department:eq:Sales'] }, members: ['bob'] },
    { name: 'Review', membershipMethod: 'DYNAMIC_REVIEW_REQUIRED', members: [] },
  ],
  systems: [{ displayName: 'web-1' }, { displayName: 'web-2' }],
  systemGroups: [{ name: 'Web', systems: ['web-2'] }],
  applications: [{ displayLabel: 'Slack' }],
  ldapServers: [{ name: 'LDAP' }],
  radiusServers: [{ name: 'Wi-Fi' }],
};

describe('v2 user groups', () => {
  let emulator: RunningEmulator;
  let api: Api;
  const user = (name: string): string => emulator.state.user(name)?._id as string;
  const group = (name: string): string => emulator.state.snapshot().usergroups.find((g) => g.name === name)?.id as string;

  beforeAll(async () => {
    emulator = await startEmulator({ data: DATA });
    api = apiFor(emulator);
  });
  beforeEach(() => emulator.reset());
  afterAll(() => emulator.close());

  it('lists groups as a bare array with x-total-count, filtering with the v2 syntax', async () => {
    const all = await api('GET', '/api/v2/usergroups');
    expect(all.headers.get('x-total-count')).toBe('3');
    expect(all.body.map((g: { name: string }) => g.name)).toEqual(['Static', 'Dynamic', 'Review']);
    const filtered = await api('GET', `/api/v2/usergroups?filter=${encodeURIComponent('name:eq:Dynamic')}`);
    expect(filtered.body.map((g: { name: string }) => g.name)).toEqual(['Dynamic']);
    expect(filtered.headers.get('x-total-count')).toBe('1');
    const methods = await api('GET', `/api/v2/usergroups?filter=${encodeURIComponent('membershipMethod:in:DYNAMIC_AUTOMATED|DYNAMIC_REVIEW_REQUIRED')}&sort=-name`);
    expect(methods.body.map((g: { name: string }) => g.name)).toEqual(['Review', 'Dynamic']);
    const search = await api('GET', `/api/v2/usergroups?filter=${encodeURIComponent('name:search:stat')}&fields=name`);
    expect(search.body).toEqual([{ id: group('Static'), name: 'Static' }]);
  });

  it('creates a group (201) and refuses a nameless or duplicate one', async () => {
    const created = await api('POST', '/api/v2/usergroups', { body: { name: 'Contractors', description: 'outside staff' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Contractors', type: 'user_group', membershipMethod: 'STATIC', organizationObjectId: emulator.orgId });
    const nameless = await api('POST', '/api/v2/usergroups', { body: { description: 'x' } });
    expect(nameless.status).toBe(400);
    expect(nameless.body.details[0].fieldViolationsList).toEqual([{ field: 'name', description: 'required string' }]);
    expect((await api('POST', '/api/v2/usergroups', { body: { name: 'static' } })).status).toBe(409);
    expect((await api('POST', '/api/v2/usergroups', { body: { name: 'x', membershipMethod: 'MAGIC' } })).status).toBe(400);
  });

  it('gets one group, 404 when unknown', async () => {
    expect((await api('GET', `/api/v2/usergroups/${group('Dynamic')}`)).body).toMatchObject({ name: 'Dynamic', membershipMethod: 'DYNAMIC_AUTOMATED' });
    expect((await api('GET', '/api/v2/usergroups/aaaaaaaaaaaaaaaaaaaaaaaa')).status).toBe(404);
  });

  describe('members', () => {
    it('adds (204, empty body), lists as GraphConnections, and refuses a second add with 409 "Already Exists"', async () => {
      const g = group('Static');
      const add = await api('POST', `/api/v2/usergroups/${g}/members`, { body: { op: 'add', type: 'user', id: user('ann') } });
      expect(add.status).toBe(204);
      expect(add.body).toBeUndefined();
      const members = await api('GET', `/api/v2/usergroups/${g}/members`);
      expect(members.body).toEqual([{ to: { id: user('cat'), type: 'user' } }, { to: { id: user('ann'), type: 'user' } }]);
      expect(members.headers.get('x-total-count')).toBe('2');
      const again = await api('POST', `/api/v2/usergroups/${g}/members`, { body: { op: 'add', type: 'user', id: user('ann') } });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain('Already Exists');
    });

    it('removes a member (204), and removing a non-member is also 204', async () => {
      const g = group('Static');
      expect((await api('POST', `/api/v2/usergroups/${g}/members`, { body: { op: 'remove', type: 'user', id: user('cat') } })).status).toBe(204);
      expect(emulator.state.members(g)).toEqual([]);
      expect((await api('POST', `/api/v2/usergroups/${g}/members`, { body: { op: 'remove', type: 'user', id: user('cat') } })).status).toBe(204);
      expect((await api('POST', `/api/v2/usergroups/${g}/members`, { body: { op: 'remove', type: 'user', id: 'dddddddddddddddddddddddd' } })).status).toBe(204);
    });

    it('refuses manual changes to dynamic groups with a 400 that says why', async () => {
      for (const name of ['Dynamic', 'Review']) {
        const reply = await api('POST', `/api/v2/usergroups/${group(name)}/members`, { body: { op: 'remove', type: 'user', id: user('bob') } });
        expect(reply.status).toBe(400);
        expect(reply.body.message).toContain('cannot be removed by hand');
      }
      expect(emulator.state.members(group('Dynamic'))).toEqual([user('bob')]);
    });

    it('answers 404 for an unknown group or when adding an unknown user', async () => {
      expect((await api('POST', '/api/v2/usergroups/aaaaaaaaaaaaaaaaaaaaaaaa/members', { body: { op: 'add', type: 'user', id: user('ann') } })).status).toBe(404);
      expect((await api('POST', `/api/v2/usergroups/${group('Static')}/members`, { body: { op: 'add', type: 'user', id: 'dddddddddddddddddddddddd' } })).status).toBe(404);
      expect((await api('GET', '/api/v2/usergroups/aaaaaaaaaaaaaaaaaaaaaaaa/members')).status).toBe(404);
    });

    it('checks the graph operation body and lists every problem', async () => {
      const reply = await api('POST', `/api/v2/usergroups/${group('Static')}/members`, { body: { op: 'delete', type: 'system', id: 'x' } });
      expect(reply.status).toBe(400);
      expect(reply.body.details[0].fieldViolationsList.map((v: { field: string }) => v.field)).toEqual(['op', 'type', 'id']);
    });

    it('pages members with limit and skip', async () => {
      const g = group('Static');
      await api('POST', `/api/v2/usergroups/${g}/members`, { body: { op: 'add', type: 'user', id: user('ann') } });
      await api('POST', `/api/v2/usergroups/${g}/members`, { body: { op: 'add', type: 'user', id: user('bob') } });
      const page = await api('GET', `/api/v2/usergroups/${g}/members?limit=1&skip=1`);
      expect(page.body).toEqual([{ to: { id: user('ann'), type: 'user' } }]);
      expect(page.headers.get('x-total-count')).toBe('3');
    });
  });

  describe('strictRemove', () => {
    it('answers 404 when removing an absent member or association', async () => {
      const strict = await startEmulator({ data: DATA, strictRemove: true });
      try {
        const strictApi = apiFor(strict);
        const groupId = strict.state.snapshot().usergroups.find((g) => g.name === 'Static')?.id as string;
        const ann = strict.state.user('ann')?._id as string;
        expect((await strictApi('POST', `/api/v2/usergroups/${groupId}/members`, { body: { op: 'remove', type: 'user', id: ann } })).status).toBe(404);
        const system = strict.state.snapshot().systems[0]?._id as string;
        expect((await strictApi('POST', `/api/v2/users/${ann}/associations`, { body: { op: 'remove', type: 'system', id: system } })).status).toBe(404);
      } finally {
        await strict.close();
      }
    });
  });

  describe('group associations', () => {
    it('lists, adds and removes a group\'s bindings so access can come through the group', async () => {
      const g = group('Static');
      const web2 = emulator.state.snapshot().systems.find((s) => s.displayName === 'web-2')?._id as string;
      const listed = await api('GET', `/api/v2/usergroups/${g}/associations?targets=system`);
      expect(listed.body.map((c: { to: { type: string } }) => c.to.type)).toEqual(['system']);
      expect((await api('POST', `/api/v2/usergroups/${g}/associations`, { body: { op: 'add', type: 'system', id: web2, attributes: { sudo: { enabled: true, withoutPassword: false } } } })).status).toBe(204);
      const after = await api('GET', `/api/v2/usergroups/${g}/associations?targets=system`);
      expect(after.body).toContainEqual({ attributes: { sudo: { enabled: true, withoutPassword: false } }, to: { id: web2, type: 'system' } });
      expect((await api('POST', `/api/v2/usergroups/${g}/associations`, { body: { op: 'add', type: 'system', id: web2 } })).status).toBe(409);
      expect((await api('POST', `/api/v2/usergroups/${g}/associations`, { body: { op: 'remove', type: 'system', id: web2 } })).status).toBe(204);
      const ldap = emulator.state.snapshot().ldapservers[0]?.id as string;
      expect((await api('POST', `/api/v2/usergroups/${g}/associations`, { body: { op: 'add', type: 'ldap_server', id: ldap } })).status).toBe(204);
      expect((await api('GET', `/api/v2/usergroups/${g}/associations?targets=ldap_server`)).body).toEqual([{ to: { id: ldap, type: 'ldap_server' } }]);
    });

    it('needs targets, and an existing target to add', async () => {
      const g = group('Static');
      expect((await api('GET', `/api/v2/usergroups/${g}/associations`)).status).toBe(400);
      expect((await api('GET', `/api/v2/usergroups/${g}/associations?targets=printer`)).status).toBe(400);
      expect((await api('POST', `/api/v2/usergroups/${g}/associations`, { body: { op: 'add', type: 'system', id: 'eeeeeeeeeeeeeeeeeeeeeeee' } })).status).toBe(404);
    });
  });
});
