import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, PermanentError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator, type SandboxData } from '../../../../actions/jumpcloud/emulator/index.js';
import { createJumpCloudClient, type JumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import type { SystemUser } from '../../../../actions/jumpcloud/types.js';
import { recordingLogger } from './support/loopback-server.js';
import { endpointFor } from '../emulator/support/contract.js';

// Every client method against the JumpCloud emulator, over real HTTP on loopback.

const ORG_ID = '5e00000000000000000000a1';

const DATA: SandboxData = {
  organization: { name: 'Client Test Org', adminEmail: 'admin@company.com' },
  users: [
    {
      username: 'john.smith',
      email: 'John.Smith@company.com',
      firstname: 'John',
      lastname: 'Smith',
      manager: 'jane.doe',
      groups: ['Engineering', 'VPN Users'],
      systems: [{ name: 'JSMITH-MBP', sudo: { enabled: true, withoutPassword: false } }],
      systemGroups: ['Laptops'],
      applications: ['Slack'],
      ldapServers: ['JumpCloud LDAP'],
      radiusServers: ['Office Wi-Fi'],
      ldap_binding_user: true,
      mfa: { totp: true, pushEndpoints: [{ name: "John's iPhone", make: 'Apple', model: 'iPhone 15', os: 'iOS' }] },
      sshKeys: [{ name: 'laptop', public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJs john@laptop' }],
      attributes: [{ name: 'costCenterCode', value: 'CC-42' }],
    },
    // Would match an unescaped "john.smith@company.com" regex.
    { username: 'johnxsmith', email: 'johnXsmith@company.com' },
    { username: 'jane.doe', email: 'jane.doe@company.com', firstname: 'Jane', lastname: 'Doe' },
    ...Array.from({ length: 130 }, (_, i) => ({ username: `user${String(i).padStart(3, '0')}`, email: `user${i}@company.com` })),
  ],
  userGroups: [
    { name: 'Engineering', systems: ['BUILD-01'], applications: ['GitHub'] },
    { name: 'VPN Users', radiusServers: ['Office Wi-Fi'] },
    { name: 'All Staff (dynamic)', membershipMethod: 'DYNAMIC_AUTOMATED', members: ['jane.doe'] },
  ],
  systems: [
    { displayName: 'JSMITH-MBP', hostname: 'jsmith-mbp.local', os: 'Mac OS X' },
    { displayName: 'BUILD-01', hostname: 'build-01', os: 'Ubuntu' },
  ],
  systemGroups: [{ name: 'Laptops', systems: ['JSMITH-MBP'] }],
  applications: [
    { displayLabel: 'Slack', name: 'slack' },
    { displayLabel: 'GitHub', name: 'github' },
  ],
  ldapServers: [{ name: 'JumpCloud LDAP' }],
  radiusServers: [{ name: 'Office Wi-Fi' }],
};

let emulator: RunningEmulator;
let client: JumpCloudClient;
let logger: ReturnType<typeof recordingLogger>;
let john: SystemUser;
// What every test's client logged and sent (the emulator's log is cleared before each test).
const logged: string[] = [];
const sent: Array<{ method: string; path: string }> = [];

beforeAll(async () => {
  emulator = await startEmulator({ orgId: ORG_ID, data: DATA, seed: 'client-tests' });
});
afterAll(() => emulator.close());
afterEach(() => {
  logged.push(logger.text());
  sent.push(...emulator.requests().map(({ method, path }) => ({ method, path })));
});

beforeEach(async () => {
  emulator.reset();
  logger = recordingLogger();
  client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, orgId: emulator.orgId, logger, retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 5 } });
  const [found] = await client.findUsers({ username: 'john.smith' });
  if (found === undefined) throw new Error('john.smith is missing from the emulator');
  john = found;
});

