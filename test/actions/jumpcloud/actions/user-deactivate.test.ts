import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, PermanentError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userDeactivateAction } from '../../../../actions/jumpcloud/actions/user-deactivate.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, outcomesOf, userId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'deactivate' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const DAY = 86_400_000;
type Mode = 'disable' | 'delete';
const params = (user: string, mode: Mode, extra: { cascade_manager?: string; retention_days?: number; org_id?: string } = {}) => ({
  user_id: user,
  mode,
  cascade_manager: extra.cascade_manager ?? 'clear',
  connection: 'jumpcloud',
  ...(extra.retention_days === undefined ? {} : { retention_days: extra.retention_days }),
  ...(extra.org_id === undefined ? {} : { org_id: extra.org_id }),
});

/** The users whose manager is `managerId`, by username. */
function reportsOf(managerId: string): string[] {
  return emulator.state.users().filter((u) => u.manager === managerId).map((u) => u.username).sort();
}

describe('jumpcloud.user.deactivate, mode disable', () => {
  it('suspends once; a second run is unchanged and says the account was already suspended', async () => {
    const john = userId(emulator, 'john.smith');
    const ctx = emulatorContext(emulator);
    expect(await runStep(userDeactivateAction, ctx, params(john, 'disable'))).toEqual({
      changed: true,
      output: { account_status: 'disabled', previous_state: 'ACTIVATED' },
      summary: 'suspended',
    });
    expect(outcomesOf(ctx.recorded)).toEqual([
      {
        target: `user "john.smith" (${john})`,
        operation: 'suspend',
        before: { id: john, name: 'john.smith', type: 'user', state: 'ACTIVATED', suspended: false },
        after: { id: john, name: 'john.smith', type: 'user', state: 'SUSPENDED', suspended: true },
        result: 'changed',
      },
    ]);
    expect(emulator.state.user(john)).toMatchObject({ state: 'SUSPENDED', suspended: true });
    const from = emulator.requests().length;
    expect(await runStep(userDeactivateAction, emulatorContext(emulator), params(john, 'disable'))).toEqual({
      changed: false,
      output: { account_status: 'disabled', previous_state: 'SUSPENDED' },
      summary: 'already suspended',
    });
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('schedules the deferred deletion once, also across a retry', async () => {
    const john = userId(emulator, 'john.smith');
    const ctx = emulatorContext(emulator);
    const result = await runStep(userDeactivateAction, ctx, params(john, 'disable', { retention_days: 30, org_id: '5e00000000000000000000a1' }));
    expect(ctx.timers).toEqual([
      {
        due: 30 * DAY,
        action: 'jumpcloud.user.delete_if_suspended',
        params: { user_id: john, connection: 'jumpcloud', org_id: '5e00000000000000000000a1' },
        key: `jumpcloud:delete:${john}`,
        description: 'Delete john.smith after 30 days of retention',
      },
    ]);
    const dueAt = result.output?.deletion_scheduled_at as string;
    expect(Date.parse(dueAt) - Date.now()).toBeGreaterThan(29 * DAY);
    expect(result.summary).toBe(`suspended; deletion scheduled for ${dueAt}`);
    // A retry after the step had recorded everything schedules nothing new and reports the same due date.
    const retry = emulatorContext(emulator, { earlierChanges: ctx.recorded, attempt: 2 });
    expect(await runStep(userDeactivateAction, retry, params(john, 'disable', { retention_days: 30 }))).toMatchObject({
      changed: true,
      output: { account_status: 'disabled', previous_state: 'ACTIVATED', deletion_scheduled_at: dueAt },
    });
    expect(retry.timers).toEqual([]);
  });

  it('after a kill between the suspension and its outcome, the resumed step counts it and still schedules the deletion', async () => {
    const john = userId(emulator, 'john.smith');
    // The killed attempt recorded its intent; JumpCloud suspended the account; nothing more was recorded.
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, userDeactivateAction, params(john, 'disable'));
    expect(intents.map((c) => c.operation)).toEqual(['suspend']);
    const result = await runStep(userDeactivateAction, resumed, params(john, 'disable', { retention_days: 30 }));
    expect(result).toMatchObject({ changed: true, output: { account_status: 'disabled', previous_state: 'ACTIVATED', deletion_scheduled_at: expect.any(String) } });
    expect(result.summary).toMatch(/^suspended; deletion scheduled for /);
    expect(resumed.recorded[0]).toMatchObject({ operation: 'suspend', result: 'changed', note: expect.stringContaining('made before the interruption'), before: { state: 'ACTIVATED' } });
    expect(resumed.timers).toHaveLength(1);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('does not schedule a deletion for an account that was suspended before, and says so', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(userDeactivateAction, ctx, params(userId(emulator, 'ryan.oconnor'), 'disable', { retention_days: 30 }));
    expect(result).toMatchObject({ changed: false, output: { account_status: 'disabled', previous_state: 'SUSPENDED' } });
    expect(result.output?.deletion_scheduled_at).toBeUndefined();
    expect(ctx.timers).toEqual([]);
    expect(ctx.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('no deletion is scheduled') }));
  });

  it('plans the suspension and the timer without changing anything', async () => {
    const john = userId(emulator, 'john.smith');
    const plan = await planStep(userDeactivateAction, emulatorContext(emulator, { dryRun: true }), params(john, 'disable', { retention_days: 7 }));
    expect(plan.changes.map((c) => [c.operation, c.target])).toEqual([
      ['suspend', `user "john.smith" (${john})`],
      ['schedule_deletion', `timer jumpcloud:delete:${john}`],
    ]);
    expect(plan.output).toMatchObject({ account_status: 'disabled', previous_state: 'ACTIVATED', deletion_scheduled_at: expect.any(String) });
    expect(mutatingRequests(emulator)).toEqual([]);
  });
});

