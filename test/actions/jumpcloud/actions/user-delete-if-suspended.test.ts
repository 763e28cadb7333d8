import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { createJumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { userDeleteIfSuspendedAction } from '../../../../actions/jumpcloud/actions/user-delete-if-suspended.js';
import { userDeactivateAction } from '../../../../actions/jumpcloud/actions/user-deactivate.js';
import { emulatorContext, outcomesOf, loadExampleOrg, mutatingRequests, userId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'delete-if-suspended' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

describe('jumpcloud.user.delete_if_suspended', () => {
  it('deletes a user still suspended when the timer fires, with the parameters the deactivate step scheduled', async () => {
    const john = userId(emulator, 'john.smith');
    const deactivate = emulatorContext(emulator);
    await runStep(userDeactivateAction, deactivate, { user_id: john, mode: 'disable', cascade_manager: 'clear', retention_days: 30, connection: 'jumpcloud' });
    const timer = deactivate.timers[0];
    expect(timer?.action).toBe('jumpcloud.user.delete_if_suspended');
    const ctx = emulatorContext(emulator);
    const result = await runStep(userDeleteIfSuspendedAction, ctx, { cascade_manager: 'clear', ...(timer?.params as { user_id: string; connection: string }) });
    expect(result).toEqual({ changed: true, output: { deleted: true, reason: 'still suspended after the retention period' }, summary: 'deleted john.smith' });
    expect(emulator.state.user(john)).toBeUndefined();
    expect(outcomesOf(ctx.recorded).map((c) => c.operation)).toEqual(['delete']);
    // Fired again (a new run, which knows nothing of this one): unchanged.
    expect(await runStep(userDeleteIfSuspendedAction, emulatorContext(emulator), { user_id: john, cascade_manager: 'clear', connection: 'jumpcloud' })).toEqual({
      changed: false,
      output: { deleted: false, reason: 'user no longer exists' },
      summary: 'user no longer exists',
    });
    const retry = emulatorContext(emulator, { earlierChanges: ctx.recorded, attempt: 2 });
    expect((await runStep(userDeleteIfSuspendedAction, retry, { user_id: john, cascade_manager: 'clear', connection: 'jumpcloud' })).output).toEqual({ deleted: true, reason: 'still suspended after the retention period' });
    // Retried after the delete landed but before its outcome was recorded (only the intent was): deleted by this step.
    const interrupted = emulatorContext(emulator, { earlierChanges: ctx.recorded.filter((c) => c.result === 'started'), attempt: 2 });
    expect(await runStep(userDeleteIfSuspendedAction, interrupted, { user_id: john, cascade_manager: 'clear', connection: 'jumpcloud' })).toEqual({
      changed: true,
      output: { deleted: true, reason: 'still suspended after the retention period' },
      summary: 'still suspended after the retention period',
    });
    expect(interrupted.recorded).toEqual([expect.objectContaining({ operation: 'delete', result: 'changed', note: expect.stringContaining('made before the interruption') })]);
  });

  it('never deletes a reactivated user', async () => {
    const john = userId(emulator, 'john.smith');
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey });
    await client.suspendUser(john);
    await client.activateUser(john);
    const from = emulator.requests().length;
    const plan = await planStep(userDeleteIfSuspendedAction, emulatorContext(emulator, { dryRun: true }), { user_id: john, cascade_manager: 'clear', connection: 'jumpcloud' });
    expect(plan).toEqual({ changes: [], output: { deleted: false, reason: 'user was reactivated' }, summary: 'would keep: user was reactivated' });
    expect(await runStep(userDeleteIfSuspendedAction, emulatorContext(emulator), { user_id: john, cascade_manager: 'clear', connection: 'jumpcloud' })).toEqual({
      changed: false,
      output: { deleted: false, reason: 'user was reactivated' },
      summary: 'kept: user was reactivated',
    });
    expect(emulator.state.user(john)?.state).toBe('ACTIVATED');
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('refuses a protected account even when it is suspended', async () => {
    const admin = userId(emulator, 'admin');
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey });
    await client.suspendUser(admin);
    const error = await runStep(userDeleteIfSuspendedAction, emulatorContext(emulator, { connection: { protected_accounts: ['admin'] } }), { user_id: admin, cascade_manager: 'clear', connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('PROTECTED_ACCOUNT');
    expect(emulator.state.user(admin)).toBeDefined();
  });
});