/** The id of the named object in the emulator's state. */
function idOf(kind: 'usergroups' | 'systems' | 'systemgroups' | 'applications' | 'ldapservers' | 'radiusservers' | 'users', name: string): string {
  const snapshot = emulator.state.snapshot() as unknown as Record<string, Array<Record<string, unknown>>>;
  const item = snapshot[kind]?.find((o) => o['name'] === name || o['displayName'] === name || o['displayLabel'] === name || o['username'] === name);
  const id = item?.['_id'] ?? item?.['id'];
  if (typeof id !== 'string') throw new Error(`no ${kind} named ${name} in the emulator`);
  return id;
}

describe('users', () => {
  it('finds a user by email whatever its case, and only that user', async () => {
    const found = await client.findUsers({ email: 'JOHN.SMITH@COMPANY.COM' });
    expect(found.map((u) => u.username)).toEqual(['john.smith']);
    expect(await client.findUsers({ email: 'nobody@company.com' })).toEqual([]);
    expect(await client.findUsers({ username: 'John.Smith' })).toEqual([]);
  });

  it('reads the full record', async () => {
    const user = await client.getUser(john._id);
    expect(user).toMatchObject({ _id: john._id, username: 'john.smith', email: 'John.Smith@company.com', ldap_binding_user: true, state: 'ACTIVATED' });
    expect(user.attributes).toEqual([{ name: 'costCenterCode', value: 'CC-42' }]);
    await expect(client.getUser('ffffffffffffffffffffffff')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists every user across pages, each once', async () => {
    const users = await client.listUsers();
    expect(users).toHaveLength(133);
    expect(new Set(users.map((u) => u._id)).size).toBe(133);
    const pages = emulator.requests().filter((r) => r.method === 'GET' && r.path === '/api/systemusers');
    expect(pages.map((r) => new URLSearchParams(r.query).get('skip'))).toEqual(['0', '100']);
    expect(pages.every((r) => new URLSearchParams(r.query).get('sort') === '_id' && new URLSearchParams(r.query).get('limit') === '100')).toBe(true);
  });

  it('updates, suspends and reactivates', async () => {
    expect(await client.updateUser(john._id, { ldap_binding_user: false })).toMatchObject({ ldap_binding_user: false });
    expect(await client.suspendUser(john._id)).toMatchObject({ state: 'SUSPENDED', suspended: true });
    expect(emulator.state.user(john._id)).toMatchObject({ state: 'SUSPENDED', suspended: true });
    expect(await client.activateUser(john._id)).toMatchObject({ state: 'ACTIVATED', suspended: false });
  });

  it('resets MFA and expires the password', async () => {
    await client.resetMfa(john._id);
    await client.expirePassword(john._id);
    const user = await client.getUser(john._id);
    expect(user.totp_enabled).toBe(false);
    expect(user.password_expired).toBe(true);
  });

  it('deletes a user with cascade_manager, and a second delete is unchanged', async () => {
    const jane = (await client.findUsers({ username: 'jane.doe' }))[0]!;
    const outcome = await client.deleteUser(jane._id, { cascadeManager: 'null' });
    expect(outcome.changed).toBe(true);
    expect(outcome.user?.username).toBe('jane.doe');
    expect(emulator.state.user(john._id)?.manager ?? null).toBeNull();
    expect(await client.deleteUser(jane._id, { cascadeManager: 'null' })).toEqual({ changed: false });
  });

  it('creates a user', async () => {
    const created = await client.createUser({ username: 'new.hire', email: 'new.hire@company.com', firstname: 'New' });
    expect(created).toMatchObject({ username: 'new.hire', email: 'new.hire@company.com' });
    expect(created._id).toMatch(/^[0-9a-f]{24}$/);
    expect(emulator.state.user('new.hire')?._id).toBe(created._id);
  });
});

describe('groups', () => {
  it('lists the groups of a user and names them', async () => {
    const groups = await client.listUserGroupsOf(john._id);
    expect(groups.map((g) => g.type)).toEqual(['user_group', 'user_group']);
    const names = await Promise.all(groups.map((g) => client.nameOf('user_group', g.id)));
    expect(names.sort()).toEqual(['Engineering', 'VPN Users']);
    expect(await client.getUserGroup(idOf('usergroups', 'All Staff (dynamic)'))).toMatchObject({ name: 'All Staff (dynamic)', membershipMethod: 'DYNAMIC_AUTOMATED' });
  });

  it('removes and adds a member, reporting "Already Exists" as unchanged', async () => {
    const engineering = idOf('usergroups', 'Engineering');
    expect(await client.addUserToGroup(engineering, john._id)).toEqual({ changed: false });
    expect(await client.removeUserFromGroup(engineering, john._id)).toEqual({ changed: true });
    expect(emulator.state.groupsOf(john._id)).not.toContain(engineering);
    expect(await client.addUserToGroup(engineering, john._id)).toEqual({ changed: true });
    expect(emulator.state.groupsOf(john._id)).toContain(engineering);
  });

  it('creates a group and binds a resource to it', async () => {
    const group = await client.createUserGroup({ name: 'Contractors', description: 'temporary staff' });
    expect(group).toMatchObject({ name: 'Contractors', type: 'user_group' });
    const slack = idOf('applications', 'Slack');
    expect(await client.addGroupAssociation(group.id, 'application', slack)).toEqual({ changed: true });
    expect(await client.addGroupAssociation(group.id, 'application', slack)).toEqual({ changed: false });
    expect(emulator.state.associations(group.id).map((e) => e.toId)).toEqual([slack]);
  });

  it('a dynamic group refuses a manual change with a typed error', async () => {
    const dynamic = idOf('usergroups', 'All Staff (dynamic)');
    const jane = (await client.findUsers({ username: 'jane.doe' }))[0]!;
    const error = await client.removeUserFromGroup(dynamic, jane._id).catch((e: unknown) => e);
    expect(error instanceof PermanentError || error instanceof ConflictError).toBe(true);
    expect(emulator.state.groupsOf(jane._id)).toContain(dynamic);
  });
});

describe('associations and traversals', () => {
  it('lists direct associations one target at a time', async () => {
    const systems = await client.listUserAssociations(john._id, 'system');
    expect(systems.map((e) => [e.to.type, e.to.id])).toEqual([['system', idOf('systems', 'JSMITH-MBP')]]);
    expect(systems[0]?.attributes).toMatchObject({ sudo: { enabled: true, withoutPassword: false } });
    expect((await client.listUserAssociations(john._id, 'ldap_server')).map((e) => e.to.id)).toEqual([idOf('ldapservers', 'JumpCloud LDAP')]);
  });

  it('traverses what the user reaches, directly and through groups', async () => {
    const systems = await client.traverseUser(john._id, 'systems');
    const byName = Object.fromEntries(await Promise.all(systems.map(async (s) => [await client.nameOf('system', s.id), s.paths.map((p) => p.length)])));
    expect(byName['JSMITH-MBP']).toContain(1);
    expect(byName['BUILD-01']).toEqual([2]);
    expect((await client.traverseUser(john._id, 'applications')).length).toBe(2);
    expect((await client.traverseUser(john._id, 'systemgroups')).map((g) => g.id)).toEqual([idOf('systemgroups', 'Laptops')]);
    expect((await client.traverseUser(john._id, 'ldapservers')).map((g) => g.id)).toEqual([idOf('ldapservers', 'JumpCloud LDAP')]);
    const radius = await client.traverseUser(john._id, 'radiusservers');
    expect(radius.map((r) => r.id)).toEqual([idOf('radiusservers', 'Office Wi-Fi')]);
    expect(radius[0]?.paths.map((p) => p.length).sort()).toEqual([1, 2]);
  });

  it('removes and adds direct associations idempotently', async () => {
    const mbp = idOf('systems', 'JSMITH-MBP');
    expect(await client.removeUserAssociation(john._id, 'system', mbp)).toEqual({ changed: true });
    expect(await client.listUserAssociations(john._id, 'system')).toEqual([]);
    expect(await client.addUserAssociation(john._id, 'system', mbp, { attributes: { sudo: { enabled: false, withoutPassword: false } } })).toEqual({ changed: true });
    expect(await client.addUserAssociation(john._id, 'system', mbp)).toEqual({ changed: false });
  });

  it('reports a remove of an absent edge as unchanged when the server answers 404', async () => {
    const strict = await startEmulator({ data: DATA, strictRemove: true, seed: 'strict' });
    try {
      const strictClient = createJumpCloudClient({ baseUrl: strict.url, apiKey: strict.apiKey });
      const [user] = await strictClient.findUsers({ username: 'john.smith' });
      const slack = (strict.state.snapshot().applications as Array<{ _id: string; displayLabel?: string }>).find((a) => a.displayLabel === 'Slack')!._id;
      expect(await strictClient.removeUserAssociation(user!._id, 'application', slack)).toEqual({ changed: true });
      expect(await strictClient.removeUserAssociation(user!._id, 'application', slack)).toEqual({ changed: false });
    } finally {
      await strict.close();
    }
  });
});

describe('resources and names', () => {
  it('reads each resource once per client and names it', async () => {
    const ids = {
      system: idOf('systems', 'JSMITH-MBP'),
      systemGroup: idOf('systemgroups', 'Laptops'),
      application: idOf('applications', 'Slack'),
      ldap: idOf('ldapservers', 'JumpCloud LDAP'),
      radius: idOf('radiusservers', 'Office Wi-Fi'),
    };
    expect(await client.getSystem(ids.system)).toMatchObject({ _id: ids.system, displayName: 'JSMITH-MBP', hostname: 'jsmith-mbp.local' });
    expect(await client.getSystemGroup(ids.systemGroup)).toMatchObject({ id: ids.systemGroup, name: 'Laptops' });
    expect(await client.getApplication(ids.application)).toMatchObject({ _id: ids.application, displayLabel: 'Slack' });
    expect(await client.getLdapServer(ids.ldap)).toMatchObject({ id: ids.ldap, name: 'JumpCloud LDAP' });
    expect(await client.getRadiusServer(ids.radius)).toMatchObject({ _id: ids.radius, name: 'Office Wi-Fi' });
    const before = emulator.requests().length;
    expect([
      await client.nameOf('system', ids.system),
      await client.nameOf('system_group', ids.systemGroup),
      await client.nameOf('application', ids.application),
      await client.nameOf('ldap_server', ids.ldap),
      await client.nameOf('radius_server', ids.radius),
    ]).toEqual(['JSMITH-MBP', 'Laptops', 'Slack', 'JumpCloud LDAP', 'Office Wi-Fi']);
    expect(emulator.requests().length).toBe(before);
    expect(await client.nameOf('system', 'ffffffffffffffffffffffff')).toBeUndefined();
  });
});

describe('SSH keys and push endpoints', () => {
  it('lists, adds and deletes SSH keys (public material only)', async () => {
    const keys = await client.listSshKeys(john._id);
    expect(keys.map((k) => k.name)).toEqual(['laptop']);
    const added = await client.addSshKey(john._id, { name: 'desktop', public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKd john@desktop' });
    expect(added).toMatchObject({ name: 'desktop' });
    expect(await client.deleteSshKey(john._id, keys[0]!._id)).toEqual({ changed: true });
    expect(await client.deleteSshKey(john._id, keys[0]!._id)).toEqual({ changed: false });
    expect((await client.listSshKeys(john._id)).map((k) => k.name)).toEqual(['desktop']);
  });

  it('lists and deletes push endpoints', async () => {
    const endpoints = await client.listPushEndpoints(john._id);
    expect(endpoints.map((e) => e.name)).toEqual(["John's iPhone"]);
    expect(await client.deletePushEndpoint(john._id, endpoints[0]!.id)).toEqual({ changed: true });
    expect(await client.deletePushEndpoint(john._id, endpoints[0]!.id)).toEqual({ changed: false });
    expect(await client.listPushEndpoints(john._id)).toEqual([]);
  });
});

describe('Directory Insights', () => {
  it('reads the events the changes produced, page by page', async () => {
    const start = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await client.suspendUser(john._id);
    await client.removeUserFromGroup(idOf('usergroups', 'Engineering'), john._id);
    await client.resetMfa(john._id);
    const seen: string[] = [];
    let searchAfter: Array<string | number> | undefined;
    for (let page = 0; page < 10; page++) {
      const result = await client.queryDirectoryEvents({ service: ['directory'], startTime: start, limit: 1, ...(searchAfter === undefined ? {} : { searchAfter }) });
      seen.push(...result.events.map((e) => e.event_type));
      if (!result.hasMore) break;
      searchAfter = result.searchAfter;
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBeGreaterThan(1);
    expect(emulator.requests().filter((r) => r.path === '/insights/directory/v1/events').length).toBe(seen.length + 1);
  });
});

describe('the organisation header and faults', () => {
  it('sends x-org-id, which the multi-tenant emulator requires', async () => {
    const noOrg = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey });
    const error = await noOrg.getUser(john._id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toContain('a multi-tenant (MSP) administrator must also name the organisation');
    const otherOrg = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, orgId: 'ffffffffffffffffffffffff' });
    await expect(otherOrg.getUser(john._id)).rejects.toMatchObject({ code: 'JUMPCLOUD_UNKNOWN_ORG', retryable: false });
    const badKey = createJumpCloudClient({ baseUrl: emulator.url, apiKey: 'wrong-key', orgId: emulator.orgId });
    await expect(badKey.getUser(john._id)).rejects.toThrow(`JumpCloud rejected the API key (401 Unauthorized) for ${emulator.url} — check JUMPCLOUD_API_KEY`);
  });

  it('gets through a storm of 429s, 5xx and dropped connections, doing every change once', async () => {
    emulator.setFaults({ rateLimit: 20, failRate: 0.15, dropRate: 0.1 });
    try {
      // 40 requests in flight at once overrun a bucket of 20 a second however slowly a loaded
      // machine sends them (with the default cap of 5, a slow machine stayed under the limit).
      const stormy = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, orgId: emulator.orgId, maxConcurrency: 40, retry: { attempts: 8, minDelayMs: 5, maxDelayMs: 50 } });
      const users = (await stormy.listUsers()).filter((u) => u.username?.startsWith('user0'));
      expect(users.length).toBe(100);
      await Promise.all(users.slice(0, 40).map((u) => stormy.suspendUser(u._id)));
      const faults = emulator.requests().filter((r) => r.fault !== undefined).map((r) => r.fault);
      expect(faults).toContain('rate_limit');
      expect(faults).toContain('error');
      expect(faults).toContain('drop');
    } finally {
      emulator.setFaults({ rateLimit: 0, failRate: 0, dropRate: 0 });
    }
    const suspended = emulator.state.users().filter((u) => u.username.startsWith('user0') && u.state === 'SUSPENDED');
    expect(suspended).toHaveLength(40);
  });
});