describe('protected accounts', () => {
  it('are not disabled or deleted, whatever the lookup said', async () => {
    const admin = userId(emulator, 'admin');
    for (const mode of ['disable', 'delete'] as const) {
      const ctx = emulatorContext(emulator, { connection: { protected_accounts: ['Admin@company.com'] } });
      const error = await runStep(userDeactivateAction, ctx, params(admin, mode)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).code).toBe('PROTECTED_ACCOUNT');
      expect((error as Error).message).toContain(mode === 'delete' ? 'so it is not deleted; nothing was changed' : 'so it is not disabled; nothing was changed');
      const planError = await planStep(userDeactivateAction, emulatorContext(emulator, { dryRun: true, connection: { protected_accounts: [admin] } }), params(admin, mode)).catch((e: unknown) => e);
      expect((planError as PermanentError).code).toBe('PROTECTED_ACCOUNT');
    }
    expect(emulator.state.user(admin)?.state).toBe('ACTIVATED');
    expect(mutatingRequests(emulator)).toEqual([]);
  });
});

describe('jumpcloud.user.deactivate, mode delete', () => {
  it('with cascade_manager none refuses to delete a manager, naming the reports', async () => {
    const jane = userId(emulator, 'jane.doe');
    const error = await runStep(userDeactivateAction, emulatorContext(emulator), params(jane, 'delete', { cascade_manager: 'none' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('JUMPCLOUD_USER_HAS_REPORTS');
    expect((error as Error).message).toContain('john.smith');
    expect(emulator.state.user(jane)).toBeDefined();
    expect(mutatingRequests(emulator)).toEqual([]);
    // Someone who manages nobody is deleted with "none".
    const john = userId(emulator, 'john.smith');
    expect((await runStep(userDeactivateAction, emulatorContext(emulator), params(john, 'delete', { cascade_manager: 'none' }))).output).toEqual({ account_status: 'deleted', previous_state: 'ACTIVATED' });
    expect(emulator.requests().find((r) => r.method === 'DELETE')?.query).toBe('');
  });

  it('with clear, deletes and clears the reports\' manager', async () => {
    const jane = userId(emulator, 'jane.doe');
    const reports = reportsOf(jane);
    expect(reports).toContain('john.smith');
    const ctx = emulatorContext(emulator);
    expect(await runStep(userDeactivateAction, ctx, params(jane, 'delete', { cascade_manager: 'clear' }))).toEqual({
      changed: true,
      output: { account_status: 'deleted', previous_state: 'ACTIVATED' },
      summary: 'deleted',
    });
    expect(emulator.state.user(jane)).toBeUndefined();
    for (const name of reports) expect(emulator.state.user(name)?.manager, name).toBeUndefined();
    expect(outcomesOf(ctx.recorded).filter((c) => c.operation === 'clear_manager').map((c) => (c.before as { name: string }).name).sort()).toEqual(reports);
    expect(emulator.requests().find((r) => r.method === 'DELETE')?.query).toBe('cascade_manager=null');
    // Already gone: unchanged.
    expect(await runStep(userDeactivateAction, emulatorContext(emulator), params(jane, 'delete'))).toEqual({
      changed: false,
      output: { account_status: 'deleted', previous_state: 'DELETED' },
      summary: 'already deleted',
    });
  });

  it('after a kill between the deletion and its outcome, the resumed step counts the deletion and the reports\' new managers', async () => {
    const jane = userId(emulator, 'jane.doe');
    const reports = reportsOf(jane);
    const { intents, resumed } = await killedAfterTheCalls(emulator, userDeactivateAction, params(jane, 'delete', { cascade_manager: 'clear' }));
    expect(intents).toHaveLength(1 + reports.length);
    expect(await runStep(userDeactivateAction, resumed, params(jane, 'delete', { cascade_manager: 'clear' }))).toEqual({
      changed: true,
      output: { account_status: 'deleted', previous_state: 'ACTIVATED' },
      summary: 'deleted',
    });
    expect(resumed.recorded.every((c) => c.result === 'changed' && c.note?.includes('made before the interruption') === true)).toBe(true);
    expect(resumed.recorded.filter((c) => c.operation === 'clear_manager').map((c) => (c.before as { name: string }).name).sort()).toEqual(reports);
  });

  it('with manager, moves the reports to the deleted user\'s own manager', async () => {
    const jane = userId(emulator, 'jane.doe');
    const michael = userId(emulator, 'michael.chen');
    const reports = reportsOf(jane);
    const plan = await planStep(userDeactivateAction, emulatorContext(emulator, { dryRun: true }), params(jane, 'delete', { cascade_manager: 'manager' }));
    expect(plan.changes.filter((c) => c.operation === 'reassign_manager')).toHaveLength(reports.length);
    expect(plan.changes[0]).toMatchObject({ operation: 'delete', target: `user "jane.doe" (${jane})`, note: `cascade_manager=${michael}` });
    await runStep(userDeactivateAction, emulatorContext(emulator), params(jane, 'delete', { cascade_manager: 'manager' }));
    for (const name of reports) expect(emulator.state.user(name)?.manager, name).toBe(michael);
  });

  it('with a user id, moves the reports to that user', async () => {
    const jane = userId(emulator, 'jane.doe');
    const grace = userId(emulator, 'grace.lee');
    const reports = reportsOf(jane).filter((name) => name !== 'grace.lee');
    await runStep(userDeactivateAction, emulatorContext(emulator), params(jane, 'delete', { cascade_manager: grace }));
    for (const name of reports) expect(emulator.state.user(name)?.manager, name).toBe(grace);
    const self = await runStep(userDeactivateAction, emulatorContext(emulator), params(grace, 'delete', { cascade_manager: grace })).catch((e: unknown) => e);
    expect((self as PermanentError).message).toContain('cannot be the user being deleted');
  });

  it('cannot disable a user that no longer exists', async () => {
    const error = await runStep(userDeactivateAction, emulatorContext(emulator), params('0123456789abcdef01234567', 'disable')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
  });
});
