import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, ConflictError, NotFoundError, PermanentError, TransientError } from '../../../../engine/errors/index.js';
import { createJumpCloudClient, type JumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { isJumpCloudId } from '../../../../actions/jumpcloud/client/object-id.js';
import { objectId, recordingLogger, sendJson, startLoopbackServer, type Handler, type LoopbackServer, type SeenRequest } from './support/loopback-server.js';

const KEY = 'jc-client-test-key-0b2c4e6a';
const USER = objectId(1, '5f');
const GROUP = objectId(1, '64a');
const SYSTEM = objectId(1, '64b');

/** Routes `METHOD /path` to an answer; anything else is a 404 in JumpCloud's error shape. */
type Routes = Record<string, Handler>;

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function jumpcloud(routes: Routes, logger = recordingLogger()): Promise<{ server: LoopbackServer; client: JumpCloudClient; logger: ReturnType<typeof recordingLogger> }> {
  const server = await startLoopbackServer((request, response) => {
    const route = routes[`${request.method} ${request.path}`];
    if (route === undefined) return sendJson(response, 404, { code: 404, message: 'Not Found', status: 'NOT_FOUND' });
    return route(request, response);
  });
  servers.push(server);
  const client = createJumpCloudClient({ baseUrl: server.url, apiKey: KEY, orgId: 'org-1', logger, retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2 } });
  return { server, client, logger };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Handler => (_request, response) => sendJson(response, status, body, headers);
const noContent: Handler = (_request, response) => {
  response.writeHead(204);
  response.end();
};
const v2List = (items: unknown[]): Handler => (request, response) => {
  const skip = Number(request.query.get('skip') ?? 0);
  const limit = Number(request.query.get('limit') ?? 10);
  sendJson(response, 200, items.slice(skip, skip + limit), { 'x-total-count': String(items.length) });
};

function sent(server: LoopbackServer): Array<Pick<SeenRequest, 'method' | 'target' | 'body'>> {
  return server.requests.map(({ method, target, body }) => ({ method, target, body }));
}

describe('users', () => {
  const user = { _id: USER, username: 'john.smith', email: 'John.Smith@company.com', state: 'ACTIVATED', suspended: false };

  it('getUser reads one user, and a missing one is a NotFoundError naming it', async () => {
    const { server, client } = await jumpcloud({ [`GET /api/systemusers/${USER}`]: json(user) });
    expect(await client.getUser(USER)).toEqual(user);
    const error = await client.getUser(objectId(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe(`User ${objectId(2)} was not found in JumpCloud (404 Not Found on GET /api/systemusers/${objectId(2)}); JumpCloud said: "Not Found"`);
    expect(server.requests).toHaveLength(2);
  });

  it('findUsers by email sends an escaped case-insensitive exact regex and keeps only exact matches', async () => {
    const near = { _id: objectId(3), username: 'john.smithx', email: 'john.smith+x@company.com.evil' };
    const exact = { _id: objectId(4), username: 'jsmith', email: 'JOHN.SMITH+X@COMPANY.COM' };
    const { server, client, logger } = await jumpcloud({ 'POST /api/search/systemusers': json({ totalCount: 2, results: [exact, near] }) });
    expect(await client.findUsers({ email: ' John.Smith+x@company.com ' })).toEqual([exact]);
    expect(sent(server)).toEqual([
      { method: 'POST', target: '/api/search/systemusers', body: { filter: { and: [{ email: { $regex: '(?i)(^John\\.Smith\\+x@company\\.com$)' } }] }, limit: 100, skip: 0 } },
    ]);
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('returned 1 user(s) that do not match exactly'))).toBe(true);
  });

  it('findUsers by username matches exactly; by both, both must hold', async () => {
    const jdoe = { _id: objectId(5), username: 'jdoe', email: 'jdoe@example.com' };
    const { server, client } = await jumpcloud({ 'POST /api/search/systemusers': json({ totalCount: 1, results: [jdoe] }) });
    expect(await client.findUsers({ username: 'jdoe' })).toEqual([jdoe]);
    expect(await client.findUsers({ username: 'JDoe' })).toEqual([]);
    expect(await client.findUsers({ username: 'jdoe', email: 'JDOE@example.com' })).toEqual([jdoe]);
    expect(server.requests.map((r) => r.body)).toEqual([
      { filter: { and: [{ username: 'jdoe' }] }, limit: 100, skip: 0 },
      { filter: { and: [{ username: 'JDoe' }] }, limit: 100, skip: 0 },
      { filter: { and: [{ username: 'jdoe' }, { email: { $regex: '(?i)(^JDOE@example\\.com$)' } }] }, limit: 100, skip: 0 },
    ]);
  });

  it('findUsers with match "any" sends one search with an or filter and keeps users matching either exactly', async () => {
    const byName = { _id: objectId(6), username: 'jdoe@example.com', email: 'other@example.com' };
    const byMail = { _id: objectId(7), username: 'jdoe', email: 'JDoe@Example.com' };
    const neither = { _id: objectId(8), username: 'jdoe@example.comx', email: 'jdoe@example.com.evil' };
    const { server, client, logger } = await jumpcloud({ 'POST /api/search/systemusers': json({ totalCount: 3, results: [byName, byMail, neither] }) });
    expect(await client.findUsers({ username: 'jdoe@example.com', email: 'jdoe@example.com', match: 'any' })).toEqual([byName, byMail]);
    expect(sent(server)).toEqual([
      {
        method: 'POST',
        target: '/api/search/systemusers',
        body: { filter: { or: [{ username: 'jdoe@example.com' }, { email: { $regex: '(?i)(^jdoe@example\\.com$)' } }] }, limit: 100, skip: 0 },
      },
    ]);
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('username "jdoe@example.com" or email "jdoe@example.com" returned 1 user(s)'))).toBe(true);
    await expect(client.findUsers({ username: 'jdoe', match: 'some' as 'any' })).rejects.toThrow('findUsers: match must be "all" or "any", got "some"');
    expect(server.requests).toHaveLength(1);
  });

  it('findUsers without a username or email fails before sending anything', async () => {
    const { server, client } = await jumpcloud({});
    await expect(client.findUsers({ username: ' ' })).rejects.toThrow('findUsers needs a username or an email to search for');
    expect(server.requests).toHaveLength(0);
  });

  it('listUsers pages through /api/systemusers', async () => {
    const users = Array.from({ length: 120 }, (_, i) => ({ _id: objectId(i + 1) }));
    const { server, client } = await jumpcloud({
      'GET /api/systemusers': (request, response) => {
        const skip = Number(request.query.get('skip'));
        sendJson(response, 200, { totalCount: users.length, results: users.slice(skip, skip + 100) });
      },
    });
    expect(await client.listUsers({ filter: ['department:$eq:IT'] })).toHaveLength(120);
    expect(server.requests.map((r) => r.target)).toEqual([
      '/api/systemusers?filter=department%3A%24eq%3AIT&limit=100&skip=0&sort=_id',
      '/api/systemusers?filter=department%3A%24eq%3AIT&limit=100&skip=100&sort=_id',
    ]);
  });

  it('updateUser, suspendUser and activateUser PUT the fields', async () => {
    const { server, client } = await jumpcloud({ [`PUT /api/systemusers/${USER}`]: (request, response) => sendJson(response, 200, { ...user, ...(request.body as object) }) });
    expect(await client.suspendUser(USER)).toMatchObject({ state: 'SUSPENDED', suspended: true });
    expect(await client.activateUser(USER)).toMatchObject({ state: 'ACTIVATED', suspended: false });
    await client.updateUser(USER, { ldap_binding_user: false, manager: null });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['PUT', `/api/systemusers/${USER}`, { state: 'SUSPENDED', suspended: true }],
      ['PUT', `/api/systemusers/${USER}`, { state: 'ACTIVATED', suspended: false }],
      ['PUT', `/api/systemusers/${USER}`, { ldap_binding_user: false, manager: null }],
    ]);
  });

  it('deleteUser sends cascade_manager, returns the deleted record, and reports an absent user as unchanged', async () => {
    let deleted = false;
    const { server, client } = await jumpcloud({
      [`DELETE /api/systemusers/${USER}`]: (_request, response) => {
        if (deleted) return sendJson(response, 404, { message: 'Not Found' });
        deleted = true;
        sendJson(response, 200, user);
      },
    });
    expect(await client.deleteUser(USER, { cascadeManager: 'null' })).toEqual({ changed: true, user });
    expect(await client.deleteUser(USER, { cascadeManager: 'null' })).toEqual({ changed: false });
    expect(server.requests.map((r) => r.target)).toEqual([`/api/systemusers/${USER}?cascade_manager=null`, `/api/systemusers/${USER}?cascade_manager=null`]);
  });

  it('deleteUser passes on a real conflict', async () => {
    const { client } = await jumpcloud({ [`DELETE /api/systemusers/${USER}`]: json({ message: 'user is a manager' }, 409) });
    await expect(client.deleteUser(USER)).rejects.toBeInstanceOf(ConflictError);
  });

  it('resetMfa and expirePassword POST to their action endpoints', async () => {
    const { server, client } = await jumpcloud({
      [`POST /api/systemusers/${USER}/resetmfa`]: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('');
      },
      [`POST /api/systemusers/${USER}/expire`]: json('OK'),
    });
    await client.resetMfa(USER);
    await client.resetMfa(USER, { exclusion: true, exclusionUntil: '2026-03-11T00:00:00Z' });
    await client.expirePassword(USER);
    expect(server.requests.map((r) => [r.path, r.body])).toEqual([
      [`/api/systemusers/${USER}/resetmfa`, {}],
      [`/api/systemusers/${USER}/resetmfa`, { exclusion: true, exclusionUntil: '2026-03-11T00:00:00Z' }],
      [`/api/systemusers/${USER}/expire`, undefined],
    ]);
  });

  it('validates ids before sending and encodes them in paths', async () => {
    const { server, client } = await jumpcloud({});
    await expect(client.getUser('')).rejects.toThrow('getUser: the user id must be a non-empty string without spaces, got ""');
    await expect(client.getUser('a b')).rejects.toBeInstanceOf(PermanentError);
    expect(server.requests).toHaveLength(0);
    await client.getUser('../x').catch(() => undefined);
    expect(server.requests[0]?.target).toBe('/api/systemusers/..%2Fx');
  });

  it('honours a per-call signal', async () => {
    const { server, client } = await jumpcloud({ [`GET /api/systemusers/${USER}`]: () => 'hang' });
    const controller = new AbortController();
    const pending = client.getUser(USER, { signal: controller.signal }).catch((e: unknown) => e);
    await server.received(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(CancelledError);
  });
});

