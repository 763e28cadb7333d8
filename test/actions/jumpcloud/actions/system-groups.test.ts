import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { systemGroupsAddAction } from '../../../../actions/jumpcloud/actions/system-groups-add.js';
import { systemGroupsRemoveAction } from '../../../../actions/jumpcloud/actions/system-groups-remove.js';
import { MADE_BEFORE_INTERRUPTION } from '../../../../actions/jumpcloud/actions/change-intent.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, objectId, outcomesOf, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'system-groups' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const system = (name: string) => ({ id: objectId(emulator, 'systems', name), name });
const group = (name: string) => ({ id: objectId(emulator, 'systemgroups', name), name });
const pair = (s: string, g: string) => ({ system: system(s), group: group(g) });
const target = (s: string, g: string) => `system "${s}" (${objectId(emulator, 'systems', s)}) in system group "${g}" (${objectId(emulator, 'systemgroups', g)})`;
const ends = (s: string, g: string) => ({ system: system(s), system_group: group(g) });
const groupsOf = (s: string) => emulator.state.systemGroupsOf(objectId(emulator, 'systems', s));
const membersPath = (g: string) => `POST /api/v2/systemgroups/${objectId(emulator, 'systemgroups', g)}/members`;

/** FIN-WS-01 is in Finance Workstations already; SALES-LT-07 (by id) and HR-WS-01 (by hostname) are not. */
const addParams = () => ({ systems: ['FIN-WS-01', objectId(emulator, 'systems', 'SALES-LT-07'), 'HR-WS-01'], groups: ['Finance Workstations'], connection: 'jumpcloud' });

