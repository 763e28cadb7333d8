import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userSystemsUnbindAction } from '../../../../actions/jumpcloud/actions/user-systems-unbind.js';
import { MADE_BEFORE_INTERRUPTION } from '../../../../actions/jumpcloud/actions/change-intent.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, objectId, outcomesOf, planStep, runStep, userId } from './support/emulator-context.js';

let emulator: RunningEmulator;
let john: string;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'systems-unbind' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  john = userId(emulator, 'john.smith');
});

const system = (name: string) => ({ id: objectId(emulator, 'systems', name), name });
const target = (name: string) => `system "${name}" (${objectId(emulator, 'systems', name)})`;
const boundTo = (name: string) => emulator.state.associations(john).some((e) => e.toType === 'system' && e.toId === objectId(emulator, 'systems', name));
/** john.smith is bound directly to build-server-01 (with sudo) and ci-runner-01, not to HR-WS-01. */
const params = () => ({ user_id: john, systems: ['build-server-01', objectId(emulator, 'systems', 'ci-runner-01'), 'HR-WS-01'], connection: 'jumpcloud' });

describe('jumpcloud.user.systems.unbind', () => {
  it('plans by name with before and after (the sudo attributes too), a system he is not bound to as unchanged, without one mutating request', async () => {
    const plan = await planStep(userSystemsUnbindAction, emulatorContext(emulator, { dryRun: true }), params());
    expect(plan.output).toEqual({ unbound: 2, systems: [system('build-server-01'), system('ci-runner-01')], not_bound: [system('HR-WS-01')], via_groups: [] });
    expect(plan.changes).toEqual([
      {
        target: target('build-server-01'),
        operation: 'unbind',
        before: { ...system('build-server-01'), type: 'system', bound: true, attributes: { sudo: { enabled: true, withoutPassword: false } } },
        after: { ...system('build-server-01'), type: 'system', bound: false },
      },
      { target: target('ci-runner-01'), operation: 'unbind', before: { ...system('ci-runner-01'), type: 'system', bound: true }, after: { ...system('ci-runner-01'), type: 'system', bound: false } },
      { target: target('HR-WS-01'), operation: 'report', result: 'reported', note: 'not bound directly: nothing to change' },
    ]);
    expect(plan.summary).toBe('would unbind from 2 systems; not bound directly to 1 system');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('unbinds him with one call per system, each after its intent; a second run changes nothing and makes no mutating call', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(userSystemsUnbindAction, ctx, params());
    expect(result).toEqual({ changed: true, output: { unbound: 2, systems: [system('build-server-01'), system('ci-runner-01')], not_bound: [system('HR-WS-01')], via_groups: [] }, summary: 'unbound from 2 systems; not bound directly to 1 system' });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/v2/users/${john}/associations`, `POST /api/v2/users/${john}/associations`]);
    expect(boundTo('build-server-01')).toBe(false);
    expect(boundTo('ci-runner-01')).toBe(false);
    expect(boundTo('dev-db-01')).toBe(true);
    expect(outcomesOf(ctx.recorded).map((c) => [c.target, c.result])).toEqual(expect.arrayContaining([[target('build-server-01'), 'changed'], [target('ci-runner-01'), 'changed'], [target('HR-WS-01'), 'reported']]));

    const from = emulator.requests().length;
    const again = await runStep(userSystemsUnbindAction, emulatorContext(emulator), params());
    expect(again).toEqual({ changed: false, output: { unbound: 0, systems: [], not_bound: [system('build-server-01'), system('ci-runner-01'), system('HR-WS-01')], via_groups: [] }, summary: 'unbound from 0 systems; not bound directly to 3 systems' });
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('reports a given system the user still reaches through a user group', async () => {
    // tom.wilson is in Finance Team, bound to the Finance Workstations system group (FIN-WS-01, FIN-WS-02); he is bound to FIN-WS-02 directly too.
    const tom = userId(emulator, 'tom.wilson');
    const result = await runStep(userSystemsUnbindAction, emulatorContext(emulator), { user_id: tom, systems: ['FIN-WS-02'], connection: 'jumpcloud' });
    expect(result.output).toEqual({
      unbound: 1,
      systems: [system('FIN-WS-02')],
      not_bound: [],
      via_groups: [{ system: system('FIN-WS-02'), group: { id: objectId(emulator, 'usergroups', 'Finance Team'), name: 'Finance Team', dynamic: false } }],
    });
    expect(result.summary).toBe('unbound from 1 system; 1 access through a group reported');
  });

  it('counts the bindings a killed attempt removed after recording only its intents, making no call again', async () => {
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, userSystemsUnbindAction, params());
    expect(intents.map((c) => c.target).sort()).toEqual([target('build-server-01'), target('ci-runner-01')].sort());
    const result = await runStep(userSystemsUnbindAction, resumed, params());
    expect(result).toMatchObject({ changed: true, output: { unbound: 2, systems: [system('build-server-01'), system('ci-runner-01')], not_bound: [system('HR-WS-01')] } });
    expect(resumed.recorded.filter((c) => c.result === 'changed').map((c) => [c.target, c.note]).sort()).toEqual([
      [target('build-server-01'), MADE_BEFORE_INTERRUPTION],
      [target('ci-runner-01'), MADE_BEFORE_INTERRUPTION],
    ].sort());
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('refuses a protected account in run and plan, and an unknown system, before any change', async () => {
    const admin = userId(emulator, 'admin');
    const connection = { protected_accounts: ['admin'] };
    const p = { user_id: admin, systems: ['bastion-01'], connection: 'jumpcloud' };
    await expect(runStep(userSystemsUnbindAction, emulatorContext(emulator, { connection }), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    await expect(planStep(userSystemsUnbindAction, emulatorContext(emulator, { dryRun: true, connection }), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    const missing = await runStep(userSystemsUnbindAction, emulatorContext(emulator), { user_id: john, systems: ['ci-runner-01', 'no-such-host'], connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('jumpcloud.user.systems.unbind: systems[1] "no-such-host": no JumpCloud system has this id, display name or hostname');
    expect(mutatingRequests(emulator)).toEqual([]);
    expect(boundTo('ci-runner-01')).toBe(true);
  });
});