describe('groups', () => {
  it('listUserGroupsOf pages memberof', async () => {
    const groups = Array.from({ length: 3 }, (_, i) => ({ id: objectId(i + 1, '64a'), type: 'user_group', paths: [[{ to: { id: objectId(i + 1, '64a'), type: 'user_group' } }]] }));
    const { server, client } = await jumpcloud({ [`GET /api/v2/users/${USER}/memberof`]: v2List(groups) });
    expect(await client.listUserGroupsOf(USER)).toEqual(groups);
    expect(server.requests[0]?.target).toBe(`/api/v2/users/${USER}/memberof?limit=100&skip=0&sort=_id`);
  });

  it('removeUserFromGroup and addUserToGroup send graph operations and report what changed', async () => {
    let member = true;
    const { server, client } = await jumpcloud({
      [`POST /api/v2/usergroups/${GROUP}/members`]: (request, response) => {
        const op = (request.body as { op: string }).op;
        if (op === 'add' && member) return sendJson(response, 409, { message: 'Already Exists' });
        if (op === 'remove' && !member) return sendJson(response, 404, { message: 'Not Found' });
        member = op === 'add';
        noContent(request, response);
      },
    });
    expect(await client.addUserToGroup(GROUP, USER)).toEqual({ changed: false });
    expect(await client.removeUserFromGroup(GROUP, USER)).toEqual({ changed: true });
    expect(await client.removeUserFromGroup(GROUP, USER)).toEqual({ changed: false });
    expect(await client.addUserToGroup(GROUP, USER)).toEqual({ changed: true });
    expect(server.requests.map((r) => r.body)).toEqual([
      { op: 'add', type: 'user', id: USER },
      { op: 'remove', type: 'user', id: USER },
      { op: 'remove', type: 'user', id: USER },
      { op: 'add', type: 'user', id: USER },
    ]);
  });

  it('a 409 that is not "Already Exists" is a real conflict', async () => {
    const { client } = await jumpcloud({ [`POST /api/v2/usergroups/${GROUP}/members`]: json({ message: 'group is dynamic' }, 409) });
    await expect(client.removeUserFromGroup(GROUP, USER)).rejects.toBeInstanceOf(ConflictError);
  });

  it('graph operations are retried (they are idempotent)', async () => {
    let calls = 0;
    const { server, client } = await jumpcloud({
      [`POST /api/v2/usergroups/${GROUP}/members`]: (request, response) => (++calls === 1 ? sendJson(response, 503, { message: 'busy' }) : noContent(request, response)),
    });
    expect(await client.removeUserFromGroup(GROUP, USER)).toEqual({ changed: true });
    expect(server.requests).toHaveLength(2);
  });

  it('getUserGroup reads a group once per client', async () => {
    const group = { id: GROUP, name: 'Engineering', type: 'user_group', membershipMethod: 'STATIC' };
    const { server, client } = await jumpcloud({ [`GET /api/v2/usergroups/${GROUP}`]: json(group) });
    const [a, b] = await Promise.all([client.getUserGroup(GROUP), client.getUserGroup(GROUP)]);
    expect(a).toEqual(group);
    expect(b).toEqual(group);
    await client.getUserGroup(GROUP);
    expect(server.requests).toHaveLength(1);
  });

  it('createUserGroup and addGroupAssociation', async () => {
    const { server, client } = await jumpcloud({
      'POST /api/v2/usergroups': (request, response) => sendJson(response, 201, { id: GROUP, type: 'user_group', ...(request.body as object) }),
      [`POST /api/v2/usergroups/${GROUP}/associations`]: noContent,
    });
    expect(await client.createUserGroup({ name: 'Engineering' })).toMatchObject({ id: GROUP, name: 'Engineering' });
    expect(await client.addGroupAssociation(GROUP, 'system', SYSTEM)).toEqual({ changed: true });
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/api/v2/usergroups', { name: 'Engineering' }],
      ['POST', `/api/v2/usergroups/${GROUP}/associations`, { op: 'add', type: 'system', id: SYSTEM }],
    ]);
  });
});

