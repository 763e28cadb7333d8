import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEnvironment } from '../../../../engine/cli/environment.js';
import { loadWorkflowSource } from '../../../../engine/loader/load-workflow.js';
import { AmbiguousError, NotFoundError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userSystemsBindAction } from '../../../../actions/jumpcloud/actions/user-systems-bind.js';
import { MADE_BEFORE_INTERRUPTION } from '../../../../actions/jumpcloud/actions/change-intent.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, objectId, outcomesOf, planStep, runStep, userId } from './support/emulator-context.js';

let emulator: RunningEmulator;
let john: string;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'systems-bind' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  john = userId(emulator, 'john.smith');
});

const system = (name: string) => ({ id: objectId(emulator, 'systems', name), name });
const target = (name: string) => `system "${name}" (${objectId(emulator, 'systems', name)})`;
const edgeTo = (name: string) => emulator.state.associations(john).find((e) => e.toType === 'system' && e.toId === objectId(emulator, 'systems', name));
/** john.smith is bound to JSMITH-MBP (given by hostname) but not to prod-web-01 (by name) or HR-WS-01 (by id). */
const params = () => ({ user_id: john, systems: ['prod-web-01', objectId(emulator, 'systems', 'HR-WS-01'), 'jsmith-mbp.local'], connection: 'jumpcloud' });

