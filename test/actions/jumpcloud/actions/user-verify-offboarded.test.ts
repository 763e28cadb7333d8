import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../engine/errors/index.js';
import type { ActionDefinition } from '../../../../engine/plugin-api/action.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { groupsRemoveAllAction } from '../../../../actions/jumpcloud/actions/groups-remove-all.js';
import { systemsUnbindAllAction } from '../../../../actions/jumpcloud/actions/systems-unbind-all.js';
import { applicationsRevokeAllAction } from '../../../../actions/jumpcloud/actions/applications-revoke-all.js';
import { ldapUnbindAction } from '../../../../actions/jumpcloud/actions/ldap-unbind.js';
import { radiusRemoveAction } from '../../../../actions/jumpcloud/actions/radius-remove.js';
import { mfaClearAction } from '../../../../actions/jumpcloud/actions/mfa-clear.js';
import { sshKeysRemoveAllAction } from '../../../../actions/jumpcloud/actions/ssh-keys-remove-all.js';
import { userDeactivateAction } from '../../../../actions/jumpcloud/actions/user-deactivate.js';
import { userVerifyOffboardedAction } from '../../../../actions/jumpcloud/actions/user-verify-offboarded.js';
import { emulatorContext, loadExampleOrg, mutatingRequests, userId, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'verify' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const REMOVALS = [groupsRemoveAllAction, systemsUnbindAllAction, applicationsRevokeAllAction, ldapUnbindAction, radiusRemoveAction, mfaClearAction, sshKeysRemoveAllAction] as unknown as Array<
  ActionDefinition<{ user_id: string; connection: string }>
>;

/** Runs the removal steps (all but `skip`) and the suspension. */
async function offboard(username: string, skip?: string): Promise<string> {
  const id = userId(emulator, username);
  for (const action of REMOVALS) if (action.id !== skip) await action.run(emulatorContext(emulator), { user_id: id, connection: 'jumpcloud' });
  await runStep(userDeactivateAction, emulatorContext(emulator), { user_id: id, mode: 'disable', cascade_manager: 'clear', connection: 'jumpcloud' });
  return id;
}

const verify = (user: string, mode: 'disable' | 'delete', expect_access_removed = true) =>
  runStep(userVerifyOffboardedAction, emulatorContext(emulator), { user_id: user, mode, expect_access_removed, connection: 'jumpcloud' });

describe('jumpcloud.user.verify_offboarded', () => {
  it('fails naming what remains when the SSH key step was skipped', async () => {
    const john = await offboard('john.smith', 'jumpcloud.user.ssh_keys.remove_all');
    const from = emulator.requests().length;
    const error = await verify(john, 'disable').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('VERIFY_FAILED');
    const key = emulator.state.user(john)?.ssh_keys[0];
    expect((error as PermanentError).details['remaining']).toEqual([`SSH key "work-laptop" (${key?._id}) SHA256:TdsjdpWKPt5xsQ5nLz+0W3Z7GkKWk60PnGZvq5mtmys`]);
    expect((error as Error).message).toBe(`JumpCloud user "john.smith" (${john}) is not fully offboarded; 1 item remains:\n  - SSH key "work-laptop" (${key?._id}) SHA256:TdsjdpWKPt5xsQ5nLz+0W3Z7GkKWk60PnGZvq5mtmys`);
    // Verification only reads.
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('names every kind of leftover: groups, bindings, access through groups, MFA, bind DN, the account state', async () => {
    const john = userId(emulator, 'john.smith');
    const error = (await verify(john, 'disable').catch((e: unknown) => e)) as PermanentError;
    const remaining = error.details['remaining'] as string[];
    expect(remaining).toContain('the account is ACTIVATED, not suspended');
    expect(remaining).toContainEqual(expect.stringMatching(/^member of user group "Engineering" \(\w{24}\)$/));
    expect(remaining).toContainEqual(expect.stringMatching(/^system "build-server-01" \(\w{24}\) bound directly$/));
    expect(remaining).toContainEqual(expect.stringMatching(/^application "Slack" \(\w{24}\) bound directly$/));
    expect(remaining).toContainEqual(expect.stringMatching(/^LDAP server "JumpCloud LDAP" \(\w{24}\) bound directly$/));
    expect(remaining).toContainEqual(expect.stringMatching(/^RADIUS server "Office Wi-Fi" \(\w{24}\) bound directly$/));
    expect(remaining).toContainEqual(expect.stringMatching(/^push endpoint "John's iPhone" /));
    expect(remaining).toContainEqual(expect.stringMatching(/^MFA still set up/));
    expect(remaining).toContain('"Enable as LDAP Bind DN" (ldap_binding_user) is still on');
    expect(remaining).toHaveLength(5 + 8 + 6 + 1 + 1 + 1 + 1 + 1 + 1 + 1);
    // Only the account state is checked without expect_access_removed.
    const stateOnly = (await verify(john, 'disable', false).catch((e: unknown) => e)) as PermanentError;
    expect(stateOnly.details['remaining']).toEqual(['the account is ACTIVATED, not suspended']);
    // Access through a static group that remains is named with its group.
    const maria = (await verify(userId(emulator, 'maria.garcia'), 'disable').catch((e: unknown) => e)) as PermanentError;
    expect(maria.details['remaining']).toContainEqual(expect.stringMatching(/^application "NetSuite" \(\w{24}\) through user group "Finance Team" \(\w{24}\)$/));
  });

  it('passes with access through a dynamic group reported, not failed', async () => {
    const sam = await offboard('sam.rivera');
    const result = await verify(sam, 'disable');
    expect(result.changed).toBe(false);
    expect(result.output?.ok).toBe(true);
    expect(result.output?.remaining).toEqual([]);
    expect(result.output?.reported).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^member of dynamic user group "Contractors \(automatic\)" \(\w{24}\) \(DYNAMIC_AUTOMATED\)/),
        expect.stringMatching(/^application "Slack" \(\w{24}\) through user group "Contractors \(automatic\)" \(\w{24}\) \(a dynamic group\)$/),
      ]),
    );
  });

  it('with mode delete, a user that is gone passes and one that exists fails', async () => {
    const john = userId(emulator, 'john.smith');
    const existing = (await verify(john, 'delete', false).catch((e: unknown) => e)) as PermanentError;
    expect(existing.details['remaining']).toEqual(['the account still exists (state ACTIVATED)']);
    await runStep(userDeactivateAction, emulatorContext(emulator), { user_id: john, mode: 'delete', cascade_manager: 'clear', connection: 'jumpcloud' });
    expect(await verify(john, 'delete')).toEqual({ changed: false, output: { ok: true, remaining: [], reported: [] }, summary: 'offboarded' });
  });
});
