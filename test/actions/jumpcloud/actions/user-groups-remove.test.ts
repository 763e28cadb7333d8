import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userGroupsRemoveAction } from '../../../../actions/jumpcloud/actions/user-groups-remove.js';
import { MADE_BEFORE_INTERRUPTION } from '../../../../actions/jumpcloud/actions/change-intent.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, objectId, outcomesOf, planStep, runStep, userId } from './support/emulator-context.js';

let emulator: RunningEmulator;
let john: string;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'groups-remove' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  john = userId(emulator, 'john.smith');
});

const group = (name: string) => ({ id: objectId(emulator, 'usergroups', name), name });
const target = (name: string) => `user group "${name}" (${objectId(emulator, 'usergroups', name)})`;
/** john.smith is in Engineering (given by id) and VPN Users (by name), not in Sales Team. */
const params = () => ({ user_id: john, groups: ['VPN Users', objectId(emulator, 'usergroups', 'Engineering'), 'Sales Team'], connection: 'jumpcloud' });

describe('jumpcloud.user.groups.remove', () => {
  it('plans by name with before and after, a group he is not in as reported, without one mutating request', async () => {
    const plan = await planStep(userGroupsRemoveAction, emulatorContext(emulator, { dryRun: true }), params());
    expect(plan.output).toEqual({ removed: 2, groups: [group('Engineering'), group('VPN Users')], not_member: [group('Sales Team')] });
    expect(plan.changes).toEqual([
      { target: target('Engineering'), operation: 'remove_member', before: { ...group('Engineering'), type: 'user_group', member: true }, after: { ...group('Engineering'), type: 'user_group', member: false } },
      { target: target('VPN Users'), operation: 'remove_member', before: { ...group('VPN Users'), type: 'user_group', member: true }, after: { ...group('VPN Users'), type: 'user_group', member: false } },
      { target: target('Sales Team'), operation: 'report', result: 'reported', note: 'not a member: nothing to change' },
    ]);
    expect(plan.summary).toBe('would remove from 2 groups; not in 1 group');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('removes him with one call per group, each after its intent, leaving his other groups; a second run makes no mutating call', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(userGroupsRemoveAction, ctx, params());
    expect(result).toEqual({ changed: true, output: { removed: 2, groups: [group('Engineering'), group('VPN Users')], not_member: [group('Sales Team')] }, summary: 'removed from 2 groups; not in 1 group' });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      ['Engineering', 'VPN Users'].map((name) => `POST /api/v2/usergroups/${objectId(emulator, 'usergroups', name)}/members`).sort(),
    );
    expect([...emulator.state.groupsOf(john)].sort()).toEqual(['Backend Developers', 'GitHub Admins', 'On-Call Rotation'].map((name) => objectId(emulator, 'usergroups', name)).sort());
    expect(outcomesOf(ctx.recorded).map((c) => [c.target, c.result])).toEqual(
      expect.arrayContaining([[target('Engineering'), 'changed'], [target('VPN Users'), 'changed'], [target('Sales Team'), 'reported']]),
    );

    const from = emulator.requests().length;
    const again = await runStep(userGroupsRemoveAction, emulatorContext(emulator), params());
    expect(again).toEqual({ changed: false, output: { removed: 0, groups: [], not_member: [group('Engineering'), group('Sales Team'), group('VPN Users')] }, summary: 'removed from 0 groups; not in 3 groups' });
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('counts the groups a killed attempt removed him from after recording only its intents, making no call again', async () => {
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, userGroupsRemoveAction, params());
    expect(intents.map((c) => c.target).sort()).toEqual([target('Engineering'), target('VPN Users')].sort());
    const result = await runStep(userGroupsRemoveAction, resumed, params());
    expect(result).toMatchObject({ changed: true, output: { removed: 2, groups: [group('Engineering'), group('VPN Users')], not_member: [group('Sales Team')] } });
    expect(resumed.recorded.filter((c) => c.result === 'changed').map((c) => c.note)).toEqual([MADE_BEFORE_INTERRUPTION, MADE_BEFORE_INTERRUPTION]);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('refuses a dynamic group, naming it, in run and plan, before any change', async () => {
    const sam = userId(emulator, 'sam.rivera');
    const p = { user_id: sam, groups: ['Contractors (automatic)'], connection: 'jumpcloud' };
    const message = `jumpcloud.user.groups.remove: user group "Contractors (automatic)" (${objectId(emulator, 'usergroups', 'Contractors (automatic)')}, DYNAMIC_AUTOMATED) is a dynamic group: its rule decides who is a member, so a user cannot be removed by hand; remove it from "groups"`;
    const error = await runStep(userGroupsRemoveAction, emulatorContext(emulator), p).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'JUMPCLOUD_DYNAMIC_GROUP', message });
    await expect(planStep(userGroupsRemoveAction, emulatorContext(emulator, { dryRun: true }), p)).rejects.toMatchObject({ code: 'JUMPCLOUD_DYNAMIC_GROUP', message });
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('says which entry names no group, before any change', async () => {
    const missing = await runStep(userGroupsRemoveAction, emulatorContext(emulator), { user_id: john, groups: ['Engineering', 'engineering'], connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('jumpcloud.user.groups.remove: groups[1] "engineering": no JumpCloud user group has this id or name');
    expect(mutatingRequests(emulator)).toEqual([]);
  });
});
