import { afterEach, describe, expect, it } from 'vitest';
import { createJumpCloudClient, type JumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { UserSnapshot } from '../../../../actions/jumpcloud/actions/user-snapshot.js';
import { objectId, sendJson, startLoopbackServer, type Handler, type LoopbackServer } from '../client/support/loopback-server.js';

// The snapshot of one user: each list read once, what was removed since left out, the record
// replaced by what a change answered. A real loopback server counts the reads.

const USER = objectId(1, '5f');
const GROUP_A = objectId(1, '64a');
const GROUP_B = objectId(2, '64a');
const SYSTEM_DIRECT = objectId(1, '64b');
const SYSTEM_VIA_GROUP = objectId(2, '64b');
const SYSTEM_GROUP = objectId(1, '64c');
const SYSTEM_IN_SYSTEM_GROUP = objectId(3, '64b');

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function jumpcloud(routes: Record<string, Handler>): Promise<{ server: LoopbackServer; client: JumpCloudClient }> {
  const server = await startLoopbackServer((request, response) => {
    const route = routes[`${request.method} ${request.path}`];
    if (route === undefined) return sendJson(response, 404, { code: 404, message: 'Not Found', status: 'NOT_FOUND' });
    return route(request, response);
  });
  servers.push(server);
  return { server, client: createJumpCloudClient({ baseUrl: server.url, apiKey: 'snapshot-test-key', retry: { attempts: 1 } }) };
}

const json = (body: unknown): Handler => (_request, response) => sendJson(response, 200, body, Array.isArray(body) ? { 'x-total-count': String(body.length) } : {});
const hop = (type: string, id: string, attributes?: Record<string, unknown>) => ({ ...(attributes === undefined ? {} : { attributes }), to: { type, id } });

const record = {
  _id: USER,
  username: 'leaver',
  email: 'leaver@example.com',
  totp_enabled: true,
  ssh_keys: [
    { _id: objectId(1, '65a'), name: 'laptop', public_key: 'ssh-ed25519 AAAA laptop' },
    { _id: objectId(2, '65a'), name: 'desktop', public_key: 'ssh-ed25519 BBBB desktop' },
  ],
};

const systems = [
  { id: SYSTEM_DIRECT, type: 'system', paths: [[hop('system', SYSTEM_DIRECT, { sudo: { enabled: true } })], [hop('user_group', GROUP_A), hop('system', SYSTEM_DIRECT)]] },
  { id: SYSTEM_VIA_GROUP, type: 'system', paths: [[hop('user_group', GROUP_B), hop('system', SYSTEM_VIA_GROUP)]] },
  { id: SYSTEM_IN_SYSTEM_GROUP, type: 'system', paths: [[hop('system_group', SYSTEM_GROUP), hop('system', SYSTEM_IN_SYSTEM_GROUP)]] },
];

function organisation(overrides: Record<string, Handler> = {}) {
  return jumpcloud({
    [`GET /api/systemusers/${USER}`]: json(record),
    [`GET /api/v2/users/${USER}/memberof`]: json([{ id: GROUP_A, type: 'user_group', paths: [] }, { id: GROUP_B, type: 'user_group', paths: [] }]),
    [`GET /api/v2/users/${USER}/systems`]: json(systems),
    [`GET /api/v2/users/${USER}/pushendpoints`]: json([{ id: objectId(1, '66a'), name: 'phone' }, { id: objectId(2, '66a'), name: 'tablet' }]),
    ...overrides,
  });
}

describe('UserSnapshot', () => {
  it('reads each list once, however many callers ask at the same time', async () => {
    const { server, client } = await organisation();
    const snapshot = new UserSnapshot(USER);
    await Promise.all([snapshot.user(client), snapshot.user(client), snapshot.memberships(client), snapshot.reached(client, 'systems'), snapshot.reached(client, 'systems')]);
    await Promise.all([snapshot.memberships(client), snapshot.pushEndpoints(client), snapshot.pushEndpoints(client), snapshot.sshKeys(client)]);
    expect(server.requests.map((r) => r.path).sort()).toEqual(
      [`/api/systemusers/${USER}`, `/api/v2/users/${USER}/memberof`, `/api/v2/users/${USER}/pushendpoints`, `/api/v2/users/${USER}/systems`].sort(),
    );
  });

  it('takes the SSH keys from the record, and lists them only when the record has no ssh_keys field', async () => {
    const withKeys = await organisation();
    expect((await new UserSnapshot(USER).sshKeys(withKeys.client)).map((k) => k.name)).toEqual(['laptop', 'desktop']);
    expect(withKeys.server.requests.map((r) => r.path)).toEqual([`/api/systemusers/${USER}`]);

    const { ssh_keys: _keys, ...bare } = record;
    const without = await organisation({
      [`GET /api/systemusers/${USER}`]: json(bare),
      [`GET /api/systemusers/${USER}/sshkeys`]: json([{ _id: objectId(3, '65a'), name: 'listed', public_key: 'ssh-ed25519 CCCC listed' }]),
    });
    const snapshot = new UserSnapshot(USER);
    expect((await snapshot.sshKeys(without.client)).map((k) => k.name)).toEqual(['listed']);
    expect((await snapshot.sshKeys(without.client)).map((k) => k.name)).toEqual(['listed']);
    expect(without.server.requests.map((r) => r.path)).toEqual([`/api/systemusers/${USER}`, `/api/systemusers/${USER}/sshkeys`]);
  });

  it('leaves out what was removed since: groups left and the paths through them, bindings, keys, push endpoints', async () => {
    const { server, client } = await organisation();
    const snapshot = new UserSnapshot(USER);
    expect((await snapshot.reached(client, 'systems')).map((o) => o.id)).toEqual([SYSTEM_DIRECT, SYSTEM_VIA_GROUP, SYSTEM_IN_SYSTEM_GROUP]);

    snapshot.markLeft(GROUP_B);
    snapshot.markUnbound('system', SYSTEM_DIRECT);
    snapshot.markUnbound('system_group', SYSTEM_GROUP);
    snapshot.markSshKeyDeleted(objectId(1, '65a'));
    snapshot.markPushEndpointDeleted(objectId(2, '66a'));

    expect((await snapshot.memberships(client)).map((g) => g.id)).toEqual([GROUP_A]);
    // The direct path is gone, the path through the group still there remains; the system reached
    // only through the group left, and the one only through the unbound system group, are gone.
    expect(await snapshot.reached(client, 'systems')).toEqual([{ id: SYSTEM_DIRECT, type: 'system', paths: [[hop('user_group', GROUP_A), hop('system', SYSTEM_DIRECT)]] }]);
    expect((await snapshot.sshKeys(client)).map((k) => k.name)).toEqual(['desktop']);
    expect((await snapshot.pushEndpoints(client)).map((e) => e.name)).toEqual(['phone']);
    expect(server.requests).toHaveLength(4);
  });

  it('starts from a record it is given, takes the record a change answered, and patches it after a change answered without one', async () => {
    const { server, client } = await organisation();
    const snapshot = new UserSnapshot(USER, { ...record, username: 'from-search' });
    expect((await snapshot.user(client))?.username).toBe('from-search');
    snapshot.replaceUser({ ...record, state: 'SUSPENDED' });
    expect((await snapshot.user(client))?.state).toBe('SUSPENDED');
    await snapshot.patchUser({ totp_enabled: false });
    expect(await snapshot.user(client)).toMatchObject({ state: 'SUSPENDED', totp_enabled: false });
    snapshot.markUserDeleted();
    expect(await snapshot.user(client)).toBeUndefined();
    expect(server.requests).toHaveLength(0);

    // Patching a record never read changes nothing and reads nothing.
    const unread = new UserSnapshot(USER);
    await unread.patchUser({ totp_enabled: false });
    expect(server.requests).toHaveLength(0);
    expect((await unread.user(client))?.totp_enabled).toBe(true);
  });

  it('forgets a failed read, so the next caller reads again', async () => {
    let calls = 0;
    const { client } = await organisation({
      [`GET /api/v2/users/${USER}/pushendpoints`]: (_request, response) => {
        calls++;
        if (calls === 1) sendJson(response, 403, { message: 'Forbidden' });
        else sendJson(response, 200, [], { 'x-total-count': '0' });
      },
    });
    const snapshot = new UserSnapshot(USER);
    await expect(snapshot.pushEndpoints(client)).rejects.toMatchObject({ retryable: false });
    expect(await snapshot.pushEndpoints(client)).toEqual([]);
    expect(calls).toBe(2);
  });

  it('reads a user that does not exist as undefined, once', async () => {
    const { server, client } = await organisation({ [`GET /api/systemusers/${USER}`]: (_request, response) => sendJson(response, 404, { message: 'Not Found' }) });
    const snapshot = new UserSnapshot(USER);
    expect(await snapshot.user(client)).toBeUndefined();
    expect(await snapshot.user(client)).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });
});