describe('associations and traversals', () => {
  it('listUserAssociations asks for one target per call', async () => {
    const edges = [{ attributes: null, to: { id: SYSTEM, type: 'system' } }];
    const { server, client } = await jumpcloud({ [`GET /api/v2/users/${USER}/associations`]: v2List(edges) });
    expect(await client.listUserAssociations(USER, 'system')).toEqual(edges);
    expect(server.requests[0]?.target).toBe(`/api/v2/users/${USER}/associations?targets=system&limit=100&skip=0&sort=_id`);
    await expect(client.listUserAssociations(USER, 'systems' as never)).rejects.toThrow('listUserAssociations: "systems" is not an association target; use one of active_directory, application');
  });

  it('addUserAssociation and removeUserAssociation send the graph operation, with attributes when given', async () => {
    const { server, client } = await jumpcloud({ [`POST /api/v2/users/${USER}/associations`]: noContent });
    await client.addUserAssociation(USER, 'system', SYSTEM, { attributes: { sudo: { enabled: true, withoutPassword: false } } });
    await client.removeUserAssociation(USER, 'radius_server', objectId(9, '64e'));
    expect(server.requests.map((r) => r.body)).toEqual([
      { op: 'add', type: 'system', id: SYSTEM, attributes: { sudo: { enabled: true, withoutPassword: false } } },
      { op: 'remove', type: 'radius_server', id: objectId(9, '64e') },
    ]);
  });

  it.each(['systems', 'systemgroups', 'applications', 'ldapservers', 'radiusservers'] as const)('traverseUser %s pages the traversal', async (kind) => {
    const reached = [{ id: SYSTEM, type: 'system', paths: [[{ to: { id: SYSTEM, type: 'system' } }]] }];
    const { server, client } = await jumpcloud({ [`GET /api/v2/users/${USER}/${kind}`]: v2List(reached) });
    expect(await client.traverseUser(USER, kind)).toEqual(reached);
    expect(server.requests[0]?.path).toBe(`/api/v2/users/${USER}/${kind}`);
  });

  it('traverseUser rejects an unknown kind', async () => {
    const { client } = await jumpcloud({});
    await expect(client.traverseUser(USER, 'devices' as never)).rejects.toThrow('traverseUser: "devices" is not a traversal; use one of systems, systemgroups, applications, ldapservers, radiusservers');
  });
});

