import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { createJumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { ldapUnbindAction } from '../../../../actions/jumpcloud/actions/ldap-unbind.js';
import { emulatorContext, killedAfterTheCalls, outcomesOf, loadExampleOrg, mutatingRequests, objectId, userId, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'ldap' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

describe('jumpcloud.user.ldap.unbind', () => {
  it('clears the bind DN flag and removes the LDAP binding', async () => {
    const john = userId(emulator, 'john.smith');
    const ldap = objectId(emulator, 'ldapservers', 'JumpCloud LDAP');
    const ctx = emulatorContext(emulator);
    const result = await runStep(ldapUnbindAction, ctx, { user_id: john, connection: 'jumpcloud' });
    expect(result).toEqual({
      changed: true,
      output: { removed: 1, servers: [{ id: ldap, name: 'JumpCloud LDAP' }], bind_dn_cleared: true, via_groups: [] },
      summary: 'removed from 1 LDAP server; bind DN cleared',
    });
    expect(outcomesOf(ctx.recorded).map((c) => c.operation)).toEqual(['clear', 'unbind']);
    expect(emulator.state.user(john)?.ldap_binding_user).toBe(false);
    expect(emulator.state.associations(john).filter((e) => e.toType === 'ldap_server')).toEqual([]);
  });

  it('clears a bind DN flag without a binding, and a retry still reports it cleared', async () => {
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey });
    const lee = userId(emulator, 'lee.wong');
    await client.updateUser(lee, { ldap_binding_user: true });
    const first = emulatorContext(emulator);
    expect((await runStep(ldapUnbindAction, first, { user_id: lee, connection: 'jumpcloud' })).output).toEqual({ removed: 0, servers: [], bind_dn_cleared: true, via_groups: [] });
    const retry = emulatorContext(emulator, { earlierChanges: first.recorded, attempt: 2 });
    const from = emulator.requests().length;
    const again = await runStep(ldapUnbindAction, retry, { user_id: lee, connection: 'jumpcloud' });
    expect(again).toMatchObject({ changed: true, output: { bind_dn_cleared: true, removed: 0 } });
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('counts the flag and the binding a killed attempt cleared after recording only its intents', async () => {
    const john = userId(emulator, 'john.smith');
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, ldapUnbindAction, { user_id: john, connection: 'jumpcloud' });
    expect(intents.map((c) => c.operation)).toEqual(['clear', 'unbind']);
    expect(await runStep(ldapUnbindAction, resumed, { user_id: john, connection: 'jumpcloud' })).toMatchObject({
      changed: true,
      output: { removed: 1, bind_dn_cleared: true },
      summary: 'removed from 1 LDAP server; bind DN cleared',
    });
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('reports LDAP access through a group', async () => {
    const result = await runStep(ldapUnbindAction, emulatorContext(emulator), { user_id: userId(emulator, 'admin'), connection: 'jumpcloud' });
    expect(result.output?.via_groups).toEqual([
      { server: { id: objectId(emulator, 'ldapservers', 'JumpCloud LDAP'), name: 'JumpCloud LDAP' }, group: { id: objectId(emulator, 'usergroups', 'IT Admins'), name: 'IT Admins', dynamic: false } },
    ]);
    expect(result.changed).toBe(false);
  });
});
