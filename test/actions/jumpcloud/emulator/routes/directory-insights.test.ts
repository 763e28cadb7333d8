import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type DirectoryEvent, type RunningEmulator, type SandboxData } from '../../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from '../support/api.js';

const DATA: SandboxData = {
  organization: { name: 'Events Inc.', adminEmail: 'admin@events.example' },
  users: [
    { username: 'lead', email: 'lead@example.com' },
    { username: 'kim', email: 'kim@example.com', manager: 'lead', groups: ['Team'], systems: ['box'], mfa: { totp: true, pushEndpoints: [{ name: 'phone' }] }, sshKeys: [{ name: 'k', public_key: 'ssh-ed25519 AAAAk k@h' }] },
  ],
  userGroups: [{ name: 'Team' }],
  systems: [{ displayName: 'box' }],
};
const START = '2020-01-01T00:00:00Z';

describe('Directory Insights events', () => {
  let emulator: RunningEmulator;
  let api: Api;
  const id = (name: string): string => emulator.state.user(name)?._id as string;
  const query = async (body: Record<string, unknown>) => api('POST', '/insights/directory/v1/events', { body: { service: ['directory'], start_time: START, ...body } });

  beforeAll(async () => {
    emulator = await startEmulator({ data: DATA, seed: 'events' });
    api = apiFor(emulator);
  });
  beforeEach(() => emulator.reset());
  afterAll(() => emulator.close());

  it('records nothing for the seeded starting state', async () => {
    expect(emulator.state.events()).toEqual([]);
    const reply = await query({});
    expect(reply.body).toEqual([]);
    expect(reply.headers.get('x-result-count')).toBe('0');
  });

  it('records every kind of change with JumpCloud event type names', async () => {
    const kim = id('kim');
    const group = emulator.state.groupsOf(kim)[0] as string;
    const box = emulator.state.snapshot().systems[0]?._id as string;
    const created = await api('POST', '/api/systemusers', { body: { username: 'new', email: 'new@example.com' } });
    await api('PUT', `/api/systemusers/${kim}`, { body: { jobTitle: 'Engineer' } });
    await api('PUT', `/api/systemusers/${kim}`, { body: { state: 'SUSPENDED', suspended: true } });
    await api('PUT', `/api/systemusers/${kim}`, { body: { suspended: false } });
    await api('PUT', `/api/systemusers/${kim}`, { body: { password: 'n3w-Secret!' } });
    await api('POST', `/api/v2/usergroups/${group}/members`, { body: { op: 'remove', type: 'user', id: kim } });
    await api('POST', `/api/v2/usergroups/${group}/members`, { body: { op: 'add', type: 'user', id: created.body._id } });
    await api('POST', `/api/v2/users/${kim}/associations`, { body: { op: 'remove', type: 'system', id: box } });
    await api('POST', `/api/systemusers/${kim}/resetmfa`);
    await api('DELETE', `/api/systemusers/${kim}/sshkeys/${emulator.state.user(kim)?.ssh_keys[0]?._id}`);
    await api('POST', `/api/systemusers/${kim}/expire`);
    await api('POST', '/api/v2/usergroups', { body: { name: 'New Group' } });
    await api('DELETE', `/api/systemusers/${created.body._id}`);
    const events = (await query({ limit: 100 })).body as DirectoryEvent[];
    expect(events.map((e) => e.event_type)).toEqual([
      'user_create', 'user_update', 'user_suspended', 'user_unsuspended', 'user_password_change', 'association_change', 'association_change',
      'association_change', 'totp_delete_enrollment', 'user_update', 'user_password_expired', 'group_create', 'association_change', 'user_delete',
    ]);
    expect(JSON.stringify(events)).not.toContain('n3w-Secret!');
  });

  it('does not record no-op changes (idempotent calls)', async () => {
    const kim = id('kim');
    const box = emulator.state.snapshot().systems[0]?._id as string;
    await api('PUT', `/api/systemusers/${kim}`, { body: { state: 'ACTIVATED' } });
    await api('POST', `/api/v2/users/${id('lead')}/associations`, { body: { op: 'remove', type: 'system', id: box } });
    expect(emulator.state.events()).toEqual([]);
  });

  it('gives events the documented directory shape', async () => {
    const kim = id('kim');
    await api('PUT', `/api/systemusers/${kim}`, { body: { state: 'SUSPENDED' } });
    const group = emulator.state.groupsOf(kim)[0] as string;
    await api('POST', `/api/v2/usergroups/${group}/members`, { body: { op: 'remove', type: 'user', id: kim } });
    const [suspended, membership] = (await query({})).body as DirectoryEvent[];
    expect(suspended).toMatchObject({
      event_type: 'user_suspended',
      service: 'directory',
      organization: emulator.orgId,
      '@version': '1',
      client_ip: '127.0.0.1',
      auth_method: 'api-key',
      success: true,
      initiated_by: { type: 'admin', email: 'admin@events.example' },
      resource: { type: 'systemuser', id: kim, username: 'kim', email: 'kim@example.com' },
      changes: [{ field: 'state', from: 'ACTIVATED', to: 'SUSPENDED' }, { field: 'suspended', from: false, to: true }],
    });
    expect(suspended?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(suspended?.timestamp as string)).not.toBeNaN();
    expect(membership).toMatchObject({
      event_type: 'association_change',
      resource: { type: 'user_group', id: group, name: 'Team' },
      association: { op: 'remove', connection: { from: { type: 'user_group', object_id: group, name: 'Team' }, to: { type: 'user', object_id: kim, name: 'kim' } } },
    });
  });

  it('records a user_update naming exactly the fields a PUT changed, custom attributes included, and nothing for a PUT that changes nothing', async () => {
    const kim = id('kim');
    await api('PUT', `/api/systemusers/${kim}`, { body: { department: 'Sales', jobTitle: '', attributes: [{ name: 'costCenter', value: 'CC-1' }] } });
    await api('PUT', `/api/systemusers/${kim}`, { body: { department: 'Sales', attributes: [{ name: 'costCenter', value: 'CC-1' }] } });
    await api('PUT', `/api/systemusers/${kim}`, { body: { attributes: [{ name: 'costCenter', value: 'CC-2' }, { name: 'badge', value: '7' }] } });
    const events = (await query({})).body as DirectoryEvent[];
    expect(events.map((e) => [e.event_type, e.changes])).toEqual([
      ['user_update', [{ field: 'attributes', from: [], to: [{ name: 'costCenter', value: 'CC-1' }] }, { field: 'department', from: '', to: 'Sales' }]],
      ['user_update', [{ field: 'attributes', from: [{ name: 'costCenter', value: 'CC-1' }], to: [{ name: 'costCenter', value: 'CC-2' }, { name: 'badge', value: '7' }] }]],
    ]);
    expect(events[0]?.resource).toEqual({ type: 'systemuser', id: kim, username: 'kim', email: 'kim@example.com' });
  });

  it('records the removal of each membership and association of a deleted user, with names, before user_delete', async () => {
    const kim = id('kim');
    const team = emulator.state.groupsOf(kim)[0] as string;
    const box = emulator.state.snapshot().systems[0]?._id as string;
    await api('DELETE', `/api/systemusers/${kim}`);
    const events = (await query({})).body as DirectoryEvent[];
    expect(events.map((e) => [e.event_type, e.association])).toEqual([
      ['association_change', { op: 'remove', connection: { from: { type: 'user_group', object_id: team, name: 'Team' }, to: { type: 'user', object_id: kim, name: 'kim' } } }],
      ['association_change', { op: 'remove', connection: { from: { type: 'user', object_id: kim, name: 'kim' }, to: { type: 'system', object_id: box, name: 'box' } } }],
      ['user_delete', undefined],
    ]);
    expect(emulator.state.members(team)).toEqual([]);
  });

  it('records the removal of each member and association of a deleted user group, with names, before group_delete', async () => {
    const kim = id('kim');
    const team = emulator.state.groupsOf(kim)[0] as string;
    const box = emulator.state.snapshot().systems[0]?._id as string;
    await api('POST', `/api/v2/usergroups/${team}/associations`, { body: { op: 'add', type: 'system', id: box } });
    const deleted = await api('DELETE', `/api/v2/usergroups/${team}`);
    expect(deleted.body).toMatchObject({ id: team, name: 'Team' });
    const events = ((await query({})).body as DirectoryEvent[]).slice(1);
    expect(events.map((e) => [e.event_type, e.association ?? e.resource])).toEqual([
      ['association_change', { op: 'remove', connection: { from: { type: 'user_group', object_id: team, name: 'Team' }, to: { type: 'user', object_id: kim, name: 'kim' } } }],
      ['association_change', { op: 'remove', connection: { from: { type: 'user_group', object_id: team, name: 'Team' }, to: { type: 'system', object_id: box, name: 'box' } } }],
      ['group_delete', { type: 'user_group', id: team, name: 'Team' }],
    ]);
    expect(emulator.state.groupsOf(kim)).toEqual([]);
    expect((await api('GET', `/api/v2/usergroups/${team}`)).status).toBe(404);
    expect((await api('DELETE', `/api/v2/usergroups/${team}`)).status).toBe(404);
  });

  it('records the manager changes of a cascading delete', async () => {
    await api('DELETE', `/api/systemusers/${id('lead')}?cascade_manager=null`);
    const events = (await query({})).body as DirectoryEvent[];
    expect(events.map((e) => e.event_type)).toEqual(['user_update', 'user_delete']);
    expect(events[0]?.changes).toEqual([{ field: 'manager', from: expect.any(String), to: null }]);
  });

  it('pages with search_after until X-Result-Count < X-Limit, seeing every event exactly once', async () => {
    const kim = id('kim');
    for (let i = 0; i < 25; i++) await api('PUT', `/api/systemusers/${kim}`, { body: { jobTitle: `title ${i}` } });
    const seen: string[] = [];
    let searchAfter: unknown;
    let pages = 0;
    for (;;) {
      const reply = await query({ limit: 10, ...(searchAfter !== undefined ? { search_after: searchAfter } : {}) });
      pages += 1;
      expect(reply.headers.get('x-limit')).toBe('10');
      expect(reply.headers.get('x-sort')).toBe('ASC');
      expect(reply.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      seen.push(...(reply.body as DirectoryEvent[]).map((e) => e.id));
      searchAfter = JSON.parse(reply.headers.get('x-search_after') as string);
      expect(searchAfter).toEqual([expect.any(Number), expect.any(String)]);
      if (Number(reply.headers.get('x-result-count')) < 10) break;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen).toEqual(emulator.state.events().map((e) => e.id));
    const after = await query({ limit: 10, search_after: searchAfter });
    expect(after.body).toEqual([]);
    await api('PUT', `/api/systemusers/${kim}`, { body: { jobTitle: 'later' } });
    const next = await query({ limit: 10, search_after: searchAfter });
    expect((next.body as DirectoryEvent[]).map((e) => e.changes?.[0]?.to)).toEqual(['later']);
  });

  it('sorts DESC on request (case-insensitive) and falls back to ASC for nonsense', async () => {
    const kim = id('kim');
    await api('PUT', `/api/systemusers/${kim}`, { body: { jobTitle: 'first' } });
    await api('PUT', `/api/systemusers/${kim}`, { body: { jobTitle: 'second' } });
    const desc = await query({ sort: 'desc' });
    expect(desc.headers.get('x-sort')).toBe('DESC');
    expect((desc.body as DirectoryEvent[]).map((e) => e.changes?.[0]?.to)).toEqual(['second', 'first']);
    const paged = await query({ sort: 'DESC', limit: 1, search_after: JSON.parse(desc.headers.get('x-search_after') as string) });
    expect(paged.body).toEqual([]);
    const nonsense = await query({ sort: 'sideways' });
    expect(nonsense.headers.get('x-sort')).toBe('ASC');
  });

  it('filters with search_term (and, or, not, lists, dot paths; case-insensitive), q and the time window', async () => {
    const kim = id('kim');
    const group = emulator.state.groupsOf(kim)[0] as string;
    await api('PUT', `/api/systemusers/${kim}`, { body: { jobTitle: 'x' } });
    await api('POST', `/api/v2/usergroups/${group}/members`, { body: { op: 'remove', type: 'user', id: kim } });
    await api('POST', `/api/v2/usergroups/${group}/members`, { body: { op: 'add', type: 'user', id: kim } });
    const types = async (body: Record<string, unknown>): Promise<string[]> => ((await query(body)).body as DirectoryEvent[]).map((e) => `${e.event_type}${e.association ? `:${e.association.op}` : ''}`);
    expect(await types({ search_term: { and: [{ event_type: 'association_change' }, { 'association.op': 'remove' }] } })).toEqual(['association_change:remove']);
    expect(await types({ search_term: { and: [{ 'association.connection.from.type': 'USER_GROUP' }] } })).toEqual(['association_change:remove', 'association_change:add']);
    expect(await types({ search_term: { or: [{ event_type: ['user_update', 'nothing'] }] } })).toEqual(['user_update']);
    expect(await types({ search_term: { not: [{ event_type: 'association_change' }] } })).toEqual(['user_update']);
    expect(await types({
      search_term: { and: [{ or: [{ 'resource.username': 'kim' }, { 'association.connection.to.name': 'kim' }] }, { or: [{ event_type: 'user_update' }, { 'association.op': 'add' }] }] },
    })).toEqual(['user_update', 'association_change:add']);
    expect(await types({ q: 'JOBTITLE' })).toEqual(['user_update']);
    expect(await types({ service: ['radius'] })).toEqual([]);
    expect(await types({ service: ['all'] })).toHaveLength(3);
    expect(await types({ start_time: START, end_time: '2020-01-02T00:00:00Z' })).toEqual([]);
  });

  it('projects fields, nesting dotted ones', async () => {
    await api('PUT', `/api/systemusers/${id('kim')}`, { body: { jobTitle: 'x' } });
    const reply = await query({ fields: ['event_type', 'resource.username'] });
    expect(reply.body).toEqual([{ event_type: 'user_update', resource: { username: 'kim' } }]);
    expect((await query({ fields: [] })).status).toBe(400);
    expect((await query({ fields: ['nope'] })).status).toBe(400);
  });

  it('checks the query: service and start_time required, RFC 3339 times, end after start, no future start', async () => {
    const post = (body: unknown) => api('POST', '/insights/directory/v1/events', { body });
    const noService = await post({ start_time: START });
    expect(noService.status).toBe(400);
    expect(noService.body.message).toContain('directory');
    expect((await post({ service: ['bogus'], start_time: START })).status).toBe(400);
    expect((await post({ service: ['all'] })).body.message).toContain('"start_time" is required');
    expect((await post({ service: ['all'], start_time: '2020-01-01' })).status).toBe(400);
    expect((await post({ service: ['all'], start_time: START, end_time: START })).status).toBe(400);
    expect((await post({ service: ['all'], start_time: '2999-01-01T00:00:00Z' })).body.message).toContain('future');
    expect((await post({ service: ['all'], start_time: START, search_after: ['x'] })).status).toBe(400);
    expect((await post({ service: ['all'], start_time: START, search_term: { and: 'x' } })).status).toBe(400);
  });

  it('uses the default limit of 1000 for nonsensical limits and honours up to 10,000', async () => {
    expect((await query({ limit: -5 })).headers.get('x-limit')).toBe('1000');
    expect((await query({ limit: 'many' })).headers.get('x-limit')).toBe('1000');
    expect((await query({ limit: 20_000 })).headers.get('x-limit')).toBe('1000');
    expect((await query({ limit: 10_000 })).headers.get('x-limit')).toBe('10000');
  });

  it('clears events on reset', async () => {
    await api('PUT', `/api/systemusers/${id('kim')}`, { body: { jobTitle: 'x' } });
    expect(emulator.state.events()).toHaveLength(1);
    emulator.reset();
    expect(emulator.state.events()).toEqual([]);
  });
});