describe('look-ups and names', () => {
  const routes: Routes = {
    [`GET /api/systems/${SYSTEM}`]: json({ _id: SYSTEM, displayName: 'MacBook-JS', hostname: 'js-mbp' }),
    [`GET /api/v2/systemgroups/${objectId(1, '64c')}`]: json({ id: objectId(1, '64c'), name: 'Laptops' }),
    [`GET /api/applications/${objectId(1, '64d')}`]: json({ _id: objectId(1, '64d'), name: 'slack', displayLabel: 'Slack' }),
    [`GET /api/v2/ldapservers/${objectId(1, '64e')}`]: json({ id: objectId(1, '64e'), name: 'JumpCloud LDAP' }),
    [`GET /api/radiusservers/${objectId(2, '64e')}`]: json({ _id: objectId(2, '64e'), name: 'Office Wi-Fi' }),
    [`GET /api/v2/usergroups/${GROUP}`]: json({ id: GROUP, name: 'Engineering' }),
    [`GET /api/systemusers/${USER}`]: json({ _id: USER, username: 'john.smith' }),
  };

  it('names each kind of object, asking JumpCloud once per id', async () => {
    const { server, client } = await jumpcloud(routes);
    const names = async () => [
      await client.nameOf('system', SYSTEM),
      await client.nameOf('system_group', objectId(1, '64c')),
      await client.nameOf('application', objectId(1, '64d')),
      await client.nameOf('ldap_server', objectId(1, '64e')),
      await client.nameOf('radius_server', objectId(2, '64e')),
      await client.nameOf('user_group', GROUP),
      await client.nameOf('user', USER),
    ];
    expect(await names()).toEqual(['MacBook-JS', 'Laptops', 'Slack', 'JumpCloud LDAP', 'Office Wi-Fi', 'Engineering', 'john.smith']);
    expect(await names()).toHaveLength(7);
    await client.getSystem(SYSTEM);
    expect(server.requests).toHaveLength(7);
  });

  it('names a vanished object undefined, and does not cache failures', async () => {
    const { server, client } = await jumpcloud({});
    expect(await client.nameOf('system', SYSTEM)).toBeUndefined();
    expect(await client.nameOf('system', SYSTEM)).toBeUndefined();
    expect(server.requests).toHaveLength(2);
    await expect(client.getApplication(objectId(7, '64d'))).rejects.toBeInstanceOf(NotFoundError);
  });

  it('caches per client, not per process', async () => {
    const { server } = await jumpcloud(routes);
    const clientA = createJumpCloudClient({ baseUrl: server.url, apiKey: KEY });
    const clientB = createJumpCloudClient({ baseUrl: server.url, apiKey: KEY });
    await clientA.getSystem(SYSTEM);
    await clientB.getSystem(SYSTEM);
    expect(server.requests).toHaveLength(2);
  });
});

