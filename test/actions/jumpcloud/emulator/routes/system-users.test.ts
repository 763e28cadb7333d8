import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SandboxData } from '../../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from '../support/api.js';

const DATA: SandboxData = {
  users: [
    { username: 'mgr', email: 'mgr@example.com', firstname: 'Mona', lastname: 'Manager', department: 'Engineering' },
    { username: 'top', email: 'top@example.com', firstname: 'Tara', lastname: 'Top', department: 'Executive' },
    { username: 'r.one', email: 'R.One@Example.com', firstname: 'Rita', lastname: 'One', department: 'Engineering', manager: 'mgr', employeeIdentifier: 'E1' },
    { username: 'r.two', email: 'r.two@example.com', firstname: 'Raj', lastname: 'Two', department: 'Sales', manager: 'mgr', state: 'SUSPENDED' },
    {
      username: 'mfa.user', email: 'mfa.user@example.com', department: 'IT', manager: 'top',
      mfa: { totp: true, pushEndpoints: [{ name: 'phone', make: 'Apple', model: 'iPhone', os: 'iOS' }] },
      sshKeys: [{ name: 'laptop', public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ laptop' }, { name: 'desk', public_key: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAB desk' }],
    },
  ],
  userGroups: [{ name: 'Staff', members: ['mgr', 'r.one'] }],
};