async function seedGroups(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${emulator.url}/__sandbox/seed`, { method: 'POST', headers: { 'x-api-key': emulator.apiKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

describe('jumpcloud.system.groups.add', () => {
  it('plans each membership by name with before and after, one already in place as unchanged, without one mutating request', async () => {
    const plan = await planStep(systemGroupsAddAction, emulatorContext(emulator, { dryRun: true }), addParams());
    expect(plan.output).toEqual({ changed: 2, memberships: [pair('HR-WS-01', 'Finance Workstations'), pair('SALES-LT-07', 'Finance Workstations')], untouched: [pair('FIN-WS-01', 'Finance Workstations')] });
    expect(plan.changes).toEqual([
      { target: target('HR-WS-01', 'Finance Workstations'), operation: 'add_member', before: { ...ends('HR-WS-01', 'Finance Workstations'), member: false }, after: { ...ends('HR-WS-01', 'Finance Workstations'), member: true } },
      { target: target('SALES-LT-07', 'Finance Workstations'), operation: 'add_member', before: { ...ends('SALES-LT-07', 'Finance Workstations'), member: false }, after: { ...ends('SALES-LT-07', 'Finance Workstations'), member: true } },
      { target: target('FIN-WS-01', 'Finance Workstations'), operation: 'report', result: 'reported', note: 'already a member: nothing to change' },
    ]);
    expect(plan.summary).toBe('would add 2 memberships; 1 membership already as asked');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('adds each system with one call per membership, each after its intent; a second run changes nothing and makes no mutating call', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(systemGroupsAddAction, ctx, addParams());
    expect(result).toEqual({
      changed: true,
      output: { changed: 2, memberships: [pair('HR-WS-01', 'Finance Workstations'), pair('SALES-LT-07', 'Finance Workstations')], untouched: [pair('FIN-WS-01', 'Finance Workstations')] },
      summary: 'added 2 memberships; 1 membership already as asked',
    });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual([membersPath('Finance Workstations'), membersPath('Finance Workstations')]);
    expect(groupsOf('SALES-LT-07')).toEqual([group('Finance Workstations').id]);
    expect(groupsOf('HR-WS-01')).toEqual([group('Finance Workstations').id]);
    expect(outcomesOf(ctx.recorded).map((c) => [c.target, c.result])).toEqual(expect.arrayContaining([
      [target('HR-WS-01', 'Finance Workstations'), 'changed'], [target('SALES-LT-07', 'Finance Workstations'), 'changed'], [target('FIN-WS-01', 'Finance Workstations'), 'reported'],
    ]));
    expect(emulator.state.events().filter((e) => e.event_type === 'association_change').map((e) => [e.association?.op, e.association?.connection.to.name])).toEqual(
      expect.arrayContaining([['add', 'HR-WS-01'], ['add', 'SALES-LT-07']]),
    );

    const from = emulator.requests().length;
    const again = await runStep(systemGroupsAddAction, emulatorContext(emulator), addParams());
    expect(again).toEqual({
      changed: false,
      output: { changed: 0, memberships: [], untouched: [pair('FIN-WS-01', 'Finance Workstations'), pair('HR-WS-01', 'Finance Workstations'), pair('SALES-LT-07', 'Finance Workstations')] },
      summary: 'added 0 memberships; 3 memberships already as asked',
    });
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('puts several systems into several groups (the Quarantine group of the sandbox organisation), counting each membership once', async () => {
    const p = { systems: ['prod-web-01', 'prod-web-01', 'staging-web-01'], groups: ['Quarantine', 'Production Servers'], connection: 'jumpcloud' };
    const result = await runStep(systemGroupsAddAction, emulatorContext(emulator), p);
    expect(result.output).toEqual({
      changed: 3,
      memberships: [pair('prod-web-01', 'Quarantine'), pair('staging-web-01', 'Production Servers'), pair('staging-web-01', 'Quarantine')],
      untouched: [pair('prod-web-01', 'Production Servers')],
    });
    expect(groupsOf('staging-web-01').sort()).toEqual([group('Production Servers').id, group('Quarantine').id, group('Staging Servers').id].sort());
  });

  it('counts the memberships a killed attempt added after recording only its intents, making no call again', async () => {
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, systemGroupsAddAction, addParams());
    expect(intents.map((c) => c.target).sort()).toEqual([target('HR-WS-01', 'Finance Workstations'), target('SALES-LT-07', 'Finance Workstations')].sort());
    const result = await runStep(systemGroupsAddAction, resumed, addParams());
    expect(result).toMatchObject({ changed: true, output: { changed: 2, memberships: [pair('HR-WS-01', 'Finance Workstations'), pair('SALES-LT-07', 'Finance Workstations')], untouched: [pair('FIN-WS-01', 'Finance Workstations')] } });
    expect(resumed.recorded.filter((c) => c.result === 'changed').map((c) => [c.target, c.note]).sort()).toEqual([
      [target('HR-WS-01', 'Finance Workstations'), MADE_BEFORE_INTERRUPTION],
      [target('SALES-LT-07', 'Finance Workstations'), MADE_BEFORE_INTERRUPTION],
    ].sort());
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('adds a membership whose intent was recorded but whose call never reached JumpCloud, counting it once', async () => {
    const change = { target: target('SALES-LT-07', 'Finance Workstations'), operation: 'add_member', before: { ...ends('SALES-LT-07', 'Finance Workstations'), member: false }, after: { ...ends('SALES-LT-07', 'Finance Workstations'), member: true } };
    const ctx = emulatorContext(emulator, { earlierChanges: [{ ...change, result: 'started' }], attempt: 2 });
    const result = await runStep(systemGroupsAddAction, ctx, { systems: ['SALES-LT-07'], groups: ['Finance Workstations'], connection: 'jumpcloud' });
    expect(result.output).toEqual({ changed: 1, memberships: [pair('SALES-LT-07', 'Finance Workstations')], untouched: [] });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual([membersPath('Finance Workstations')]);
  });

  it('refuses a dynamic group, naming it, in run and plan, and says which entry names no group or system, all before any change', async () => {
    await seedGroups({ systemgroups: [{ name: 'All Macs', membershipMethod: 'DYNAMIC_AUTOMATED' }] });
    const dynamicId = objectId(emulator, 'systemgroups', 'All Macs');
    const p = { systems: ['JDOE-MBP'], groups: ['Finance Workstations', 'All Macs'], connection: 'jumpcloud' };
    const message = `jumpcloud.system.groups.add: system group "All Macs" (${dynamicId}, DYNAMIC_AUTOMATED) is a dynamic group: its rule decides who is a member, so a system cannot be added by hand; remove it from "groups"`;
    const error = await runStep(systemGroupsAddAction, emulatorContext(emulator), p).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'JUMPCLOUD_DYNAMIC_GROUP', message });
    await expect(planStep(systemGroupsAddAction, emulatorContext(emulator, { dryRun: true }), p)).rejects.toMatchObject({ code: 'JUMPCLOUD_DYNAMIC_GROUP', message });

    const noGroup = await runStep(systemGroupsAddAction, emulatorContext(emulator), { systems: ['JDOE-MBP'], groups: ['Finance Workstations', 'Isolation Ward'], connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(noGroup).toBeInstanceOf(NotFoundError);
    expect((noGroup as Error).message).toBe('jumpcloud.system.groups.add: groups[1] "Isolation Ward": no JumpCloud system group has this id or name');
    const noSystem = await runStep(systemGroupsAddAction, emulatorContext(emulator), { systems: ['JDOE-MBP', 'JDOE-MBP2'], groups: ['Finance Workstations'], connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect((noSystem as Error).message).toBe('jumpcloud.system.groups.add: systems[1] "JDOE-MBP2": no JumpCloud system has this id, display name or hostname');
    expect(mutatingRequests(emulator)).toEqual([]);
    expect(groupsOf('JDOE-MBP')).toEqual([]);
  });
});

describe('jumpcloud.system.groups.remove', () => {
  /** prod-web-01 and prod-db-01 are in Production Servers; bastion-01 is not. */
  const removeParams = () => ({ systems: ['prod-web-01', 'prod-db-01', 'bastion-01'], groups: [objectId(emulator, 'systemgroups', 'Production Servers')], connection: 'jumpcloud' });

  it('plans, removes with one call per membership, reports a non-member, and changes nothing on a second run', async () => {
    const plan = await planStep(systemGroupsRemoveAction, emulatorContext(emulator, { dryRun: true }), removeParams());
    expect(plan.changes).toEqual([
      { target: target('prod-db-01', 'Production Servers'), operation: 'remove_member', before: { ...ends('prod-db-01', 'Production Servers'), member: true }, after: { ...ends('prod-db-01', 'Production Servers'), member: false } },
      { target: target('prod-web-01', 'Production Servers'), operation: 'remove_member', before: { ...ends('prod-web-01', 'Production Servers'), member: true }, after: { ...ends('prod-web-01', 'Production Servers'), member: false } },
      { target: target('bastion-01', 'Production Servers'), operation: 'report', result: 'reported', note: 'not a member: nothing to change' },
    ]);
    expect(plan.summary).toBe('would remove 2 memberships; 1 membership already as asked');
    expect(mutatingRequests(emulator)).toEqual([]);

    const result = await runStep(systemGroupsRemoveAction, emulatorContext(emulator), removeParams());
    expect(result).toEqual({
      changed: true,
      output: { changed: 2, memberships: [pair('prod-db-01', 'Production Servers'), pair('prod-web-01', 'Production Servers')], untouched: [pair('bastion-01', 'Production Servers')] },
      summary: 'removed 2 memberships; 1 membership already as asked',
    });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual([membersPath('Production Servers'), membersPath('Production Servers')]);
    expect(groupsOf('prod-web-01')).toEqual([]);
    expect(emulator.state.events().map((e) => e.association?.op)).toEqual(['remove', 'remove']);

    const from = emulator.requests().length;
    const again = await runStep(systemGroupsRemoveAction, emulatorContext(emulator), removeParams());
    expect(again.changed).toBe(false);
    expect(again.output?.untouched).toHaveLength(3);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('counts the memberships a killed attempt removed, making no call again', async () => {
    const { resumed, from } = await killedAfterTheCalls(emulator, systemGroupsRemoveAction, removeParams());
    const result = await runStep(systemGroupsRemoveAction, resumed, removeParams());
    expect(result.output).toEqual({ changed: 2, memberships: [pair('prod-db-01', 'Production Servers'), pair('prod-web-01', 'Production Servers')], untouched: [pair('bastion-01', 'Production Servers')] });
    expect(resumed.recorded.filter((c) => c.result === 'changed').every((c) => c.note === MADE_BEFORE_INTERRUPTION)).toBe(true);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });
});
