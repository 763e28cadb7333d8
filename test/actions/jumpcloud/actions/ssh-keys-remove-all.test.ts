import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { sshKeysRemoveAllAction } from '../../../../actions/jumpcloud/actions/ssh-keys-remove-all.js';
import { emulatorContext, killedAfterTheCalls, outcomesOf, loadExampleOrg, mutatingRequests, userId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;
const JOHNS_KEY_BLOB = 'AAAAC3NzaC1lZDI1NTE5AAAAIDte2K1qQI9CAVJU3UsRYIAokDjUHDETMuPAC+YPiENw';

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'ssh' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

describe('jumpcloud.user.ssh_keys.remove_all', () => {
  it('deletes the key, recording its name and fingerprint but never the key', async () => {
    const john = userId(emulator, 'john.smith');
    const key = emulator.state.user(john)?.ssh_keys[0];
    const plan = await planStep(sshKeysRemoveAllAction, emulatorContext(emulator, { dryRun: true }), { user_id: john, connection: 'jumpcloud' });
    expect(plan.output).toEqual({ removed: 1, keys: [{ id: key?._id, name: 'work-laptop' }] });
    expect(mutatingRequests(emulator)).toEqual([]);
    const ctx = emulatorContext(emulator);
    const result = await runStep(sshKeysRemoveAllAction, ctx, { user_id: john, connection: 'jumpcloud' });
    expect(result).toEqual({ changed: true, output: { removed: 1, keys: [{ id: key?._id, name: 'work-laptop' }] }, summary: 'deleted 1 SSH key' });
    expect(outcomesOf(ctx.recorded)).toEqual([
      {
        target: `SSH key "work-laptop" (${key?._id})`,
        operation: 'delete',
        // ssh-keygen -l prints this fingerprint for the key in examples/sandbox/org.json.
        before: { id: key?._id, name: 'work-laptop', type: 'ssh_key', present: true, fingerprint: 'SHA256:TdsjdpWKPt5xsQ5nLz+0W3Z7GkKWk60PnGZvq5mtmys', created: '2024-02-12T16:05:00Z' },
        after: { id: key?._id, name: 'work-laptop', type: 'ssh_key', present: false, fingerprint: 'SHA256:TdsjdpWKPt5xsQ5nLz+0W3Z7GkKWk60PnGZvq5mtmys', created: '2024-02-12T16:05:00Z' },
        result: 'changed',
      },
    ]);
    expect(JSON.stringify([plan, ctx.recorded, ctx.logs])).not.toContain(JOHNS_KEY_BLOB);
    expect(emulator.state.user(john)?.ssh_keys).toEqual([]);
    expect(await runStep(sshKeysRemoveAllAction, emulatorContext(emulator), { user_id: john, connection: 'jumpcloud' })).toEqual({
      changed: false,
      output: { removed: 0, keys: [] },
      summary: 'deleted 0 SSH keys',
    });
  });
});

describe('jumpcloud.user.ssh_keys.remove_all and the legacy public_key field', () => {
  it('clears the single public_key string of the user record, counting it as a key', async () => {
    const john = userId(emulator, 'john.smith');
    const legacy = `ssh-ed25519 ${JOHNS_KEY_BLOB} john@old-laptop`;
    const put = await fetch(`${emulator.url}/api/systemusers/${john}`, { method: 'PUT', headers: { 'x-api-key': emulator.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ public_key: legacy }) });
    expect(put.status).toBe(200);
    const plan = await planStep(sshKeysRemoveAllAction, emulatorContext(emulator, { dryRun: true }), { user_id: john, connection: 'jumpcloud' });
    expect(plan.output).toMatchObject({ removed: 2, keys: [{ name: 'work-laptop' }, { id: john, name: 'legacy public_key field' }] });
    const ctx = emulatorContext(emulator);
    const result = await runStep(sshKeysRemoveAllAction, ctx, { user_id: john, connection: 'jumpcloud' });
    expect(result).toMatchObject({ changed: true, output: { removed: 2 }, summary: 'deleted 2 SSH keys' });
    expect(emulator.state.user(john)?.public_key ?? '').toBe('');
    expect(outcomesOf(ctx.recorded).find((c) => c.operation === 'clear')).toMatchObject({ target: `SSH key "legacy public_key field" (${john})`, before: { present: true, fingerprint: 'SHA256:TdsjdpWKPt5xsQ5nLz+0W3Z7GkKWk60PnGZvq5mtmys' } });
    expect(JSON.stringify([plan, ctx.recorded, ctx.logs])).not.toContain(JOHNS_KEY_BLOB);
    expect(await runStep(sshKeysRemoveAllAction, emulatorContext(emulator), { user_id: john, connection: 'jumpcloud' })).toMatchObject({ changed: false, output: { removed: 0 } });
  });

  it('counts the key and the legacy field a killed attempt deleted after recording only its intents', async () => {
    const john = userId(emulator, 'john.smith');
    await fetch(`${emulator.url}/api/systemusers/${john}`, { method: 'PUT', headers: { 'x-api-key': emulator.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ public_key: `ssh-ed25519 ${JOHNS_KEY_BLOB} john@old-laptop` }) });
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, sshKeysRemoveAllAction, { user_id: john, connection: 'jumpcloud' });
    expect(intents.map((c) => c.operation)).toEqual(['delete', 'clear']);
    expect(await runStep(sshKeysRemoveAllAction, resumed, { user_id: john, connection: 'jumpcloud' })).toMatchObject({ changed: true, output: { removed: 2 }, summary: 'deleted 2 SSH keys' });
    expect(resumed.recorded.map((c) => [c.operation, c.result])).toEqual([['delete', 'changed'], ['clear', 'changed']]);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });
});
