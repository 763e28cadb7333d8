import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AmbiguousError, NotFoundError, PermanentError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userLookupAction, type LookupOutput } from '../../../../actions/jumpcloud/actions/user-lookup.js';
import { groupsRemoveAllAction } from '../../../../actions/jumpcloud/actions/groups-remove-all.js';
import { emulatorContext, loadExampleOrg, mutatingRequests, objectId, userId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'lookup' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const lookup = (identifier: string, extra: { refuse_protected?: boolean; when_deleted?: 'fail' | 'end_run'; connection?: Record<string, unknown> } = {}) => {
  const ctx = emulatorContext(emulator, extra.connection === undefined ? {} : { connection: extra.connection });
  return { ctx, result: runStep(userLookupAction, ctx, { identifier, refuse_protected: extra.refuse_protected ?? false, when_deleted: extra.when_deleted ?? 'fail', connection: 'jumpcloud' }) };
};

describe('jumpcloud.user.lookup', () => {
  it('finds john.smith by email in another case, with his manager, and claims him as the run subject', async () => {
    const { ctx, result } = lookup('John.Smith@Company.COM');
    const john = userId(emulator, 'john.smith');
    expect(await result).toEqual({
      changed: false,
      output: {
        user: {
          id: john,
          username: 'john.smith',
          email: 'john.smith@company.com',
          display_name: 'John Smith',
          firstname: 'John',
          lastname: 'Smith',
          state: 'ACTIVATED',
          suspended: false,
          manager_id: userId(emulator, 'jane.doe'),
          manager_email: 'jane.doe@company.com',
          manager_username: 'jane.doe',
          ldap_binding_user: true,
        },
        matched_by: 'email',
        protected: false,
        groups: {
          names: ['Backend Developers', 'Engineering', 'GitHub Admins', 'On-Call Rotation', 'VPN Users'],
          ids: ['Backend Developers', 'Engineering', 'GitHub Admins', 'On-Call Rotation', 'VPN Users'].map((name) => objectId(emulator, 'usergroups', name)),
        },
      },
      summary: 'found john.smith <john.smith@company.com> by email',
    });
    expect(ctx.claimed).toEqual([`jumpcloud:user:${john}`]);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it("returns the user's groups by name and id, dynamic ones too, in a plan as in a run, reading memberof once and each group once", async () => {
    const sam = userId(emulator, 'sam.rivera');
    const from = emulator.requests().length;
    const output = (await lookup('sam.rivera').result).output as LookupOutput;
    expect(output.groups.names).toContain('Contractors (automatic)');
    expect(output.groups.ids[output.groups.names.indexOf('Contractors (automatic)')]).toBe(objectId(emulator, 'usergroups', 'Contractors (automatic)'));
    expect(output.groups.names).toEqual([...output.groups.names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    const calls = emulator.requests().slice(from).map((r) => `${r.method} ${r.path}`);
    expect(calls.filter((c) => c === `GET /api/v2/users/${sam}/memberof`)).toHaveLength(1);
    for (const id of output.groups.ids) expect(calls.filter((c) => c === `GET /api/v2/usergroups/${id}`), id).toHaveLength(1);

    const plan = await planStep(userLookupAction, emulatorContext(emulator, { dryRun: true }), { identifier: 'sam.rivera', refuse_protected: false, when_deleted: 'fail', connection: 'jumpcloud' });
    expect(plan.output?.groups).toEqual(output.groups);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('leaves the groups it read to the steps after it in the run: the removal from groups reads neither memberof nor a group again', async () => {
    const john = userId(emulator, 'john.smith');
    const ctx = emulatorContext(emulator, { runId: 'lookup-then-remove' });
    const output = (await runStep(userLookupAction, ctx, { identifier: 'john.smith', refuse_protected: false, when_deleted: 'fail', connection: 'jumpcloud' })).output as LookupOutput;
    const from = emulator.requests().length;
    const removed = await runStep(groupsRemoveAllAction, emulatorContext(emulator, { runId: 'lookup-then-remove' }), { user_id: john, connection: 'jumpcloud' });
    expect(removed.output).toMatchObject({ removed: output.groups.ids.length });
    const reads = emulator.requests().slice(from).filter((r) => r.method === 'GET').map((r) => r.path);
    expect(reads).toEqual([]);
  });

  it('finds a user by id and by username', async () => {
    const jane = userId(emulator, 'jane.doe');
    expect((await lookup(jane).result).output).toMatchObject({ user: { id: jane, username: 'jane.doe' }, matched_by: 'id' });
    expect((await lookup('jane.doe').result).output).toMatchObject({ user: { id: jane }, matched_by: 'username' });
  });

  it('says nobody matches, naming the identifier and how it looked', async () => {
    const { ctx, result } = lookup('nobody@company.com');
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe('No JumpCloud user matches "nobody@company.com" (looked up by id, username and email)');
    expect(ctx.claimed).toEqual([]);
  });

  it('says a user was already deleted, when, by whom, by username, email in any case or id', async () => {
    const tom = userId(emulator, 'tom.wilson');
    const deleted = await fetch(`${emulator.url}/api/systemusers/${tom}?cascade_manager=null`, { method: 'DELETE', headers: { 'x-api-key': emulator.apiKey } });
    expect(deleted.status).toBe(200);
    const at = emulator.state.events().find((e) => e.event_type === 'user_delete')?.timestamp as string;
    for (const identifier of ['tom.wilson', 'Tom.Wilson@Company.com', tom]) {
      const { ctx, result } = lookup(identifier);
      const error = await result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({
        code: 'JUMPCLOUD_USER_DELETED',
        retryable: false,
        details: { identifier, user_id: tom, username: 'tom.wilson', email: 'tom.wilson@company.com', deleted_at: at, deleted_by: 'it-admin@company.com' },
      });
      expect((error as Error).message).toBe(
        `JumpCloud user "${identifier}" no longer exists: tom.wilson <tom.wilson@company.com> (${tom}) was deleted at ${at} by it-admin@company.com (Directory Insights); there is nothing left to offboard`,
      );
      expect(ctx.claimed).toEqual([]);
    }
    // A plan says the same, read-only.
    const plan = await planStep(userLookupAction, emulatorContext(emulator, { dryRun: true }), { identifier: 'tom.wilson', refuse_protected: false, when_deleted: 'fail', connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(plan).toMatchObject({ code: 'JUMPCLOUD_USER_DELETED' });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /api/systemusers/${tom}`]);
  });

  it('with when_deleted: end_run, ends the run as done for a user already deleted, naming when and by whom', async () => {
    const tom = userId(emulator, 'tom.wilson');
    await fetch(`${emulator.url}/api/systemusers/${tom}?cascade_manager=null`, { method: 'DELETE', headers: { 'x-api-key': emulator.apiKey } });
    const at = emulator.state.events().find((e) => e.event_type === 'user_delete')?.timestamp as string;
    const { ctx, result } = lookup('Tom.Wilson@company.com', { when_deleted: 'end_run' });
    const reason = `JumpCloud user "tom.wilson" was already deleted at ${at} by it-admin@company.com: nothing left to offboard`;
    expect(await result).toEqual({
      changed: false,
      output: {
        user: { id: tom, username: 'tom.wilson', email: 'tom.wilson@company.com', display_name: 'tom.wilson', firstname: '', lastname: '', state: 'DELETED', suspended: false, manager_id: null, manager_email: null, manager_username: null, ldap_binding_user: false },
        matched_by: 'email',
        protected: false,
        groups: { names: [], ids: [] },
        deleted: { at, by: 'it-admin@company.com' },
      },
      summary: `already deleted at ${at}`,
      endRun: { reason },
    });
    expect(ctx.claimed).toEqual([]);
    const plan = await planStep(userLookupAction, emulatorContext(emulator, { dryRun: true }), { identifier: 'tom.wilson', refuse_protected: true, when_deleted: 'end_run', connection: 'jumpcloud' });
    expect(plan).toMatchObject({ changes: [], endRun: { reason }, output: { matched_by: 'username', user: { state: 'DELETED' } } });
    // A typo is still an error, whatever when_deleted says.
    await expect(lookup('tom.wilsn', { when_deleted: 'end_run' }).result).rejects.toThrow('No JumpCloud user matches "tom.wilsn"');
  });

  it('says nobody matches when Directory Insights cannot be read to look for a deletion', async () => {
    await fetch(`${emulator.url}/api/systemusers/${userId(emulator, 'tom.wilson')}?cascade_manager=null`, { method: 'DELETE', headers: { 'x-api-key': emulator.apiKey } });
    emulator.setFaultRules([{ method: 'POST', path: '/insights/directory/v1/events', status: 403 }]);
    try {
      const error = await lookup('tom.wilson').result.catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'No JumpCloud user matches "tom.wilson" (looked up by id, username and email)' });
    } finally {
      emulator.setFaultRules([]);
    }
  });

  it('refuses an identifier that names two users (an id that is also a username), listing both', async () => {
    const { ctx, result } = lookup('64f1a2b3c4d5e6f708192a3b');
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousError);
    expect((error as AmbiguousError).code).toBe('AMBIGUOUS');
    expect((error as AmbiguousError).retryable).toBe(false);
    expect((error as AmbiguousError).candidates).toEqual([
      'pat.morgan <pat.morgan@company.com> (64f1a2b3c4d5e6f708192a3b) by id',
      `64f1a2b3c4d5e6f708192a3b <helpdesk.legacy@company.com> (${userId(emulator, 'helpdesk.legacy@company.com')}) by username`,
    ]);
    expect((error as Error).message).toMatch(/^More than one JumpCloud user matches "64f1a2b3c4d5e6f708192a3b"/);
    expect(ctx.claimed).toEqual([]);
  });

  it('searches once for an email, and refuses one that is also another user\'s username, listing both', async () => {
    const from = emulator.requests().length;
    expect((await lookup('Jane.Doe@company.com').result).output).toMatchObject({ user: { username: 'jane.doe' }, matched_by: 'email' });
    expect(emulator.requests().slice(from).filter((r) => r.path === '/api/search/systemusers')).toHaveLength(1);

    const created = await fetch(`${emulator.url}/api/systemusers`, {
      method: 'POST',
      headers: { 'x-api-key': emulator.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'jane.doe@company.com', email: 'jd.alias@company.com' }),
    });
    expect(created.status).toBe(200);
    const alias = ((await created.json()) as { _id: string })._id;
    const error = await lookup('jane.doe@company.com').result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousError);
    expect((error as AmbiguousError).candidates).toEqual([
      `jane.doe@company.com <jd.alias@company.com> (${alias}) by username`,
      `jane.doe <jane.doe@company.com> (${userId(emulator, 'jane.doe')}) by email`,
    ]);
  });

  it('marks a protected account (id, username or email, any case), and stops the run with refuse_protected', async () => {
    for (const entry of ['ADMIN', 'Admin@Company.com', userId(emulator, 'admin')]) {
      const { result } = lookup('admin@company.com', { connection: { protected_accounts: [entry] } });
      expect((await result).output?.protected).toBe(true);
    }
    const { ctx, result } = lookup('admin', { refuse_protected: true, connection: { protected_accounts: 'svc-backup, admin@company.com' } });
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('PROTECTED_ACCOUNT');
    expect((error as Error).message).toContain('"admin"');
    expect((error as Error).message).toContain('connections.jumpcloud.protected_accounts');
    expect(ctx.claimed).toEqual([]);
    expect((await lookup('john.smith', { refuse_protected: true, connection: { protected_accounts: ['admin'] } }).result).output?.protected).toBe(false);
  });

  it('plans the same lookup read-only, predicting the output', async () => {
    const ctx = emulatorContext(emulator, { dryRun: true });
    const plan = await planStep(userLookupAction, ctx, { identifier: 'john.smith', refuse_protected: false, when_deleted: 'fail', connection: 'jumpcloud' });
    expect(plan.output?.user.username).toBe('john.smith');
    expect(plan.changes).toEqual([expect.objectContaining({ operation: 'lookup', result: 'reported', target: `user "john.smith" (${userId(emulator, 'john.smith')})` })]);
    expect(ctx.claimed).toEqual([]);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('reports no manager as null', async () => {
    // Deleting jane.doe with cascade_manager=null clears the manager of her reports.
    const deleted = await fetch(`${emulator.url}/api/systemusers/${userId(emulator, 'jane.doe')}?cascade_manager=null`, { method: 'DELETE', headers: { 'x-api-key': emulator.apiKey } });
    expect(deleted.status).toBe(200);
    const { result } = lookup('john.smith');
    expect((await result).output?.user).toMatchObject({ manager_id: null, manager_email: null, manager_username: null });
  });
});
