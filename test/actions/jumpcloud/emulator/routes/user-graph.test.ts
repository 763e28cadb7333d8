import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SandboxData } from '../../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from '../support/api.js';

const DATA: SandboxData = {
  users: [
    {
      username: 'dana', email: 'dana@example.com', groups: ['Ops'],
      systems: ['laptop', { name: 'db', sudo: { enabled: true, withoutPassword: false } }], systemGroups: ['Web'],
      applications: ['Slack'], ldapServers: ['LDAP'], radiusServers: ['Wi-Fi'],
      mfa: { totp: true, pushEndpoints: [{ name: 'phone' }, { name: 'tablet' }] },
    },
    { username: 'eve', email: 'eve@example.com', groups: ['Ops'] },
    { username: 'fay', email: 'fay@example.com' },
  ],
  userGroups: [{ name: 'Ops', systems: ['db'], systemGroups: ['Web'], applications: ['Slack', 'Grafana'], radiusServers: ['VPN'] }],
  systems: [{ displayName: 'laptop' }, { displayName: 'db' }, { displayName: 'web-1' }, { displayName: 'web-2' }],
  systemGroups: [{ name: 'Web', systems: ['web-1', 'web-2'] }],
  applications: [{ displayLabel: 'Slack' }, { displayLabel: 'Grafana' }],
  ldapServers: [{ name: 'LDAP' }],
  radiusServers: [{ name: 'Wi-Fi' }, { name: 'VPN' }],
};

type Hop = { to: { id: string; type: string }; attributes?: unknown };
type Reached = { id: string; type: string; paths: Hop[][]; compiledAttributes: Record<string, unknown> };