describe('devices', () => {
  it('finds systems by exact display name or hostname only', async () => {
    const build = idOf('systems', 'BUILD-01');
    expect((await client.findSystemsByName('BUILD-01')).map((s) => s._id)).toEqual([build]);
    expect((await client.findSystemsByName('build-01')).map((s) => s._id)).toEqual([build]);
    expect((await client.findSystemsByName('jsmith-mbp.local')).map((s) => s.displayName)).toEqual(['JSMITH-MBP']);
    expect(await client.findSystemsByName('BUILD')).toEqual([]);
    expect(await client.findSystemsByName('build-01 ')).toEqual([]);
  });

  it('finds system groups by name, lists a system\'s groups, and adds and removes members idempotently', async () => {
    const laptops = idOf('systemgroups', 'Laptops');
    const build = idOf('systems', 'BUILD-01');
    expect((await client.findSystemGroupsByName('Laptops')).map((g) => g.id)).toEqual([laptops]);
    expect(await client.findSystemGroupsByName('laptops')).toEqual([]);
    expect((await client.listSystemGroupsOf(idOf('systems', 'JSMITH-MBP'))).map((g) => [g.id, g.type])).toEqual([[laptops, 'system_group']]);
    expect(await client.addSystemToGroup(laptops, build)).toEqual({ changed: true });
    expect(await client.addSystemToGroup(laptops, build)).toEqual({ changed: false });
    expect((await client.listSystemGroupsOf(build)).map((g) => g.id)).toEqual([laptops]);
    expect(await client.removeSystemFromGroup(laptops, build)).toEqual({ changed: true });
    expect(await client.listSystemGroupsOf(build)).toEqual([]);
    // Removing a non-member is a 204 like any removal (the actions read memberof first), never an error.
    await expect(client.removeSystemFromGroup(laptops, build)).resolves.toMatchObject({ changed: expect.any(Boolean) });
  });

  it('updates the sudo attributes of an existing binding, and says when there is none to update', async () => {
    const mbp = idOf('systems', 'JSMITH-MBP');
    await client.updateUserAssociation(john._id, 'system', mbp, { sudo: { enabled: true, withoutPassword: true } });
    expect(await client.listUserAssociations(john._id, 'system')).toEqual([{ attributes: { sudo: { enabled: true, withoutPassword: true } }, to: { id: mbp, type: 'system' } }]);
    await expect(client.updateUserAssociation(john._id, 'system', idOf('systems', 'BUILD-01'), { sudo: { enabled: true, withoutPassword: false } })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sends a built-in command once, never retrying it, and passes on a refusal', async () => {
    const build = idOf('systems', 'BUILD-01');
    expect(await client.runBuiltinCommand(build, 'lock')).toEqual({ status: 201, body: undefined });
    expect(emulator.state.commands().map((c) => [c.systemId, c.command])).toEqual([[build, 'lock']]);

    emulator.setFaultRules([{ method: 'POST', path: `/api/systems/${build}/command/builtin/restart`, status: 503, times: 1 }]);
    const from = emulator.requests().length;
    await expect(client.runBuiltinCommand(build, 'restart')).rejects.toMatchObject({ retryable: true });
    // A 503 may come after the command was created: the client does not send it again.
    expect(emulator.requests().slice(from).map((r) => r.status)).toEqual([503]);
    emulator.setFaultRules([]);

    await expect(client.runBuiltinCommand(idOf('systems', 'JSMITH-MBP'), 'erase')).rejects.toMatchObject({ code: 'JUMPCLOUD_BAD_REQUEST' });
    await expect(client.runBuiltinCommand(build, 'reboot' as 'lock')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(emulator.state.commands()).toHaveLength(1);
  });
});

it('never logs the API key', () => {
  expect(logged.length).toBeGreaterThan(20);
  expect(logged.join('\n')).toContain('JumpCloud GET /api/v2/users/');
  expect(logged.join('\n')).not.toContain(emulator.apiKey);
});

it("talks only to endpoints of JumpCloud's OpenAPI documents, whose emulated answers the contract tests check", () => {
  expect(sent.length).toBeGreaterThan(100);
  expect(sent.filter(({ method, path }) => endpointFor(method, path) === undefined)).toEqual([]);
  // Every kind of request the offboarding makes was among them.
  const used = new Set(sent.map(({ method, path }) => endpointFor(method, path)));
  for (const endpoint of [
    'GET /api/systemusers/{id}', 'POST /api/search/systemusers', 'PUT /api/systemusers/{id}', 'DELETE /api/systemusers/{id}', 'POST /api/systemusers/{id}/resetmfa',
    'GET /api/v2/users/{user_id}/memberof', 'POST /api/v2/usergroups/{group_id}/members', 'GET /api/v2/users/{user_id}/associations', 'POST /api/v2/users/{user_id}/associations',
    'GET /api/v2/users/{user_id}/systems', 'GET /api/systemusers/{id}/sshkeys', 'DELETE /api/systemusers/{systemuser_id}/sshkeys/{id}',
    'GET /api/v2/users/{user_id}/pushendpoints', 'DELETE /api/v2/users/{user_id}/pushendpoints/{push_endpoint_id}', 'POST /insights/directory/v1/events',
  ]) {
    expect(used, endpoint).toContain(endpoint);
  }
});
