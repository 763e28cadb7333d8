import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSandboxData, startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, exercised, type Api } from './support/api.js';
import { CONTRACT_ENDPOINTS, contractProblems, endpointFor } from './support/contract.js';

/**
 * Contract tests: every endpoint the emulator implements is called over HTTP and its response
 * validated (by the test client) against the schemas of JumpCloud's OpenAPI documents, from the
 * committed extract. The last test checks that no endpoint of the extract was left out.
 */
describe('emulator contract with the OpenAPI documents', () => {
  let emulator: RunningEmulator;
  let api: Api;
  const snapshot = () => emulator.state.snapshot();

  beforeAll(async () => {
    emulator = await startEmulator({ data: await loadSandboxData('examples/sandbox/org.json') });
    api = apiFor(emulator);
  });
  afterAll(() => emulator.close());

  it('the checker itself rejects invented fields, wrong types and undocumented statuses', () => {
    expect(contractProblems('GET /api/systemusers/{id}', 200, { _id: 'x', invented: true })).toEqual([expect.stringContaining('must NOT have additional properties')]);
    expect(contractProblems('GET /api/systemusers/{id}', 200, { _id: 'x', suspended: 'yes' })).toEqual([expect.stringContaining('/suspended must be boolean')]);
    expect(contractProblems('POST /api/v2/usergroups', 200, {})).toEqual([expect.stringContaining('lists only 201')]);
    expect(contractProblems('GET /api/systemusers', 404, { message: 'x', code: '404' })).toEqual([expect.stringContaining('/code must be integer')]);
    expect(endpointFor('GET', '/api/v2/users/aaaaaaaaaaaaaaaaaaaaaaaa/systems')).toBe('GET /api/v2/users/{user_id}/systems');
    expect(endpointFor('GET', '/__sandbox/state')).toBeUndefined();
  });

  it('v1 user endpoints', async () => {
    const john = emulator.state.user('john.smith')?._id as string;
    const jane = emulator.state.user('jane.doe')?._id as string;
    expect((await api('GET', '/api/systemusers?limit=100')).status).toBe(200);
    expect((await api('GET', `/api/systemusers/${john}`)).status).toBe(200);
    expect((await api('POST', '/api/search/systemusers', { body: { filter: { and: [{ email: { $regex: '(?i)^JOHN\\.SMITH@company\\.com$' } }] } } })).body.totalCount).toBe(1);
    const created = await api('POST', '/api/systemusers', { body: { username: 'contract.user', email: 'contract.user@company.com', manager: jane } });
    expect(created.status).toBe(200);
    expect((await api('PUT', `/api/systemusers/${created.body._id}`, { body: { suspended: true } })).status).toBe(200);
    const key = await api('POST', `/api/systemusers/${created.body._id}/sshkeys`, { body: { name: 'k', public_key: 'ssh-ed25519 AAAAkey k@h' } });
    expect((await api('GET', `/api/systemusers/${created.body._id}/sshkeys`)).status).toBe(200);
    expect((await api('DELETE', `/api/systemusers/${created.body._id}/sshkeys/${key.body._id}`)).status).toBe(200);
    expect((await api('POST', `/api/systemusers/${created.body._id}/resetmfa`, { body: { exclusion: true, exclusionDays: 3 } })).status).toBe(200);
    expect((await api('POST', `/api/systemusers/${created.body._id}/expire`)).status).toBe(200);
    expect((await api('POST', `/api/systemusers/${created.body._id}/unlock`)).status).toBe(200);
    const staged = emulator.state.user('nina.lopez')?._id as string;
    expect((await api('POST', `/api/systemusers/${staged}/state/activate`, { body: { email: false } })).status).toBe(200);
    expect((await api('DELETE', `/api/systemusers/${created.body._id}`)).status).toBe(200);
  });

  it('v1 resource endpoints', async () => {
    const s = snapshot();
    expect((await api('GET', '/api/systems?limit=100')).body.totalCount).toBe(s.systems.length);
    expect((await api('GET', `/api/systems/${s.systems[0]?._id}`)).status).toBe(200);
    expect((await api('GET', '/api/applications?limit=100')).body.totalCount).toBe(s.applications.length);
    expect((await api('GET', `/api/applications/${s.applications[0]?._id}`)).status).toBe(200);
    expect((await api('GET', '/api/radiusservers')).body.totalCount).toBe(s.radiusservers.length);
    expect((await api('GET', `/api/radiusservers/${s.radiusservers[0]?._id}`)).status).toBe(200);
  });

  it('v2 policies and policy statuses', async () => {
    const s = snapshot();
    expect((await api('GET', '/api/v2/policies')).body).toHaveLength(s.policies.length);
    expect((await api('GET', `/api/v2/policies/${s.policies[0]?.id}`)).status).toBe(200);
    const [systemId, results] = Object.entries(s.policyresults)[0] as [string, unknown[]];
    expect((await api('GET', `/api/v2/systems/${systemId}/policystatuses`)).body).toHaveLength(results.length);
  });

  it('v2 system graph endpoints', async () => {
    const s = snapshot();
    const jsmith = s.systems.find((x) => x.displayName === 'JSMITH-MBP')?._id as string;
    const john = s.users.find((u) => u.username === 'john.smith')?._id as string;
    expect((await api('GET', `/api/v2/systems/${jsmith}/users`)).body).toEqual([{ id: john, type: 'user', compiledAttributes: {}, paths: [[{ to: { id: john, type: 'user' } }]] }]);
    const finance = s.systemgroups.find((g) => g.name === 'Finance Workstations');
    expect((await api('GET', `/api/v2/systemgroups/${finance?.id}/members`)).body).toHaveLength(finance?.members.length ?? -1);
  });

  it('v2 group and graph endpoints', async () => {
    const s = snapshot();
    const john = emulator.state.user('john.smith')?._id as string;
    const eve = emulator.state.user('maria.garcia')?._id as string;
    const group = await api('POST', '/api/v2/usergroups', { body: { name: 'Contract Group', description: 'x' } });
    expect(group.status).toBe(201);
    expect((await api('GET', '/api/v2/usergroups?limit=100')).status).toBe(200);
    expect((await api('GET', `/api/v2/usergroups/${group.body.id}`)).status).toBe(200);
    expect((await api('POST', `/api/v2/usergroups/${group.body.id}/members`, { body: { op: 'add', type: 'user', id: eve } })).status).toBe(204);
    expect((await api('GET', `/api/v2/usergroups/${group.body.id}/members`)).body).toHaveLength(1);
    expect((await api('POST', `/api/v2/usergroups/${group.body.id}/associations`, { body: { op: 'add', type: 'system', id: s.systems[0]?._id } })).status).toBe(204);
    expect((await api('GET', `/api/v2/usergroups/${group.body.id}/associations?targets=system`)).body).toHaveLength(1);
    expect((await api('GET', `/api/v2/users/${john}/memberof`)).body).toHaveLength(5);
    expect((await api('GET', `/api/v2/users/${john}/associations?targets=system`)).body).toHaveLength(8);
    expect((await api('POST', `/api/v2/users/${eve}/associations`, { body: { op: 'add', type: 'application', id: s.applications[0]?._id } })).status).toBe(204);
    for (const t of ['systems', 'systemgroups', 'applications', 'ldapservers', 'radiusservers', 'directories', 'gsuites', 'office365s', 'activedirectories']) {
      expect((await api('GET', `/api/v2/users/${eve}/${t}`)).status, t).toBe(200);
      expect((await api('GET', `/api/v2/users/${john}/${t}`)).status, t).toBe(200);
    }
    expect((await api('GET', '/api/v2/systemgroups')).body).toHaveLength(s.systemgroups.length);
    expect((await api('GET', `/api/v2/systemgroups/${s.systemgroups[0]?.id}`)).status).toBe(200);
    expect((await api('GET', '/api/v2/ldapservers')).body).toHaveLength(s.ldapservers.length);
    expect((await api('GET', `/api/v2/ldapservers/${s.ldapservers[0]?.id}`)).status).toBe(200);
    const push = await api('GET', `/api/v2/users/${john}/pushendpoints`);
    expect((await api('GET', `/api/v2/users/${john}/pushendpoints/${push.body[0].id}`)).status).toBe(200);
    expect((await api('DELETE', `/api/v2/users/${john}/pushendpoints/${push.body[0].id}`)).status).toBe(200);
    const deleted = await api('DELETE', `/api/v2/usergroups/${group.body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: group.body.id, name: 'Contract Group' });
    expect((await api('DELETE', `/api/v2/usergroups/${group.body.id}`)).status).toBe(404);
  });

  it('v2 system group membership and v1 built-in device commands', async () => {
    const s = snapshot();
    const finance = s.systemgroups.find((g) => g.name === 'Finance Workstations')?.id as string;
    const laptop = s.systems.find((x) => x.displayName === 'SALES-LT-07')?._id as string;
    expect((await api('POST', `/api/v2/systemgroups/${finance}/members`, { body: { op: 'add', type: 'system', id: laptop } })).status).toBe(204);
    expect((await api('GET', `/api/v2/systemgroups/${finance}/members`)).body).toHaveLength(3);
    expect((await api('GET', `/api/v2/systems/${laptop}/memberof`)).body).toEqual([expect.objectContaining({ id: finance, type: 'system_group' })]);
    for (const command of ['lock', 'restart', 'shutdown', 'erase']) {
      const sent = await api('POST', `/api/systems/${laptop}/command/builtin/${command}`, { body: {} });
      expect(sent.status, command).toBe(201);
      expect(sent.body, command).toBeUndefined();
    }
  });

  it('Directory Insights', async () => {
    const reply = await api('POST', '/insights/directory/v1/events', { body: { service: ['directory'], start_time: '2020-01-01T00:00:00Z' } });
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBeGreaterThan(0);
  });

  it('error responses of every kind match Error / ErrorDetails', async () => {
    const missing = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    expect((await api('GET', `/api/systemusers/${missing}`)).status).toBe(404);
    expect((await api('DELETE', `/api/systemusers/${missing}`)).status).toBe(404);
    expect((await api('POST', '/api/systemusers', { body: {} })).status).toBe(400);
    expect((await api('GET', '/api/systemusers?limit=1000')).status).toBe(400);
    expect((await api('GET', `/api/v2/users/${missing}/systems`)).status).toBe(404);
    expect((await api('POST', '/api/v2/usergroups', { body: { name: 'Engineering' } })).status).toBe(409);
    expect((await api('POST', '/insights/directory/v1/events', { body: { service: ['nope'], start_time: '2020-01-01T00:00:00Z' } })).status).toBe(400);
    expect((await api('GET', '/api/systemusers', { anonymous: true })).status).toBe(401);
  });

  it('every endpoint of the extract was exercised with a successful, schema-valid response', () => {
    expect(CONTRACT_ENDPOINTS.filter((e) => !exercised.has(e))).toEqual([]);
  });
});