describe('SSH keys and push endpoints', () => {
  const key = { _id: objectId(1, '5fa'), name: 'laptop', public_key: 'ssh-ed25519 AAAA js@laptop', create_date: '2024-01-02T03:04:05.000Z' };

  it('lists, adds and deletes SSH keys; deleting an absent key is unchanged', async () => {
    let present = true;
    const { server, client } = await jumpcloud({
      [`GET /api/systemusers/${USER}/sshkeys`]: json([key]),
      [`POST /api/systemusers/${USER}/sshkeys`]: (request, response) => sendJson(response, 200, { ...key, ...(request.body as object) }),
      [`DELETE /api/systemusers/${USER}/sshkeys/${key._id}`]: (_request, response) => {
        if (!present) return sendJson(response, 404, { message: 'Not Found' });
        present = false;
        response.writeHead(200);
        response.end();
      },
    });
    expect(await client.listSshKeys(USER)).toEqual([key]);
    expect(await client.addSshKey(USER, { name: 'laptop', public_key: key.public_key })).toMatchObject({ name: 'laptop' });
    expect(await client.deleteSshKey(USER, key._id)).toEqual({ changed: true });
    expect(await client.deleteSshKey(USER, key._id)).toEqual({ changed: false });
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', `/api/systemusers/${USER}/sshkeys`],
      ['POST', `/api/systemusers/${USER}/sshkeys`],
      ['DELETE', `/api/systemusers/${USER}/sshkeys/${key._id}`],
      ['DELETE', `/api/systemusers/${USER}/sshkeys/${key._id}`],
    ]);
  });

  it('never retries creating an SSH key', async () => {
    const { server, client } = await jumpcloud({ [`POST /api/systemusers/${USER}/sshkeys`]: json({ message: 'busy' }, 503) });
    await expect(client.addSshKey(USER, { name: 'k', public_key: 'ssh-ed25519 AAAA' })).rejects.toBeInstanceOf(TransientError);
    expect(server.requests).toHaveLength(1);
    await expect(client.addSshKey(USER, { name: 'k', public_key: '' })).rejects.toThrow('addSshKey needs both a "name" and a "public_key"');
  });

  it('lists and deletes push endpoints', async () => {
    const endpoint = { id: objectId(1, '65a'), name: 'iPhone', state: 'active' };
    const { client } = await jumpcloud({
      [`GET /api/v2/users/${USER}/pushendpoints`]: json([endpoint]),
      [`DELETE /api/v2/users/${USER}/pushendpoints/${endpoint.id}`]: json(endpoint),
    });
    expect(await client.listPushEndpoints(USER)).toEqual([endpoint]);
    expect(await client.deletePushEndpoint(USER, endpoint.id)).toEqual({ changed: true });
    expect(await client.deletePushEndpoint(USER, objectId(2, '65a'))).toEqual({ changed: false });
  });

  it('rejects a list endpoint that answers something else than an array', async () => {
    const { client } = await jumpcloud({ [`GET /api/systemusers/${USER}/sshkeys`]: json({ results: [] }) });
    await expect(client.listSshKeys(USER)).rejects.toThrow(`JumpCloud's answer for the SSH keys of user ${USER} is not a JSON array`);
  });
});

