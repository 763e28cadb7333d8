import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { createJumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { groupsRemoveAllAction } from '../../../../actions/jumpcloud/actions/groups-remove-all.js';
import { emulatorContext, outcomesOf, loadExampleOrg, mutatingRequests, objectId, userId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'groups' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const params = (user: string) => ({ user_id: userId(emulator, user), connection: 'jumpcloud' });

describe('jumpcloud.user.groups.remove_all', () => {
  it('reports a dynamic group by name, leaves it alone and never counts it, also across a retry', async () => {
    const sam = userId(emulator, 'sam.rivera');
    const contractors = objectId(emulator, 'usergroups', 'Contractors (automatic)');
    const ctx = emulatorContext(emulator);
    const result = await runStep(groupsRemoveAllAction, ctx, params('sam.rivera'));
    expect(result).toEqual({
      changed: false,
      output: { removed: 0, groups: [], dynamic_groups: [{ id: contractors, name: 'Contractors (automatic)', membership_method: 'DYNAMIC_AUTOMATED' }] },
      summary: 'removed from 0 groups; 1 dynamic group reported',
    });
    expect(ctx.recorded).toEqual([expect.objectContaining({ target: `user group "Contractors (automatic)" (${contractors})`, operation: 'report', result: 'reported' })]);
    expect(emulator.state.groupsOf(sam)).toEqual([contractors]);
    expect(mutatingRequests(emulator)).toEqual([]);
    // A retry of the step does not report it a second time in the audit trail.
    const retry = emulatorContext(emulator, { earlierChanges: ctx.recorded, attempt: 2 });
    expect((await runStep(groupsRemoveAllAction, retry, params('sam.rivera'))).output?.dynamic_groups).toHaveLength(1);
    expect(retry.recorded).toEqual([]);
  });

  it('resumes a half-done removal: groups removed by an earlier attempt are counted once, and not removed again', async () => {
    const john = userId(emulator, 'john.smith');
    const first = emulatorContext(emulator);
    // The earlier attempt removed two groups and recorded them, then failed.
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey });
    const [engineering, vpn] = [objectId(emulator, 'usergroups', 'Engineering'), objectId(emulator, 'usergroups', 'VPN Users')];
    for (const [id, name] of [[engineering, 'Engineering'], [vpn, 'VPN Users']] as const) {
      await client.removeUserFromGroup(id, john);
      first.changes.record({
        target: `user group "${name}" (${id})`,
        operation: 'remove_member',
        before: { id, name, type: 'user_group', member: true },
        after: { id, name, type: 'user_group', member: false },
        result: 'changed',
      });
    }
    const from = emulator.requests().length;
    const retry = emulatorContext(emulator, { earlierChanges: first.recorded, attempt: 2 });
    const result = await runStep(groupsRemoveAllAction, retry, { user_id: john, connection: 'jumpcloud' });
    expect(result.changed).toBe(true);
    expect(result.output?.removed).toBe(5);
    expect(result.output?.groups.map((g) => g.name).sort()).toEqual(['Backend Developers', 'Engineering', 'GitHub Admins', 'On-Call Rotation', 'VPN Users']);
    expect(outcomesOf(retry.recorded).map((c) => c.target)).toHaveLength(3);
    expect(mutatingRequests(emulator, from)).toHaveLength(3);
    expect(emulator.state.groupsOf(john)).toEqual([]);
  });

  it('after a kill with removals in flight, counts those JumpCloud made (intent recorded, outcome not) and makes the rest', async () => {
    const john = userId(emulator, 'john.smith');
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey });
    const plan = await planStep(groupsRemoveAllAction, emulatorContext(emulator, { dryRun: true }), params('john.smith'));
    const removals = plan.changes.filter((c) => c.operation === 'remove_member');
    expect(removals).toHaveLength(5);
    // The killed attempt recorded the intents of four removals; JumpCloud made three; no outcome was recorded.
    const intents = removals.slice(0, 4).map((c) => ({ ...c, result: 'started' as const }));
    for (const change of removals.slice(0, 3)) await client.removeUserFromGroup((change.before as { id: string }).id, john);
    const from = emulator.requests().length;
    const resumed = emulatorContext(emulator, { earlierChanges: intents, attempt: 2 });
    const result = await runStep(groupsRemoveAllAction, resumed, params('john.smith'));
    expect(result).toMatchObject({ changed: true, output: { removed: 5 }, summary: 'removed from 5 groups' });
    expect(result.output?.groups.map((g) => g.name).sort()).toEqual(['Backend Developers', 'Engineering', 'GitHub Admins', 'On-Call Rotation', 'VPN Users']);
    const outcomes = outcomesOf(resumed.recorded.filter((c) => c.note === undefined));
    expect(outcomes.map((c) => c.result)).toEqual(['changed', 'changed']);
    const found = resumed.recorded.filter((c) => c.note?.includes('made before the interruption') === true);
    expect(found.map((c) => c.target).sort()).toEqual(removals.slice(0, 3).map((c) => c.target).sort());
    expect(found.every((c) => c.result === 'changed')).toBe(true);
    // The one in flight that never reached JumpCloud and the one not started are made now, once each.
    expect(mutatingRequests(emulator, from)).toHaveLength(2);
    expect(emulator.state.groupsOf(john)).toEqual([]);
    // A second run (no earlier intents) finds the user in no group and reports zero.
    const second = emulatorContext(emulator);
    expect(await runStep(groupsRemoveAllAction, second, params('john.smith'))).toEqual({ changed: false, output: { removed: 0, groups: [], dynamic_groups: [] }, summary: 'removed from 0 groups' });
    expect(second.recorded).toEqual([]);
  });

  it('counts a group someone else removed while the step ran as unchanged: no intent of this step names it', async () => {
    const john = userId(emulator, 'john.smith');
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey });
    const plan = await planStep(groupsRemoveAllAction, emulatorContext(emulator, { dryRun: true }), params('john.smith'));
    const [gone] = plan.changes;
    if (gone === undefined) throw new Error('john.smith is in no group');
    // An earlier attempt recorded an intent for another group only; this one was removed by someone else.
    await client.removeUserFromGroup((gone.before as { id: string }).id, john);
    const other = plan.changes[1];
    if (other === undefined) throw new Error('john.smith is in one group only');
    const resumed = emulatorContext(emulator, { earlierChanges: [{ ...other, result: 'started' }], attempt: 2 });
    const result = await runStep(groupsRemoveAllAction, resumed, params('john.smith'));
    expect(result.output?.removed).toBe(4);
    expect(result.output?.groups.map((g) => g.id)).not.toContain((gone.before as { id: string }).id);
  });

  it('plans the removals by name without changing anything', async () => {
    const ctx = emulatorContext(emulator, { dryRun: true });
    const plan = await planStep(groupsRemoveAllAction, ctx, params('maria.garcia'));
    const finance = objectId(emulator, 'usergroups', 'Finance Team');
    expect(plan).toEqual({
      changes: [
        {
          target: `user group "Finance Team" (${finance})`,
          operation: 'remove_member',
          before: { id: finance, name: 'Finance Team', type: 'user_group', member: true },
          after: { id: finance, name: 'Finance Team', type: 'user_group', member: false },
        },
      ],
      output: { removed: 1, groups: [{ id: finance, name: 'Finance Team' }], dynamic_groups: [] },
      summary: 'would remove from 1 group',
    });
    expect(mutatingRequests(emulator)).toEqual([]);
  });
});
