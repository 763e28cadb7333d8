import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { mfaClearAction } from '../../../../actions/jumpcloud/actions/mfa-clear.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, outcomesOf, userId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'mfa' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

describe('jumpcloud.user.mfa.clear', () => {
  it('deletes the push endpoint by name, then resets TOTP, with no grace period to enrol again', async () => {
    const john = userId(emulator, 'john.smith');
    const ctx = emulatorContext(emulator);
    const result = await runStep(mfaClearAction, ctx, { user_id: john, connection: 'jumpcloud' });
    expect(result).toEqual({ changed: true, output: { cleared: true, totp_reset: true, push_endpoints_removed: 1 }, summary: 'MFA reset; 1 push endpoint deleted' });
    const outcomes = outcomesOf(ctx.recorded);
    expect(outcomes.map((c) => [c.operation, c.target, c.result])).toEqual([
      ['delete', expect.stringMatching(/^push endpoint "John's iPhone" \([0-9a-f]{24}\)$/), 'changed'],
      ['reset', `MFA of user "john.smith" (${john})`, 'changed'],
    ]);
    expect(outcomes[0]?.before).toMatchObject({ present: true, device: 'Apple iPhone 15' });
    expect(outcomes[0]?.after).toMatchObject({ present: false, device: 'Apple iPhone 15' });
    const after = emulator.state.user(john);
    expect(after).toMatchObject({ totp_enabled: false, mfa: { configured: false, exclusion: false }, mfaEnrollment: { totpStatus: 'NOT_ENROLLED' } });
    expect(emulator.state.pushEndpoints(john)).toEqual([]);
    const from = emulator.requests().length;
    expect(await runStep(mfaClearAction, emulatorContext(emulator), { user_id: john, connection: 'jumpcloud' })).toEqual({
      changed: false,
      output: { cleared: false, totp_reset: false, push_endpoints_removed: 0 },
      summary: 'no MFA to clear',
    });
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('does not reset MFA for a user who never set it up', async () => {
    const lee = userId(emulator, 'lee.wong');
    const plan = await planStep(mfaClearAction, emulatorContext(emulator, { dryRun: true }), { user_id: lee, connection: 'jumpcloud' });
    expect(plan).toEqual({ changes: [], output: { cleared: false, totp_reset: false, push_endpoints_removed: 0 }, summary: 'no MFA to clear' });
    expect((await runStep(mfaClearAction, emulatorContext(emulator), { user_id: lee, connection: 'jumpcloud' })).changed).toBe(false);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('after an attempt that deleted the push endpoint and failed, the retry resets TOTP and still counts the endpoint', async () => {
    const john = userId(emulator, 'john.smith');
    const first = emulatorContext(emulator);
    // What the first attempt recorded before the reset failed.
    const endpoint = emulator.state.pushEndpoints(john)[0];
    if (endpoint === undefined) throw new Error('john.smith has no push endpoint in the example org');
    await fetch(`${emulator.url}/api/v2/users/${john}/pushendpoints/${endpoint.id}`, { method: 'DELETE', headers: { 'x-api-key': emulator.apiKey } });
    first.changes.record({
      target: `push endpoint "${endpoint.name}" (${endpoint.id})`,
      operation: 'delete',
      before: { id: endpoint.id, name: endpoint.name, type: 'push_endpoint', present: true },
      after: { id: endpoint.id, name: endpoint.name, type: 'push_endpoint', present: false },
      result: 'changed',
    });
    const retry = emulatorContext(emulator, { earlierChanges: first.recorded, attempt: 2 });
    expect((await runStep(mfaClearAction, retry, { user_id: john, connection: 'jumpcloud' })).output).toEqual({ cleared: true, totp_reset: true, push_endpoints_removed: 1 });
    expect(outcomesOf(retry.recorded).map((c) => c.operation)).toEqual(['reset']);
  });

  it('counts a reset and a deletion the killed attempt made after recording their intents, but not their outcomes', async () => {
    const john = userId(emulator, 'john.smith');
    // The first attempt recorded both intents, JumpCloud made both changes, and the process died.
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, mfaClearAction, { user_id: john, connection: 'jumpcloud' });
    expect(intents.map((c) => c.operation)).toEqual(['delete', 'reset']);
    const result = await runStep(mfaClearAction, resumed, { user_id: john, connection: 'jumpcloud' });
    expect(result).toEqual({ changed: true, output: { cleared: true, totp_reset: true, push_endpoints_removed: 1 }, summary: 'MFA reset; 1 push endpoint deleted' });
    expect(resumed.recorded.map((c) => [c.operation, c.result, c.note])).toEqual([
      ['delete', 'changed', expect.stringContaining('made before the interruption')],
      ['reset', 'changed', expect.stringContaining('made before the interruption')],
    ]);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });
});
