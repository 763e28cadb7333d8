import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userGroupsAddAction } from '../../../../actions/jumpcloud/actions/user-groups-add.js';
import { MADE_BEFORE_INTERRUPTION } from '../../../../actions/jumpcloud/actions/change-intent.js';
import { newUserId } from '../../../../actions/jumpcloud/actions/planned-user.js';
import { knownAfterRun } from '../../../../engine/plugin-api/known-after-run.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, objectId, outcomesOf, planStep, runStep, userId } from './support/emulator-context.js';

let emulator: RunningEmulator;
let john: string;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'groups-add' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  john = userId(emulator, 'john.smith');
});

const group = (name: string) => ({ id: objectId(emulator, 'usergroups', name), name });
const target = (name: string) => `user group "${name}" (${objectId(emulator, 'usergroups', name)})`;
/** john.smith is in Engineering; Finance Team is given by id, Sales Team by name. */
const params = () => ({ user_id: john, groups: ['Sales Team', objectId(emulator, 'usergroups', 'Finance Team'), 'Engineering'], connection: 'jumpcloud' });

describe('jumpcloud.user.groups.add', () => {
  it('plans by name with before and after, a group he is already in as unchanged, without one mutating request', async () => {
    const plan = await planStep(userGroupsAddAction, emulatorContext(emulator, { dryRun: true }), params());
    expect(plan.output).toEqual({ added: 2, groups: [group('Finance Team'), group('Sales Team')], already_member: [group('Engineering')] });
    expect(plan.changes).toEqual([
      { target: target('Finance Team'), operation: 'add_member', before: { ...group('Finance Team'), type: 'user_group', member: false }, after: { ...group('Finance Team'), type: 'user_group', member: true } },
      { target: target('Sales Team'), operation: 'add_member', before: { ...group('Sales Team'), type: 'user_group', member: false }, after: { ...group('Sales Team'), type: 'user_group', member: true } },
      { target: target('Engineering'), operation: 'report', result: 'reported', note: 'already a member: nothing to change' },
    ]);
    expect(plan.summary).toBe('would add to 2 groups; already in 1 group');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('plans with a user an earlier step would create, known only after the run: in no group yet, named, with no call about it', async () => {
    const newUser = { username: 'amy.new', email: 'amy.new@company.com', display_name: 'Amy New', firstname: 'Amy', lastname: 'New', state: 'STAGED', suspended: false, manager_id: null, manager_email: null, manager_username: null, ldap_binding_user: false };
    const before = emulator.requests().length;
    const plan = await planStep(userGroupsAddAction, emulatorContext(emulator, { dryRun: true }), { ...params(), user_id: newUserId(newUser) as unknown as string });
    expect(plan.output).toEqual({ added: 3, groups: [group('Engineering'), group('Finance Team'), group('Sales Team')], already_member: [] });
    expect(plan.summary).toBe('would add the new user amy.new to Engineering, Finance Team, Sales Team');
    // Only the groups were looked up: nothing was read about a user that does not exist yet.
    expect(emulator.requests().slice(before).every((r) => !r.path.startsWith('/api/systemusers') && !r.path.startsWith('/api/v2/users'))).toBe(true);
    // A value from elsewhere that names no planned user is still planned, and says what it is.
    const other = await planStep(userGroupsAddAction, emulatorContext(emulator, { dryRun: true }), { ...params(), user_id: knownAfterRun('id returned by the HR system') as unknown as string });
    expect(other.summary).toBe('would add the user known only after the run (id returned by the HR system) to Engineering, Finance Team, Sales Team');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('adds him with one call per group, each after its intent; a second run changes nothing and makes no mutating call', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(userGroupsAddAction, ctx, params());
    expect(result).toEqual({ changed: true, output: { added: 2, groups: [group('Finance Team'), group('Sales Team')], already_member: [group('Engineering')] }, summary: 'added to 2 groups; already in 1 group' });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      ['Finance Team', 'Sales Team'].map((name) => `POST /api/v2/usergroups/${objectId(emulator, 'usergroups', name)}/members`).sort(),
    );
    expect(emulator.state.groupsOf(john)).toEqual(expect.arrayContaining(['Finance Team', 'Sales Team', 'Engineering'].map((name) => objectId(emulator, 'usergroups', name))));
    expect(outcomesOf(ctx.recorded).map((c) => [c.target, c.result])).toEqual(
      expect.arrayContaining([[target('Finance Team'), 'changed'], [target('Sales Team'), 'changed'], [target('Engineering'), 'reported']]),
    );

    const from = emulator.requests().length;
    const again = await runStep(userGroupsAddAction, emulatorContext(emulator), params());
    expect(again).toEqual({ changed: false, output: { added: 0, groups: [], already_member: [group('Engineering'), group('Finance Team'), group('Sales Team')] }, summary: 'added to 0 groups; already in 3 groups' });
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('counts the groups a killed attempt added after recording only its intents, making no call again', async () => {
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, userGroupsAddAction, params());
    expect(intents.map((c) => c.target).sort()).toEqual([target('Finance Team'), target('Sales Team')]);
    const result = await runStep(userGroupsAddAction, resumed, params());
    expect(result).toMatchObject({ changed: true, output: { added: 2, groups: [group('Finance Team'), group('Sales Team')], already_member: [group('Engineering')] } });
    expect(resumed.recorded.filter((c) => c.result === 'changed').map((c) => [c.target, c.note])).toEqual([
      [target('Finance Team'), MADE_BEFORE_INTERRUPTION],
      [target('Sales Team'), MADE_BEFORE_INTERRUPTION],
    ].sort());
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('adds a group whose intent was recorded but whose call never reached JumpCloud, counting it once', async () => {
    const sales = group('Sales Team');
    const intent = { target: target('Sales Team'), operation: 'add_member', before: { ...sales, type: 'user_group', member: false }, after: { ...sales, type: 'user_group', member: true }, result: 'started' as const };
    const ctx = emulatorContext(emulator, { earlierChanges: [intent], attempt: 2 });
    const result = await runStep(userGroupsAddAction, ctx, { user_id: john, groups: ['Sales Team'], connection: 'jumpcloud' });
    expect(result).toMatchObject({ changed: true, output: { added: 1, groups: [sales], already_member: [] } });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/v2/usergroups/${sales.id}/members`]);
    expect(emulator.state.groupsOf(john)).toContain(sales.id);
  });

  it('refuses a dynamic group, naming it, in run and plan, before any change', async () => {
    const p = { user_id: john, groups: ['Sales Team', 'Contractors (automatic)'], connection: 'jumpcloud' };
    const message = `jumpcloud.user.groups.add: user group "Contractors (automatic)" (${objectId(emulator, 'usergroups', 'Contractors (automatic)')}, DYNAMIC_AUTOMATED) is a dynamic group: its rule decides who is a member, so a user cannot be added by hand; remove it from "groups"`;
    const error = await runStep(userGroupsAddAction, emulatorContext(emulator), p).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'JUMPCLOUD_DYNAMIC_GROUP', message });
    await expect(planStep(userGroupsAddAction, emulatorContext(emulator, { dryRun: true }), p)).rejects.toMatchObject({ code: 'JUMPCLOUD_DYNAMIC_GROUP', message });
    expect(mutatingRequests(emulator)).toEqual([]);
    expect(emulator.state.groupsOf(john)).not.toContain(objectId(emulator, 'usergroups', 'Sales Team'));
  });

  it('says which entry names no group, before any change', async () => {
    const missing = await runStep(userGroupsAddAction, emulatorContext(emulator), { user_id: john, groups: ['Sales Team', 'Sales team'], connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('jumpcloud.user.groups.add: groups[1] "Sales team": no JumpCloud user group has this id or name');
    const unknownId = await runStep(userGroupsAddAction, emulatorContext(emulator), { user_id: john, groups: ['0123456789abcdef01234567'], connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect((unknownId as Error).message).toBe('jumpcloud.user.groups.add: groups[0] "0123456789abcdef01234567": no JumpCloud user group has this id or name');
    expect(mutatingRequests(emulator)).toEqual([]);
  });
});
