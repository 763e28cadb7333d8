import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userSetStateAction } from '../../../../actions/jumpcloud/actions/user-set-state.js';
import { MADE_BEFORE_INTERRUPTION } from '../../../../actions/jumpcloud/actions/change-intent.js';
import { compileOutputValidator, compileParamsValidator } from './support/params-validator.js';
import { apiFor } from '../emulator/support/api.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, outcomesOf, planStep, runStep, userId } from './support/emulator-context.js';

let emulator: RunningEmulator;
let nina: string;
let ryan: string;
let john: string;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'set-state' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  nina = userId(emulator, 'nina.lopez');
  ryan = userId(emulator, 'ryan.oconnor');
  john = userId(emulator, 'john.smith');
});

/** Locks john.smith as too many failed logins would (and suspends him, when asked), through the API. */
async function lockJohn(state?: 'SUSPENDED'): Promise<void> {
  const reply = await apiFor(emulator)('PUT', `/api/systemusers/${john}`, { body: { account_locked: true, ...(state === undefined ? {} : { state }) } });
  if (reply.status !== 200) throw new Error(`could not lock john.smith: ${reply.status}`);
}

const target = (name: string, id: string) => `user "${name}" (${id})`;
const stateOf = (id: string, name: string, state: string) => ({ id, name, type: 'user', state, suspended: state === 'SUSPENDED' });