describe('createUser', () => {
  it('POSTs the user once and checks the required fields', async () => {
    const { server, client } = await jumpcloud({ 'POST /api/systemusers': (request, response) => sendJson(response, 200, { _id: USER, ...(request.body as object) }) });
    expect(await client.createUser({ username: 'jane.doe', email: 'jane.doe@company.com', firstname: 'Jane' })).toMatchObject({ _id: USER, username: 'jane.doe' });
    expect(server.requests[0]?.body).toEqual({ username: 'jane.doe', email: 'jane.doe@company.com', firstname: 'Jane' });
    await expect(client.createUser({ username: 'x', email: '' })).rejects.toThrow('createUser needs a "username" and an "email"');
  });
});

describe('queryDirectoryEvents', () => {
  const event = { id: 'e1', event_type: 'user_suspended', timestamp: '2026-03-04T15:30:00Z', service: 'directory', resource: { id: USER, type: 'user', username: 'john.smith' } };

  it('sends the Directory Insights body and reads the paging headers', async () => {
    const { server, client } = await jumpcloud({
      'POST /insights/directory/v1/events': json([event, { ...event, id: 'e2' }], 200, { 'x-result-count': '2', 'x-limit': '2', 'x-search_after': '[1772638200000,"e2"]' }),
    });
    const page = await client.queryDirectoryEvents({ service: ['directory'], startTime: '2026-03-01T00:00:00Z', endTime: '2026-03-05T00:00:00Z', limit: 2, sort: 'ASC', searchAfter: [1, 'e0'] });
    expect(page).toEqual({ events: [event, { ...event, id: 'e2' }], searchAfter: [1772638200000, 'e2'], resultCount: 2, limit: 2, hasMore: true });
    expect(sent(server)).toEqual([
      {
        method: 'POST',
        target: '/insights/directory/v1/events',
        body: { service: ['directory'], start_time: '2026-03-01T00:00:00Z', end_time: '2026-03-05T00:00:00Z', limit: 2, search_after: [1, 'e0'], sort: 'ASC' },
      },
    ]);
    expect(server.requests[0]?.headers['x-org-id']).toBe('org-1');
  });

  it('reports the last page', async () => {
    const { client } = await jumpcloud({ 'POST /insights/directory/v1/events': json([event], 200, { 'x-result-count': '1', 'x-limit': '1000', 'x-search_after': '[1,"e1"]' }) });
    expect(await client.queryDirectoryEvents({ service: ['all'], startTime: '2026-03-01T00:00:00Z' })).toMatchObject({ resultCount: 1, limit: 1000, hasMore: false });
  });

  it('goes to insightsBaseUrl when one is given', async () => {
    const { server: api } = await jumpcloud({});
    const { server: insights } = await jumpcloud({ 'POST /insights/directory/v1/events': json([]) });
    const client = createJumpCloudClient({ baseUrl: api.url, apiKey: KEY, insightsBaseUrl: insights.url });
    expect((await client.queryDirectoryEvents({ service: ['directory'], startTime: '2026-03-01T00:00:00Z' })).events).toEqual([]);
    expect(api.requests).toHaveLength(0);
    expect(insights.requests).toHaveLength(1);
  });

  it('checks the query before sending it', async () => {
    const { server, client } = await jumpcloud({});
    await expect(client.queryDirectoryEvents({ service: [], startTime: '2026-03-01T00:00:00Z' })).rejects.toThrow('needs at least one service');
    await expect(client.queryDirectoryEvents({ service: ['dir' as never], startTime: '2026-03-01T00:00:00Z' })).rejects.toThrow('"dir" is not a Directory Insights service');
    await expect(client.queryDirectoryEvents({ service: ['all'], startTime: 'yesterday' })).rejects.toThrow('startTime must be an RFC 3339 UTC time like 2026-03-01T00:00:00Z, got "yesterday"');
    await expect(client.queryDirectoryEvents({ service: ['all'], startTime: '2026-03-01T00:00:00Z', limit: 20_000 })).rejects.toThrow('limit must be an integer from 1 to 10000');
    expect(server.requests).toHaveLength(0);
  });
});

describe('the client object', () => {
  it('does not expose the API key when printed or serialised', async () => {
    const { client } = await jumpcloud({});
    expect(inspect(client, { depth: null, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(client)).not.toContain(KEY);
    expect(client.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(client.orgId).toBe('org-1');
  });
});

describe('isJumpCloudId', () => {
  it('tells a 24-hex id from a username or an email', () => {
    expect(isJumpCloudId(USER)).toBe(true);
    expect(isJumpCloudId('john.smith')).toBe(false);
    expect(isJumpCloudId('john.smith@company.com')).toBe(false);
    expect(isJumpCloudId(`${USER}0`)).toBe(false);
  });
});