describe('v1 system users', () => {
  let emulator: RunningEmulator;
  let api: Api;
  const id = (username: string): string => emulator.state.user(username)?._id as string;

  beforeAll(async () => {
    emulator = await startEmulator({ data: DATA, seed: 1 });
    api = apiFor(emulator);
  });
  beforeEach(() => emulator.reset());
  afterAll(() => emulator.close());

  describe('GET /api/systemusers', () => {
    it('lists with the v1 envelope, limit 10 by default', async () => {
      const reply = await api('GET', '/api/systemusers');
      expect(reply.status).toBe(200);
      expect(reply.body.totalCount).toBe(5);
      expect(reply.body.results.map((u: { username: string }) => u.username)).toEqual(['mgr', 'top', 'r.one', 'r.two', 'mfa.user']);
    });

    it('refuses limit above 100 with the body the real API sends', async () => {
      const reply = await api('GET', '/api/systemusers?limit=101');
      expect(reply.status).toBe(400);
      expect(reply.body.message).toBe('Bad Request: request parameter "limit" exceeds maximum value of 100');
    });

    it('refuses a negative skip and a non-numeric limit', async () => {
      expect((await api('GET', '/api/systemusers?skip=-1')).status).toBe(400);
      expect((await api('GET', '/api/systemusers?limit=ten')).status).toBe(400);
    });

    it('sorts by one or more fields, with - for descending', async () => {
      const byName = await api('GET', '/api/systemusers?sort=-username');
      expect(byName.body.results.map((u: { username: string }) => u.username)).toEqual(['top', 'r.two', 'r.one', 'mgr', 'mfa.user']);
      const twoKeys = await api('GET', `/api/systemusers?sort=${encodeURIComponent('department -username')}`);
      expect(twoKeys.body.results.map((u: { username: string }) => u.username)).toEqual(['r.one', 'mgr', 'top', 'mfa.user', 'r.two']);
      const byId = await api('GET', '/api/systemusers?sort=_id');
      const ids = byId.body.results.map((u: { _id: string }) => u._id);
      expect(ids).toEqual([...ids].sort());
    });

    it('projects fields (space separated), always keeping _id', async () => {
      const reply = await api('GET', `/api/systemusers?fields=${encodeURIComponent('username email')}&limit=1`);
      expect(reply.body.results[0]).toEqual({ _id: id('mgr'), username: 'mgr', email: 'mgr@example.com' });
    });

    it('filters with $eq, eq without $, $ne, and dotted fields; values are case-sensitive', async () => {
      const names = async (query: string): Promise<string[]> => (await api('GET', `/api/systemusers?${query}`)).body.results.map((u: { username: string }) => u.username);
      expect(await names(`filter=${encodeURIComponent('username:$eq:r.one')}`)).toEqual(['r.one']);
      expect(await names(`filter=${encodeURIComponent('email:eq:mgr@example.com')}`)).toEqual(['mgr']);
      expect(await names(`filter=${encodeURIComponent('email:$eq:r.one@example.com')}`)).toEqual([]);
      expect(await names(`filter=${encodeURIComponent('department:$ne:Engineering')}`)).toEqual(['top', 'r.two', 'mfa.user']);
      expect(await names(`filter=${encodeURIComponent('mfa.configured:$eq:true')}`)).toEqual(['mfa.user']);
      expect(await names(`filter=${encodeURIComponent('suspended:$eq:true')}`)).toEqual(['r.two']);
    });

    it('ANDs filter[0], filter[1] and ORs filter[or][n]', async () => {
      const names = async (query: string): Promise<string[]> => (await api('GET', `/api/systemusers?${query}`)).body.results.map((u: { username: string }) => u.username);
      expect(await names(`filter[0]=${encodeURIComponent('department:$eq:Engineering')}&filter[1]=${encodeURIComponent('lastname:$eq:One')}`)).toEqual(['r.one']);
      expect(await names(`filter[or][0]=${encodeURIComponent('lastname:$eq:One')}&filter[or][1]=${encodeURIComponent('lastname:$eq:Two')}`)).toEqual(['r.one', 'r.two']);
      const reply = await api('GET', `/api/systemusers?filter=${encodeURIComponent('username:$eq:r.one')}&limit=2`);
      expect(reply.body.totalCount).toBe(1);
    });

    it('refuses unknown operators and malformed filters with a 400 that says why', async () => {
      const bad = await api('GET', `/api/systemusers?filter=${encodeURIComponent('username:$like:x')}`);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('unknown operator "$like"');
      expect((await api('GET', '/api/systemusers?filter=username')).body.message).toContain('<field>:<operator>:<value>');
    });

    it('refuses the undocumented v1 search query parameter instead of guessing', async () => {
      const reply = await api('GET', '/api/systemusers?search=x');
      expect(reply.status).toBe(400);
      expect(reply.body.message).toContain('POST /api/search/systemusers');
    });
  });

  describe('POST /api/search/systemusers', () => {
    const search = async (body: unknown): Promise<string[]> => {
      const reply = await api('POST', '/api/search/systemusers', { body });
      expect(reply.status).toBe(200);
      return reply.body.results.map((u: { username: string }) => u.username);
    };

    it('matches case-insensitively with the (?i) regex JumpCloud PowerShell sends', async () => {
      expect(await search({ filter: { and: [{ email: { $regex: '(?i)(^r\\.one@example\\.com$)' } }] } })).toEqual(['r.one']);
      expect(await search({ filter: { and: [{ email: { $regex: '(^r\\.one@example\\.com$)' } }] } })).toEqual([]);
      expect(await search({ filter: { or: [{ username: { $regex: '(?i)^MGR$' } }, { username: 'top' }] } })).toEqual(['mgr', 'top']);
    });

    it('accepts the array form, plain values, booleans and comparison operators', async () => {
      expect(await search({ filter: [{ department: 'Engineering' }] })).toEqual(['mgr', 'r.one']);
      expect(await search({ filter: { and: [{ suspended: true }] } })).toEqual(['r.two']);
      expect(await search({ filter: { and: [{ username: { $in: ['top', 'mgr'] } }] } })).toEqual(['mgr', 'top']);
      expect(await search({ filter: { and: [{ employeeIdentifier: { $exists: true } }] } })).toEqual(['r.one']);
    });

    it('does partial, case-insensitive text search with searchFilter', async () => {
      expect(await search({ searchFilter: { searchTerm: 'EXAMPLE.COM', fields: ['email'] } })).toHaveLength(5);
      expect(await search({ searchFilter: { searchTerm: ['raj', 'tara'], fields: ['firstname'] } })).toEqual(['top', 'r.two']);
      expect(await search({ searchFilter: { searchTerm: '@example.com', fields: ['email'] }, filter: { or: [{ department: 'Sales' }] } })).toEqual(['r.two']);
    });

    it('pages with limit and skip in the body, projects fields, and adds memberof', async () => {
      const reply = await api('POST', '/api/search/systemusers', { body: { filter: [], fields: 'username', limit: 2, skip: 1 } });
      expect(reply.body.totalCount).toBe(5);
      expect(reply.body.results).toEqual([{ _id: id('top'), username: 'top' }, { _id: id('r.one'), username: 'r.one' }]);
      const full = await api('POST', '/api/search/systemusers', { body: { filter: [{ username: 'r.one' }] } });
      expect(full.body.results[0].memberof).toEqual([emulator.state.groupsOf(id('r.one'))[0]]);
      expect((await api('POST', '/api/search/systemusers', { body: { limit: 1000 } })).status).toBe(200);
      expect((await api('POST', '/api/search/systemusers', { body: { limit: 1001 } })).status).toBe(400);
    });

    it('answers 400 for an invalid regex or an unknown operator', async () => {
      const regex = await api('POST', '/api/search/systemusers', { body: { filter: { and: [{ username: { $regex: '(' } }] } } });
      expect(regex.status).toBe(400);
      expect(regex.body.message).toContain('not a valid regular expression');
      const operator = await api('POST', '/api/search/systemusers', { body: { filter: [{ username: { $where: 'x' } }] } });
      expect(operator.body.message).toContain('unknown operator "$where"');
    });
  });

  describe('POST /api/systemusers', () => {
    it('creates a user with defaults and records it', async () => {
      const reply = await api('POST', '/api/systemusers', { body: { username: 'new.hire', email: 'new.hire@example.com', firstname: 'New', password: 'S3cret!pass', manager: id('mgr') } });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ username: 'new.hire', state: 'ACTIVATED', activated: true, suspended: false, manager: id('mgr'), ssh_keys: [], totp_enabled: false });
      expect(reply.body._id).toMatch(/^[0-9a-f]{24}$/);
      expect(JSON.stringify(reply.body)).not.toContain('S3cret!pass');
      expect(reply.body.password_date).toBeDefined();
      expect(emulator.state.user('new.hire')?._id).toBe(reply.body._id);
    });

    it('creates STAGED or SUSPENDED users when asked', async () => {
      expect((await api('POST', '/api/systemusers', { body: { username: 's1', email: 's1@example.com', state: 'STAGED' } })).body).toMatchObject({ state: 'STAGED', activated: false });
      expect((await api('POST', '/api/systemusers', { body: { username: 's2', email: 's2@example.com', suspended: true } })).body).toMatchObject({ state: 'SUSPENDED', suspended: true });
    });

    it('answers 400 ErrorDetails naming every missing or wrong field', async () => {
      const reply = await api('POST', '/api/systemusers', { body: { firstname: 42 } });
      expect(reply.status).toBe(400);
      expect(reply.body.details[0]['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
      expect(reply.body.details[0].fieldViolationsList).toEqual([{ field: 'firstname', description: 'must be a string, not number 42' }]);
      const missing = await api('POST', '/api/systemusers', { body: {} });
      expect(missing.body.details[0].fieldViolationsList).toEqual([{ field: 'username', description: 'required' }, { field: 'email', description: 'required' }]);
      const email = await api('POST', '/api/systemusers', { body: { username: 'x', email: 'not-an-email' } });
      expect(email.body.details[0].fieldViolationsList).toEqual([{ field: 'email', description: 'must be an email address' }]);
    });

    it('answers 409 for a username, email or employeeIdentifier already used (case-insensitively)', async () => {
      expect((await api('POST', '/api/systemusers', { body: { username: 'MGR', email: 'other@example.com' } })).status).toBe(409);
      const email = await api('POST', '/api/systemusers', { body: { username: 'other', email: 'r.one@example.com' } });
      expect(email.status).toBe(409);
      expect(email.body.message).toContain('email "r.one@example.com" already exists');
      expect((await api('POST', '/api/systemusers', { body: { username: 'other', email: 'o@example.com', employeeIdentifier: 'e1' } })).status).toBe(409);
    });
  });

  describe('GET /api/systemusers/{id}', () => {
    it('returns the full record, or 404 with an Error body', async () => {
      const reply = await api('GET', `/api/systemusers/${id('r.one')}`);
      expect(reply.body).toMatchObject({ _id: id('r.one'), username: 'r.one', manager: id('mgr'), organization: emulator.orgId });
      const missing = await api('GET', '/api/systemusers/aaaaaaaaaaaaaaaaaaaaaaaa');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    });

    it('honours fields', async () => {
      expect((await api('GET', `/api/systemusers/${id('r.one')}?fields=email`)).body).toEqual({ _id: id('r.one'), email: 'R.One@Example.com' });
    });
  });

  describe('PUT /api/systemusers/{id}', () => {
    it('merges the given fields and leaves the others', async () => {
      const reply = await api('PUT', `/api/systemusers/${id('r.one')}`, { body: { jobTitle: 'Lead', attributes: [{ name: 'cc', value: '42' }] } });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ jobTitle: 'Lead', attributes: [{ name: 'cc', value: '42' }], firstname: 'Rita', manager: id('mgr') });
    });

    it('keeps state and suspended consistent whichever one is sent', async () => {
      const u = id('r.one');
      expect((await api('PUT', `/api/systemusers/${u}`, { body: { suspended: true } })).body).toMatchObject({ state: 'SUSPENDED', suspended: true });
      expect((await api('PUT', `/api/systemusers/${u}`, { body: { state: 'ACTIVATED' } })).body).toMatchObject({ state: 'ACTIVATED', suspended: false });
      expect((await api('PUT', `/api/systemusers/${u}`, { body: { state: 'SUSPENDED', suspended: true } })).body).toMatchObject({ state: 'SUSPENDED', suspended: true });
      expect((await api('PUT', `/api/systemusers/${u}`, { body: { suspended: false } })).body).toMatchObject({ state: 'ACTIVATED', suspended: false });
      const again = await api('PUT', `/api/systemusers/${u}`, { body: { state: 'ACTIVATED', suspended: false } });
      expect(again.status).toBe(200);
    });

    it('refuses contradicting state/suspended and states the update schema does not allow', async () => {
      const contradiction = await api('PUT', `/api/systemusers/${id('r.one')}`, { body: { state: 'ACTIVATED', suspended: true } });
      expect(contradiction.status).toBe(400);
      expect(contradiction.body.details[0].fieldViolationsList).toEqual([{ field: 'suspended', description: 'contradicts state ACTIVATED' }]);
      const staged = await api('PUT', `/api/systemusers/${id('r.one')}`, { body: { state: 'STAGED' } });
      expect(staged.body.details[0].fieldViolationsList).toEqual([{ field: 'state', description: 'must be one of ACTIVATED, SUSPENDED' }]);
    });

    it('clears ldap_binding_user and the manager (null), and checks manager ids', async () => {
      const u = id('r.one');
      const cleared = await api('PUT', `/api/systemusers/${u}`, { body: { ldap_binding_user: false, manager: null } });
      expect(cleared.body.ldap_binding_user).toBe(false);
      expect(cleared.body.manager).toBeUndefined();
      expect((await api('PUT', `/api/systemusers/${u}`, { body: { manager: 'bbbbbbbbbbbbbbbbbbbbbbbb' } })).status).toBe(400);
      expect((await api('PUT', `/api/systemusers/${u}`, { body: { manager: u } })).status).toBe(400);
    });

    it('answers 409 when renaming onto another user, 404 for an unknown user', async () => {
      expect((await api('PUT', `/api/systemusers/${id('r.one')}`, { body: { username: 'Top' } })).status).toBe(409);
      expect((await api('PUT', '/api/systemusers/aaaaaaaaaaaaaaaaaaaaaaaa', { body: { jobTitle: 'x' } })).status).toBe(404);
    });
  });

  describe('DELETE /api/systemusers/{id}', () => {
    it('deletes a user and returns the deleted record; a second delete is 404', async () => {
      const u = id('r.two');
      const reply = await api('DELETE', `/api/systemusers/${u}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ _id: u, username: 'r.two' });
      expect((await api('DELETE', `/api/systemusers/${u}`)).status).toBe(404);
      expect(emulator.state.user(u)).toBeUndefined();
    });

    it('refuses to delete a manager without cascade_manager (409, naming the reports)', async () => {
      const reply = await api('DELETE', `/api/systemusers/${id('mgr')}`);
      expect(reply.status).toBe(409);
      expect(reply.body.message).toContain('r.one, r.two');
      expect(emulator.state.user('mgr')).toBeDefined();
    });

    it('cascade_manager=null clears the reports\' manager', async () => {
      const reports = [id('r.one'), id('r.two')];
      expect((await api('DELETE', `/api/systemusers/${id('mgr')}?cascade_manager=null`)).status).toBe(200);
      for (const r of reports) expect(emulator.state.user(r)?.manager).toBeUndefined();
    });

    it('cascade_manager=<id> moves the reports to that user', async () => {
      const top = id('top');
      expect((await api('DELETE', `/api/systemusers/${id('mgr')}?cascade_manager=${top}`)).status).toBe(200);
      expect(emulator.state.user('r.one')?.manager).toBe(top);
      expect(emulator.state.user('r.two')?.manager).toBe(top);
    });

    it('refuses a cascade_manager that is not a user, is the user itself, or is not an id', async () => {
      const m = id('mgr');
      expect((await api('DELETE', `/api/systemusers/${m}?cascade_manager=cccccccccccccccccccccccc`)).status).toBe(400);
      expect((await api('DELETE', `/api/systemusers/${m}?cascade_manager=${m}`)).status).toBe(400);
      expect((await api('DELETE', `/api/systemusers/${m}?cascade_manager=automatic`)).status).toBe(400);
    });

    it('removes the user from groups and drops its edges', async () => {
      const u = id('r.one');
      await api('DELETE', `/api/systemusers/${u}`);
      const group = emulator.state.snapshot().usergroups.find((g) => g.name === 'Staff');
      expect(group?.members).toEqual([id('mgr')]);
    });
  });

  describe('POST /api/systemusers/{id}/resetmfa', () => {
    it('resets TOTP, starts a new enrollment window and deletes push endpoints', async () => {
      const u = id('mfa.user');
      expect(emulator.state.pushEndpoints(u)).toHaveLength(1);
      const reply = await api('POST', `/api/systemusers/${u}/resetmfa`, { body: { exclusion: true, exclusionUntil: '2030-01-01T00:00:00Z' } });
      expect(reply.status).toBe(200);
      expect(reply.body).toBeUndefined();
      const user = emulator.state.user(u);
      expect(user).toMatchObject({
        totp_enabled: false,
        mfa: { configured: false, exclusion: true, exclusionUntil: '2030-01-01T00:00:00Z' },
        mfaEnrollment: { totpStatus: 'PRE_ENROLLMENT', pushStatus: 'NOT_ENROLLED', overallStatus: 'PRE_ENROLLMENT' },
      });
      expect(emulator.state.pushEndpoints(u)).toEqual([]);
    });

    it('without a body leaves no exclusion window and everything NOT_ENROLLED', async () => {
      const u = id('mfa.user');
      await api('POST', `/api/systemusers/${u}/resetmfa`);
      expect(emulator.state.user(u)?.mfaEnrollment.overallStatus).toBe('NOT_ENROLLED');
      expect(emulator.state.user(u)?.mfa).toEqual({ configured: false, exclusion: false });
    });

    it('computes exclusionUntil from exclusionDays, and checks the body', async () => {
      const u = id('mfa.user');
      await api('POST', `/api/systemusers/${u}/resetmfa`, { body: { exclusionDays: 7 } });
      const until = Date.parse(emulator.state.user(u)?.mfa.exclusionUntil as string);
      expect(until - Date.now()).toBeGreaterThan(6 * 86_400_000);
      expect((await api('POST', `/api/systemusers/${u}/resetmfa`, { body: { exclusionDays: 0 } })).status).toBe(400);
      expect((await api('POST', `/api/systemusers/${u}/resetmfa`, { body: { exclusionUntil: 'tomorrow' } })).status).toBe(400);
      expect((await api('POST', '/api/systemusers/aaaaaaaaaaaaaaaaaaaaaaaa/resetmfa')).status).toBe(404);
    });
  });

  describe('POST /api/systemusers/{id}/expire', () => {
    it('expires the password', async () => {
      const u = id('r.one');
      expect((await api('POST', `/api/systemusers/${u}/expire`)).status).toBe(200);
      expect(emulator.state.user(u)?.['password_expired']).toBe(true);
      expect((await api('POST', '/api/systemusers/aaaaaaaaaaaaaaaaaaaaaaaa/expire')).status).toBe(404);
    });
  });

  describe('POST /api/systemusers/{id}/unlock', () => {
    it('clears the lockout and records user_update with what changed; unlocking again changes and records nothing', async () => {
      const u = id('r.one');
      // Locked as too many failed logins would leave it.
      await api('PUT', `/api/systemusers/${u}`, { body: { account_locked: true } });
      const before = emulator.state.events().length;
      const reply = await api('POST', `/api/systemusers/${u}/unlock`);
      expect(reply.status).toBe(200);
      expect(reply.body).toBeUndefined();
      expect(emulator.state.user(u)).toMatchObject({ account_locked: false, account_locked_date: null, badLoginAttempts: 0 });
      const events = emulator.state.events().slice(before);
      expect(events.map((e) => e.event_type)).toEqual(['user_update']);
      expect(events[0]?.changes).toEqual(expect.arrayContaining([{ field: 'account_locked', from: true, to: false }]));
      expect((await api('POST', `/api/systemusers/${u}/unlock`)).status).toBe(200);
      expect(emulator.state.events()).toHaveLength(before + 1);
      expect((await api('POST', '/api/systemusers/aaaaaaaaaaaaaaaaaaaaaaaa/unlock')).status).toBe(404);
    });
  });

  describe('POST /api/systemusers/{id}/state/activate', () => {
    const staged = async (): Promise<string> => (await api('POST', '/api/systemusers', { body: { username: 'staged', email: 'staged@example.com', state: 'STAGED' } })).body._id;

    it('activates a STAGED user and records user_activated; an activated one is left as is', async () => {
      const u = await staged();
      const before = emulator.state.events().length;
      expect((await api('POST', `/api/systemusers/${u}/state/activate`, { body: { email: false } })).status).toBe(200);
      expect(emulator.state.user(u)).toMatchObject({ state: 'ACTIVATED', activated: true, suspended: false });
      expect(emulator.state.events().slice(before).map((e) => e.event_type)).toEqual(['user_activated']);
      expect((await api('POST', `/api/systemusers/${u}/state/activate`)).status).toBe(200);
      expect(emulator.state.events()).toHaveLength(before + 1);
    });

    it('accepts an empty body, true, false or an address; refuses other emails and a suspended user (400), an unknown one (404)', async () => {
      expect((await api('POST', `/api/systemusers/${await staged()}/state/activate`, { body: { email: 'it@example.com' } })).status).toBe(200);
      expect((await api('POST', `/api/systemusers/${id('r.one')}/state/activate`, { body: { email: true } })).status).toBe(200);
      const bad = await api('POST', `/api/systemusers/${id('r.one')}/state/activate`, { body: { email: 'nobody' } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('email must be true, false or an email address');
      const suspended = await api('POST', `/api/systemusers/${id('r.two')}/state/activate`);
      expect(suspended.status).toBe(400);
      expect(suspended.body.message).toContain('is SUSPENDED; only a STAGED user can be activated here');
      expect(emulator.state.user(id('r.two'))?.state).toBe('SUSPENDED');
      expect((await api('POST', '/api/systemusers/aaaaaaaaaaaaaaaaaaaaaaaa/state/activate')).status).toBe(404);
    });
  });

  describe('SSH keys', () => {
    it('lists keys as a bare array', async () => {
      const reply = await api('GET', `/api/systemusers/${id('mfa.user')}/sshkeys`);
      expect(reply.body.map((k: { name: string }) => k.name)).toEqual(['laptop', 'desk']);
      expect(Object.keys(reply.body[0]).sort()).toEqual(['_id', 'create_date', 'name', 'public_key']);
    });

    it('adds a key (name and public_key required) and shows it on the user', async () => {
      const u = id('r.one');
      const reply = await api('POST', `/api/systemusers/${u}/sshkeys`, { body: { name: 'new', public_key: 'ssh-ed25519 AAAAnew new@host' } });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ name: 'new', public_key: 'ssh-ed25519 AAAAnew new@host' });
      expect(emulator.state.user(u)?.ssh_keys.map((k) => k._id)).toEqual([reply.body._id]);
      const missing = await api('POST', `/api/systemusers/${u}/sshkeys`, { body: { name: 'x' } });
      expect(missing.body.details[0].fieldViolationsList).toEqual([{ field: 'public_key', description: 'required string' }]);
      expect((await api('POST', `/api/systemusers/${u}/sshkeys`, { body: { name: 'x', public_key: 'nonsense' } })).status).toBe(400);
    });

    it('deletes a key; deleting it again, or a key of nobody, is 404', async () => {
      const u = id('mfa.user');
      const key = emulator.state.user(u)?.ssh_keys[0]?._id as string;
      const reply = await api('DELETE', `/api/systemusers/${u}/sshkeys/${key}`);
      expect(reply.status).toBe(200);
      expect(emulator.state.user(u)?.ssh_keys.map((k) => k.name)).toEqual(['desk']);
      expect((await api('DELETE', `/api/systemusers/${u}/sshkeys/${key}`)).status).toBe(404);
      expect((await api('DELETE', `/api/systemusers/aaaaaaaaaaaaaaaaaaaaaaaa/sshkeys/${key}`)).status).toBe(404);
    });
  });
});