describe('v2 user graph', () => {
  let emulator: RunningEmulator;
  let api: Api;
  const id = (kind: 'user' | 'system' | 'systemgroup' | 'app' | 'group' | 'ldap' | 'radius', name: string): string => {
    const s = emulator.state.snapshot();
    switch (kind) {
      case 'user': return s.users.find((u) => u.username === name)?._id as string;
      case 'system': return s.systems.find((x) => x.displayName === name)?._id as string;
      case 'systemgroup': return s.systemgroups.find((x) => x.name === name)?.id as string;
      case 'app': return s.applications.find((x) => x.displayLabel === name)?._id as string;
      case 'group': return s.usergroups.find((x) => x.name === name)?.id as string;
      case 'ldap': return s.ldapservers.find((x) => x.name === name)?.id as string;
      case 'radius': return s.radiusservers.find((x) => x.name === name)?._id as string;
    }
  };

  beforeAll(async () => {
    emulator = await startEmulator({ data: DATA });
    api = apiFor(emulator);
  });
  beforeEach(() => emulator.reset());
  afterAll(() => emulator.close());

  it('sort=_id orders v2 lists by the MongoDB id they show as id (to.id for connections)', async () => {
    const dana = id('user', 'dana');
    const ascending = (await api('GET', `/api/v2/users/${dana}/associations?targets=system&sort=_id`)).body.map((c: Hop) => c.to.id);
    expect(ascending).toHaveLength(2);
    expect(ascending).toEqual([...ascending].sort());
    const descending = (await api('GET', `/api/v2/users/${dana}/associations?targets=system&sort=-_id`)).body.map((c: Hop) => c.to.id);
    expect(descending).toEqual([...ascending].reverse());
    const reached = (await api('GET', `/api/v2/users/${dana}/systems?sort=-_id`)).body.map((r: Reached) => r.id);
    expect(reached).toHaveLength(4);
    expect(reached).toEqual([...reached].sort().reverse());
  });

  it('memberof lists the user groups with one-edge paths and filters on type/object_id', async () => {
    const dana = id('user', 'dana');
    const reply = await api('GET', `/api/v2/users/${dana}/memberof`);
    expect(reply.headers.get('x-total-count')).toBe('1');
    expect(reply.body).toEqual([{ id: id('group', 'Ops'), type: 'user_group', compiledAttributes: {}, paths: [[{ to: { id: id('group', 'Ops'), type: 'user_group' } }]] }]);
    expect((await api('GET', `/api/v2/users/${dana}/memberof?filter=${encodeURIComponent(`object_id:eq:${id('group', 'Ops')}`)}`)).body).toHaveLength(1);
    expect((await api('GET', `/api/v2/users/${dana}/memberof?filter=type:eq:system_group`)).body).toEqual([]);
    expect((await api('GET', `/api/v2/users/${id('user', 'fay')}/memberof`)).body).toEqual([]);
    expect((await api('GET', '/api/v2/users/aaaaaaaaaaaaaaaaaaaaaaaa/memberof')).status).toBe(404);
  });

  it('associations?targets= lists only direct edges, with their attributes', async () => {
    const dana = id('user', 'dana');
    const systems = await api('GET', `/api/v2/users/${dana}/associations?targets=system`);
    expect(systems.body).toEqual([
      { to: { id: id('system', 'laptop'), type: 'system' } },
      { attributes: { sudo: { enabled: true, withoutPassword: false } }, to: { id: id('system', 'db'), type: 'system' } },
    ]);
    expect(systems.headers.get('x-total-count')).toBe('2');
    expect((await api('GET', `/api/v2/users/${dana}/associations?targets=application`)).body).toEqual([{ to: { id: id('app', 'Slack'), type: 'application' } }]);
    expect((await api('GET', `/api/v2/users/${dana}/associations?targets=g_suite`)).body).toEqual([]);
    const missing = await api('GET', `/api/v2/users/${dana}/associations`);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('"targets" is required');
  });

  it('traversal paths: direct, via a system group, via a user group, and via user group → system group', async () => {
    const reply = await api('GET', `/api/v2/users/${id('user', 'dana')}/systems`);
    const byName = new Map((reply.body as Reached[]).map((r) => [emulator.state.snapshot().systems.find((s) => s._id === r.id)?.displayName, r]));
    expect([...byName.keys()]).toEqual(['laptop', 'db', 'web-1', 'web-2']);
    expect(reply.headers.get('x-total-count')).toBe('4');
    const ops = { to: { id: id('group', 'Ops'), type: 'user_group' } };
    const web = { to: { id: id('systemgroup', 'Web'), type: 'system_group' } };
    expect(byName.get('laptop')?.paths).toEqual([[{ to: { id: id('system', 'laptop'), type: 'system' } }]]);
    expect(byName.get('db')?.paths).toEqual([
      [{ attributes: { sudo: { enabled: true, withoutPassword: false } }, to: { id: id('system', 'db'), type: 'system' } }],
      [ops, { to: { id: id('system', 'db'), type: 'system' } }],
    ]);
    expect(byName.get('db')?.compiledAttributes).toEqual({ sudo: { enabled: true, withoutPassword: false } });
    expect(byName.get('web-1')?.paths).toEqual([
      [web, { to: { id: id('system', 'web-1'), type: 'system' } }],
      [ops, web, { to: { id: id('system', 'web-1'), type: 'system' } }],
    ]);
  });

  it('traversal for a user with access only through a group reports only longer paths', async () => {
    const eve = id('user', 'eve');
    const apps = (await api('GET', `/api/v2/users/${eve}/applications`)).body as Reached[];
    expect(apps.map((a) => a.id)).toEqual([id('app', 'Slack'), id('app', 'Grafana')]);
    for (const app of apps) for (const path of app.paths) expect(path.length).toBeGreaterThan(1);
    const radius = (await api('GET', `/api/v2/users/${eve}/radiusservers`)).body as Reached[];
    expect(radius.map((r) => r.id)).toEqual([id('radius', 'VPN')]);
    expect((await api('GET', `/api/v2/users/${eve}/associations?targets=radius_server`)).body).toEqual([]);
  });

  it('traverses system groups, LDAP and RADIUS servers, and answers empty lists for other directories', async () => {
    const dana = id('user', 'dana');
    const groups = (await api('GET', `/api/v2/users/${dana}/systemgroups`)).body as Reached[];
    expect(groups).toHaveLength(1);
    expect(groups[0]?.paths).toHaveLength(2);
    expect(((await api('GET', `/api/v2/users/${dana}/ldapservers`)).body as Reached[]).map((l) => l.id)).toEqual([id('ldap', 'LDAP')]);
    expect(((await api('GET', `/api/v2/users/${dana}/radiusservers`)).body as Reached[]).map((r) => r.id)).toEqual([id('radius', 'Wi-Fi'), id('radius', 'VPN')]);
    for (const t of ['directories', 'gsuites', 'office365s', 'activedirectories']) {
      const reply = await api('GET', `/api/v2/users/${dana}/${t}`);
      expect(reply.body).toEqual([]);
      expect(reply.headers.get('x-total-count')).toBe('0');
    }
  });

  it('adds and removes direct associations: 204, 409 "Already Exists" on a second add, 204 on removing an absent edge', async () => {
    const fay = id('user', 'fay');
    const laptop = id('system', 'laptop');
    const add = await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'add', type: 'system', id: laptop, attributes: { sudo: { enabled: false, withoutPassword: false } } } });
    expect(add.status).toBe(204);
    const again = await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'add', type: 'system', id: laptop } });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('Already Exists');
    expect((await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'update', type: 'system', id: laptop, attributes: { sudo: { enabled: true, withoutPassword: true } } } })).status).toBe(204);
    expect(emulator.state.associations(fay)).toEqual([{ fromType: 'user', fromId: fay, toType: 'system', toId: laptop, attributes: { sudo: { enabled: true, withoutPassword: true } } }]);
    expect((await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'remove', type: 'system', id: laptop } })).status).toBe(204);
    expect((await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'remove', type: 'system', id: laptop } })).status).toBe(204);
    expect(emulator.state.associations(fay)).toEqual([]);
  });

  it('binds every emulated target type and refuses missing targets and bad sudo attributes', async () => {
    const fay = id('user', 'fay');
    for (const [type, target] of [['application', id('app', 'Slack')], ['ldap_server', id('ldap', 'LDAP')], ['radius_server', id('radius', 'VPN')], ['system_group', id('systemgroup', 'Web')]] as const) {
      expect((await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'add', type, id: target } })).status, type).toBe(204);
    }
    expect(emulator.state.associations(fay)).toHaveLength(4);
    expect((await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'add', type: 'system', id: 'eeeeeeeeeeeeeeeeeeeeeeee' } })).status).toBe(404);
    expect((await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'add', type: 'g_suite', id: 'eeeeeeeeeeeeeeeeeeeeeeee' } })).status).toBe(404);
    expect((await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'remove', type: 'g_suite', id: 'eeeeeeeeeeeeeeeeeeeeeeee' } })).status).toBe(204);
    expect((await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'update', type: 'system', id: id('system', 'db') } })).status).toBe(404);
    const sudo = await api('POST', `/api/v2/users/${fay}/associations`, { body: { op: 'add', type: 'system', id: id('system', 'db'), attributes: { sudo: { enabled: true } } } });
    expect(sudo.status).toBe(400);
    expect(sudo.body.details[0].fieldViolationsList).toEqual([{ field: 'attributes.sudo', description: 'must be {"enabled": boolean, "withoutPassword": boolean}' }]);
    expect((await api('POST', '/api/v2/users/aaaaaaaaaaaaaaaaaaaaaaaa/associations', { body: { op: 'add', type: 'system', id: id('system', 'db') } })).status).toBe(404);
  });

  it('removing the group membership ends the indirect access; the direct binding stays', async () => {
    const dana = id('user', 'dana');
    await api('POST', `/api/v2/usergroups/${id('group', 'Ops')}/members`, { body: { op: 'remove', type: 'user', id: dana } });
    const db = ((await api('GET', `/api/v2/users/${dana}/systems`)).body as Reached[]).find((r) => r.id === id('system', 'db'));
    expect(db?.paths).toHaveLength(1);
    const apps = (await api('GET', `/api/v2/users/${dana}/applications`)).body as Reached[];
    expect(apps.map((a) => a.id)).toEqual([id('app', 'Slack')]);
  });

  it('lists, reads and deletes push endpoints (200 with the deleted endpoint; 404 after)', async () => {
    const dana = id('user', 'dana');
    const list = await api('GET', `/api/v2/users/${dana}/pushendpoints`);
    expect(list.body.map((p: { name: string }) => p.name)).toEqual(['phone', 'tablet']);
    const [phone, tablet] = list.body as Array<{ id: string }>;
    expect((await api('GET', `/api/v2/users/${dana}/pushendpoints/${phone?.id}`)).body).toMatchObject({ name: 'phone', state: 'active' });
    const removed = await api('DELETE', `/api/v2/users/${dana}/pushendpoints/${phone?.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: phone?.id, name: 'phone' });
    expect((await api('DELETE', `/api/v2/users/${dana}/pushendpoints/${phone?.id}`)).status).toBe(404);
    expect(emulator.state.user(dana)?.mfaEnrollment.pushStatus).toBe('ENROLLED');
    await api('DELETE', `/api/v2/users/${dana}/pushendpoints/${tablet?.id}`);
    expect(emulator.state.user(dana)?.mfaEnrollment.pushStatus).toBe('NOT_ENROLLED');
    expect((await api('GET', `/api/v2/users/${id('user', 'fay')}/pushendpoints`)).body).toEqual([]);
  });
});