describe('jumpcloud.user.systems.bind', () => {
  it('plans by name with before and after, a system he is already bound to as unchanged, without one mutating request', async () => {
    const plan = await planStep(userSystemsBindAction, emulatorContext(emulator, { dryRun: true }), params());
    expect(plan.output).toEqual({ bound: 2, systems: [system('HR-WS-01'), system('prod-web-01')], sudo_updated: [], already_bound: [system('JSMITH-MBP')] });
    expect(plan.changes).toEqual([
      { target: target('HR-WS-01'), operation: 'bind', before: { ...system('HR-WS-01'), type: 'system', bound: false }, after: { ...system('HR-WS-01'), type: 'system', bound: true } },
      { target: target('prod-web-01'), operation: 'bind', before: { ...system('prod-web-01'), type: 'system', bound: false }, after: { ...system('prod-web-01'), type: 'system', bound: true } },
      { target: target('JSMITH-MBP'), operation: 'report', result: 'reported', note: 'already bound with these sudo options: nothing to change' },
    ]);
    expect(plan.summary).toBe('would bind to 2 systems; already bound to 1 system');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('binds him with one call per system, each after its intent; a second run changes nothing and makes no mutating call', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(userSystemsBindAction, ctx, params());
    expect(result).toEqual({ changed: true, output: { bound: 2, systems: [system('HR-WS-01'), system('prod-web-01')], sudo_updated: [], already_bound: [system('JSMITH-MBP')] }, summary: 'bound to 2 systems; already bound to 1 system' });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/v2/users/${john}/associations`, `POST /api/v2/users/${john}/associations`]);
    expect(edgeTo('prod-web-01')).toEqual({ fromType: 'user', fromId: john, toType: 'system', toId: system('prod-web-01').id });
    expect(edgeTo('HR-WS-01')).toBeDefined();
    expect(outcomesOf(ctx.recorded).map((c) => [c.target, c.result])).toEqual(
      expect.arrayContaining([[target('HR-WS-01'), 'changed'], [target('prod-web-01'), 'changed'], [target('JSMITH-MBP'), 'reported']]),
    );

    const from = emulator.requests().length;
    const again = await runStep(userSystemsBindAction, emulatorContext(emulator), params());
    expect(again).toEqual({ changed: false, output: { bound: 0, systems: [], sudo_updated: [], already_bound: [system('HR-WS-01'), system('JSMITH-MBP'), system('prod-web-01')] }, summary: 'bound to 0 systems; already bound to 3 systems' });
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('binds with the sudo options given, and updates those of a system already bound with others, reporting before and after', async () => {
    const p = { user_id: john, systems: ['prod-db-01', 'build-server-01', 'build-server-02'], sudo: { enabled: true, without_password: true }, connection: 'jumpcloud' };
    const plan = await planStep(userSystemsBindAction, emulatorContext(emulator, { dryRun: true }), p);
    expect(plan.changes).toEqual([
      { target: target('prod-db-01'), operation: 'bind', before: { ...system('prod-db-01'), type: 'system', bound: false }, after: { ...system('prod-db-01'), type: 'system', bound: true, sudo: { enabled: true, without_password: true } } },
      ...['build-server-01', 'build-server-02'].map((name) => ({
        target: target(name),
        operation: 'set_sudo',
        before: { ...system(name), type: 'system', bound: true, sudo: { enabled: true, without_password: false } },
        after: { ...system(name), type: 'system', bound: true, sudo: { enabled: true, without_password: true } },
      })),
    ]);
    const result = await runStep(userSystemsBindAction, emulatorContext(emulator), p);
    expect(result).toEqual({
      changed: true,
      output: { bound: 1, systems: [system('prod-db-01')], sudo_updated: [system('build-server-01'), system('build-server-02')], already_bound: [] },
      summary: 'bound to 1 system; sudo changed on 2 systems',
    });
    for (const name of ['prod-db-01', 'build-server-01', 'build-server-02']) expect(edgeTo(name)?.attributes, name).toEqual({ sudo: { enabled: true, withoutPassword: true } });

    const from = emulator.requests().length;
    const again = await runStep(userSystemsBindAction, emulatorContext(emulator), p);
    expect(again.output).toEqual({ bound: 0, systems: [], sudo_updated: [], already_bound: [system('build-server-01'), system('build-server-02'), system('prod-db-01')] });
    expect(mutatingRequests(emulator, from)).toEqual([]);
    // Without sudo options, an existing binding keeps its own.
    const without = await runStep(userSystemsBindAction, emulatorContext(emulator), { user_id: john, systems: ['build-server-01'], connection: 'jumpcloud' });
    expect(without.changed).toBe(false);
    expect(edgeTo('build-server-01')?.attributes).toEqual({ sudo: { enabled: true, withoutPassword: true } });
  });

  it('counts the bindings a killed attempt made after recording only its intents, making no call again', async () => {
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, userSystemsBindAction, params());
    expect(intents.map((c) => c.target).sort()).toEqual([target('HR-WS-01'), target('prod-web-01')].sort());
    const result = await runStep(userSystemsBindAction, resumed, params());
    expect(result).toMatchObject({ changed: true, output: { bound: 2, systems: [system('HR-WS-01'), system('prod-web-01')], sudo_updated: [], already_bound: [system('JSMITH-MBP')] } });
    expect(resumed.recorded.filter((c) => c.result === 'changed').map((c) => [c.target, c.note]).sort()).toEqual([
      [target('HR-WS-01'), MADE_BEFORE_INTERRUPTION],
      [target('prod-web-01'), MADE_BEFORE_INTERRUPTION],
    ].sort());
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('refuses a protected account in run and plan, before any change, unless the step allows it', async () => {
    const admin = userId(emulator, 'admin');
    const p = { user_id: admin, systems: ['bastion-01'], connection: 'jumpcloud' };
    const connection = { protected_accounts: ['admin@company.com'] };
    await expect(runStep(userSystemsBindAction, emulatorContext(emulator, { connection }), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    await expect(planStep(userSystemsBindAction, emulatorContext(emulator, { dryRun: true, connection }), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    expect(mutatingRequests(emulator)).toEqual([]);
    const allowed = await runStep(userSystemsBindAction, emulatorContext(emulator, { connection }), { ...p, allow_protected: true });
    expect(allowed.changed).toBe(true);
    expect(emulator.state.associations(admin).some((e) => e.toId === objectId(emulator, 'systems', 'bastion-01'))).toBe(true);
  });

  it('says which entry names no system, lists the candidates of a shared name, and refuses sudo without a password but without sudo, all before any change', async () => {
    const missing = await runStep(userSystemsBindAction, emulatorContext(emulator), { user_id: john, systems: ['prod-web-01', 'prod-web-99'], connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as Error).message).toBe('jumpcloud.user.systems.bind: systems[1] "prod-web-99": no JumpCloud system has this id, display name or hostname');

    const seeded = await fetch(`${emulator.url}/__sandbox/seed`, {
      method: 'POST',
      headers: { 'x-api-key': emulator.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ systems: [{ displayName: 'MacBook Pro', hostname: 'mbp-a.local' }, { displayName: 'MacBook Pro', hostname: 'mbp-b.local' }] }),
    });
    const [a, b] = ((await seeded.json()) as { systems: Array<{ _id: string }> }).systems;
    const ambiguous = await planStep(userSystemsBindAction, emulatorContext(emulator, { dryRun: true }), { user_id: john, systems: ['MacBook Pro'], connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(ambiguous).toBeInstanceOf(AmbiguousError);
    expect((ambiguous as AmbiguousError).candidates).toEqual([`MacBook Pro (${a?._id}, hostname mbp-a.local)`, `MacBook Pro (${b?._id}, hostname mbp-b.local)`].sort());
    expect((ambiguous as Error).message).toContain('systems[0] "MacBook Pro": 2 JumpCloud systems have this display name or hostname; give the id of the one meant');
    // The hostname names one of them.
    expect((await planStep(userSystemsBindAction, emulatorContext(emulator, { dryRun: true }), { user_id: john, systems: ['mbp-b.local'], connection: 'jumpcloud' })).output?.systems).toEqual([{ id: b?._id, name: 'MacBook Pro' }]);

    const before = emulator.requests().length;
    const badSudo = await runStep(userSystemsBindAction, emulatorContext(emulator), { user_id: john, systems: ['prod-web-01'], sudo: { enabled: false, without_password: true }, connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(badSudo).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringContaining('sudo.without_password is true but sudo.enabled is false') });
    expect(emulator.requests().length).toBe(before);
    expect(mutatingRequests(emulator)).toEqual([]);

    // The same mistake is found when the template is loaded, before any run.
    const { registry } = await createEnvironment({ cwd: mkdtempSync(join(tmpdir(), 'idflow-bind-')) });
    const template = (sudo: Record<string, boolean>) => JSON.stringify({ id: 'bind', name: 'Bind', steps: [{ id: 'bind', action: 'jumpcloud.user.systems.bind', with: { user_id: john, systems: ['prod-web-01'], sudo } }] });
    const refused = await loadWorkflowSource(template({ enabled: false, without_password: true }), 'bind.json', { registry });
    expect(refused.workflow).toBeUndefined();
    expect(refused.problems.filter((p) => p.severity === 'error').map((p) => p.path)).toContain('/steps/0/with/sudo/enabled');
    const accepted = await loadWorkflowSource(template({ enabled: true, without_password: true }), 'bind.json', { registry });
    expect(accepted.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});
