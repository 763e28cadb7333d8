import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSandboxData, startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from './support/api.js';

type Reached = { id: string; paths: Array<Array<{ to: { id: string; type: string } }>> };

/**
 * The example org (`examples/sandbox/org.json`) behind the README's quick start: it must load,
 * and john.smith must have exactly the access of the reference workflow's example.
 */
describe('examples/sandbox/org.json', () => {
  let emulator: RunningEmulator;
  let api: Api;
  let john: string;
  beforeAll(async () => {
    emulator = await startEmulator({ data: await loadSandboxData('examples/sandbox/org.json') });
    api = apiFor(emulator);
    john = emulator.state.user('john.smith')?._id as string;
  });
  afterAll(() => emulator.close());

  it('is a realistic org of a few dozen users with static and dynamic groups and every resource kind', () => {
    const s = emulator.state.snapshot();
    expect(s.users.length).toBeGreaterThanOrEqual(24);
    expect(new Set(s.users.map((u) => u['department'])).size).toBeGreaterThanOrEqual(6);
    expect(new Set(s.users.map((u) => u.state))).toEqual(new Set(['ACTIVATED', 'SUSPENDED', 'STAGED']));
    expect(s.usergroups.some((g) => g.membershipMethod.startsWith('DYNAMIC_'))).toBe(true);
    expect(s.usergroups.some((g) => g.membershipMethod === 'STATIC')).toBe(true);
    for (const list of [s.systems, s.systemgroups, s.applications, s.ldapservers, s.radiusservers]) expect(list.length).toBeGreaterThan(0);
  });

  it('john.smith: identity, manager jane.doe, LDAP bind DN, MFA with TOTP and one push endpoint, one SSH key', async () => {
    const user = (await api('GET', `/api/systemusers/${john}`)).body;
    expect(user).toMatchObject({
      username: 'john.smith', email: 'john.smith@company.com', displayname: 'John Smith', state: 'ACTIVATED',
      ldap_binding_user: true, totp_enabled: true, mfa: { configured: true }, mfaEnrollment: { totpStatus: 'ENROLLED', pushStatus: 'ENROLLED', overallStatus: 'ENROLLED' },
    });
    expect(emulator.state.user(user.manager)).toMatchObject({ username: 'jane.doe', email: 'jane.doe@company.com' });
    expect((await api('GET', `/api/systemusers/${john}/sshkeys`)).body).toHaveLength(1);
    expect((await api('GET', `/api/v2/users/${john}/pushendpoints`)).body).toHaveLength(1);
  });

  it('john.smith: exactly 5 static groups, 8 direct systems, 6 direct applications, 1 LDAP and 1 RADIUS binding', async () => {
    const groups = (await api('GET', `/api/v2/users/${john}/memberof?limit=100`)).body as Reached[];
    expect(groups).toHaveLength(5);
    const staticIds = new Set(emulator.state.snapshot().usergroups.filter((g) => g.membershipMethod === 'STATIC').map((g) => g.id));
    expect(groups.every((g) => staticIds.has(g.id))).toBe(true);
    const direct = async (target: string) => ((await api('GET', `/api/v2/users/${john}/associations?targets=${target}&limit=100`)).body as unknown[]).length;
    expect(await direct('system')).toBe(8);
    expect(await direct('application')).toBe(6);
    expect(await direct('ldap_server')).toBe(1);
    expect(await direct('radius_server')).toBe(1);
    expect(await direct('system_group')).toBe(0);
    // Nothing reaches john only through a group: every traversal equals his direct bindings.
    for (const [segment, count] of [['systems', 8], ['applications', 6], ['ldapservers', 1], ['radiusservers', 1], ['systemgroups', 0]] as const) {
      const reached = (await api('GET', `/api/v2/users/${john}/${segment}?limit=100`)).body as Reached[];
      expect(reached, segment).toHaveLength(count);
      expect(reached.every((r) => r.paths.every((p) => p.length === 1)), segment).toBe(true);
    }
  });

  it('has a user whose access comes only through a group (reported as indirect)', async () => {
    const maria = emulator.state.user('maria.garcia')?._id as string;
    expect((await api('GET', `/api/v2/users/${maria}/associations?targets=system`)).body).toEqual([]);
    const systems = (await api('GET', `/api/v2/users/${maria}/systems`)).body as Reached[];
    expect(systems.length).toBeGreaterThan(0);
    expect(systems.every((s) => s.paths.every((p) => p.length > 1 && p[0]?.to.type === 'user_group'))).toBe(true);
    expect(((await api('GET', `/api/v2/users/${maria}/applications`)).body as Reached[]).length).toBeGreaterThan(0);
  });

  it('has users in a dynamic group, which refuses manual removal', async () => {
    const dynamic = emulator.state.snapshot().usergroups.find((g) => g.membershipMethod === 'DYNAMIC_AUTOMATED');
    expect(dynamic?.members.length).toBeGreaterThan(0);
    const reply = await api('POST', `/api/v2/usergroups/${dynamic?.id}/members`, { body: { op: 'remove', type: 'user', id: dynamic?.members[0] } });
    expect(reply.status).toBe(400);
  });

  it('has an identifier that really is ambiguous: one user\'s id is another user\'s username', async () => {
    const pat = emulator.state.user('pat.morgan');
    const byId = await api('GET', `/api/systemusers/${pat?._id}`);
    const byUsername = await api('GET', `/api/systemusers?filter=${encodeURIComponent(`username:$eq:${pat?._id}`)}`);
    expect(byId.body.username).toBe('pat.morgan');
    expect(byUsername.body.totalCount).toBe(1);
    expect(byUsername.body.results[0]._id).not.toBe(pat?._id);
  });

  it('has admin@company.com, the account to protect', () => {
    expect(emulator.state.user('admin@company.com')).toMatchObject({ username: 'admin', state: 'ACTIVATED' });
  });

  it('gets the same ids on every start (derived from kind and name)', async () => {
    const again = await startEmulator({ data: await loadSandboxData('examples/sandbox/org.json') });
    try {
      expect(again.state.user('john.smith')?._id).toBe(john);
      expect(again.orgId).toBe(emulator.orgId);
    } finally {
      await again.close();
    }
  });
});