describe('jumpcloud.user.set_state', () => {
  it('plans the activation of a staged user by name, before and after, without one mutating request', async () => {
    const plan = await planStep(userSetStateAction, emulatorContext(emulator, { dryRun: true }), { user_id: 'nina.lopez', state: 'activated', connection: 'jumpcloud' });
    expect(plan.changes).toEqual([{ target: target('nina.lopez', nina), operation: 'activate', before: stateOf(nina, 'nina.lopez', 'STAGED'), after: stateOf(nina, 'nina.lopez', 'ACTIVATED') }]);
    expect(plan.output).toMatchObject({ previous_state: 'STAGED', unlocked: false, user: { username: 'nina.lopez', state: 'STAGED' } });
    expect(plan.summary).toBe('would activate nina.lopez');
    expect(compileOutputValidator(userSetStateAction)(plan.output)).toEqual([]);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('activates a staged user through state/activate (the email choice passed on); a second run makes no mutating call', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(userSetStateAction, ctx, { user_id: nina, state: 'activated', activation_email: false, connection: 'jumpcloud' });
    expect(result).toMatchObject({ changed: true, output: { previous_state: 'STAGED', unlocked: false, user: { id: nina, state: 'ACTIVATED', manager_username: 'david.kim' } }, summary: 'activated nina.lopez' });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/systemusers/${nina}/state/activate`]);
    expect(emulator.state.user(nina)).toMatchObject({ state: 'ACTIVATED', activated: true });
    expect(outcomesOf(ctx.recorded).map((c) => [c.operation, c.result])).toEqual([['activate', 'changed']]);

    const from = emulator.requests().length;
    const again = await runStep(userSetStateAction, emulatorContext(emulator), { user_id: nina, state: 'activated', connection: 'jumpcloud' });
    expect(again).toMatchObject({ changed: false, output: { previous_state: 'ACTIVATED', unlocked: false }, summary: 'unchanged: nina.lopez is already ACTIVATED' });
    for (const output of [result.output, again.output]) expect(compileOutputValidator(userSetStateAction)(output)).toEqual([]);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('restores a suspended user with a PUT of its state, and suspends an active one (already suspended: unchanged)', async () => {
    const restored = await runStep(userSetStateAction, emulatorContext(emulator), { user_id: 'ryan.oconnor@company.com', state: 'activated', connection: 'jumpcloud' });
    expect(restored).toMatchObject({ changed: true, output: { previous_state: 'SUSPENDED', user: { state: 'ACTIVATED', suspended: false } } });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /api/systemusers/${ryan}`]);

    const from = emulator.requests().length;
    const suspended = await runStep(userSetStateAction, emulatorContext(emulator), { user_id: john, state: 'suspended', connection: 'jumpcloud' });
    expect(suspended).toMatchObject({ changed: true, output: { previous_state: 'ACTIVATED', user: { state: 'SUSPENDED', suspended: true } }, summary: 'suspended john.smith' });
    expect(mutatingRequests(emulator, from).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /api/systemusers/${john}`]);
    const next = emulator.requests().length;
    expect(await runStep(userSetStateAction, emulatorContext(emulator), { user_id: john, state: 'suspended', connection: 'jumpcloud' })).toMatchObject({ changed: false, summary: 'unchanged: john.smith is already SUSPENDED' });
    expect(mutatingRequests(emulator, next)).toEqual([]);
  });

  it('unlocks a locked user, planned with before and after; a user not locked is unchanged', async () => {
    await lockJohn();
    const from = emulator.requests().length;
    const plan = await planStep(userSetStateAction, emulatorContext(emulator, { dryRun: true }), { user_id: 'john.smith', unlock: true, connection: 'jumpcloud' });
    expect(plan.changes).toEqual([
      { target: target('john.smith', john), operation: 'unlock', before: { id: john, name: 'john.smith', type: 'user', account_locked: true }, after: { id: john, name: 'john.smith', type: 'user', account_locked: false } },
    ]);
    expect(mutatingRequests(emulator, from)).toEqual([]);
    const result = await runStep(userSetStateAction, emulatorContext(emulator), { user_id: 'john.smith', unlock: true, connection: 'jumpcloud' });
    expect(result).toMatchObject({ changed: true, output: { unlocked: true, previous_state: 'ACTIVATED' }, summary: 'unlocked john.smith' });
    expect(mutatingRequests(emulator, from).map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/systemusers/${john}/unlock`]);
    expect(emulator.state.user(john)).toMatchObject({ account_locked: false, badLoginAttempts: 0 });
    const next = emulator.requests().length;
    expect(await runStep(userSetStateAction, emulatorContext(emulator), { user_id: 'john.smith', unlock: true, connection: 'jumpcloud' })).toMatchObject({ changed: false, output: { unlocked: false } });
    expect(mutatingRequests(emulator, next)).toEqual([]);
  });

  it('counts an activation and an unlock a killed attempt made after recording only their intents, making no call again', async () => {
    await lockJohn('SUSPENDED');
    const p = { user_id: john, state: 'activated' as const, unlock: true, connection: 'jumpcloud' };
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, userSetStateAction, p);
    expect(intents.map((c) => c.operation)).toEqual(['activate', 'unlock']);
    const result = await runStep(userSetStateAction, resumed, p);
    expect(result).toMatchObject({ changed: true, output: { previous_state: 'SUSPENDED', unlocked: true, user: { state: 'ACTIVATED' } }, summary: 'activated and unlocked john.smith' });
    expect(resumed.recorded.filter((c) => c.result === 'changed').map((c) => [c.operation, c.note])).toEqual([
      ['activate', MADE_BEFORE_INTERRUPTION],
      ['unlock', MADE_BEFORE_INTERRUPTION],
    ]);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('refuses a protected account unless allow_protected, in plan and run, before any change', async () => {
    const options = { connection: { protected_accounts: ['admin@company.com'] } };
    const p = { user_id: 'admin', state: 'suspended' as const, connection: 'jumpcloud' };
    await expect(runStep(userSetStateAction, emulatorContext(emulator, options), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT', message: expect.stringContaining('so it is not suspended') });
    await expect(planStep(userSetStateAction, emulatorContext(emulator, { ...options, dryRun: true }), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    expect(mutatingRequests(emulator)).toEqual([]);
    expect(await runStep(userSetStateAction, emulatorContext(emulator, options), { ...p, allow_protected: true })).toMatchObject({ changed: true });
  });

  it('refuses bad parameters before any call: nothing asked, an unknown state, a bad activation email', () => {
    const validate = compileParamsValidator(userSetStateAction);
    expect(validate({ user_id: john })).toEqual([" must have required property 'unlock'", ' must match "then" schema']);
    expect(validate({ user_id: john, unlock: false })).toEqual(['/unlock must be equal to constant', ' must match "then" schema']);
    expect(validate({ user_id: john, state: 'deleted' })).toEqual(['/state must be equal to one of the allowed values']);
    expect(validate({ user_id: john, state: 'activated', activation_email: 'it' })).toContain('/activation_email must match format "email"');
    expect(validate({ user_id: john, state: 'activated', activation_email: 'it@company.com', unlock: true })).toEqual([]);
    expect(validate({ user_id: 'john.smith', unlock: true })).toEqual([]);
  });
});
