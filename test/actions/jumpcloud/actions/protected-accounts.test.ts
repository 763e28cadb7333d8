import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { jumpcloudActions } from '../../../../actions/jumpcloud/index.js';
import { applicationsRevokeAllAction } from '../../../../actions/jumpcloud/actions/applications-revoke-all.js';
import { groupsRemoveAllAction } from '../../../../actions/jumpcloud/actions/groups-remove-all.js';
import { ldapUnbindAction } from '../../../../actions/jumpcloud/actions/ldap-unbind.js';
import { mfaClearAction } from '../../../../actions/jumpcloud/actions/mfa-clear.js';
import { radiusRemoveAction } from '../../../../actions/jumpcloud/actions/radius-remove.js';
import { sshKeysRemoveAllAction } from '../../../../actions/jumpcloud/actions/ssh-keys-remove-all.js';
import { systemsUnbindAllAction } from '../../../../actions/jumpcloud/actions/systems-unbind-all.js';
import { userDeactivateAction } from '../../../../actions/jumpcloud/actions/user-deactivate.js';
import { userDeleteIfSuspendedAction } from '../../../../actions/jumpcloud/actions/user-delete-if-suspended.js';
import { userGroupsAddAction } from '../../../../actions/jumpcloud/actions/user-groups-add.js';
import { userGroupsRemoveAction } from '../../../../actions/jumpcloud/actions/user-groups-remove.js';
import { userSetStateAction } from '../../../../actions/jumpcloud/actions/user-set-state.js';
import { userSystemsBindAction } from '../../../../actions/jumpcloud/actions/user-systems-bind.js';
import { userSystemsUnbindAction } from '../../../../actions/jumpcloud/actions/user-systems-unbind.js';
import { userUpdateAction } from '../../../../actions/jumpcloud/actions/user-update.js';
import { PermanentError } from '../../../../engine/errors/action-errors.js';
import type { ActionDefinition } from '../../../../engine/plugin-api/action.js';
import { emulatorContext, loadExampleOrg, mutatingRequests, objectId, planStep, runStep, userId } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'protected' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

/** Every action of the pack that changes a user, with the parameters it needs besides user_id. */
const CHANGING: Array<[ActionDefinition<never, unknown>, Record<string, unknown>]> = [
  [groupsRemoveAllAction, {}],
  [systemsUnbindAllAction, {}],
  [applicationsRevokeAllAction, {}],
  [ldapUnbindAction, {}],
  [radiusRemoveAction, {}],
  [mfaClearAction, {}],
  [sshKeysRemoveAllAction, {}],
  [userDeactivateAction, { mode: 'disable', retention_days: 30 }],
  [userDeactivateAction, { mode: 'delete' }],
  [userDeleteIfSuspendedAction, {}],
  [userGroupsAddAction, { groups: ['Finance Team'] }],
  [userGroupsRemoveAction, { groups: ['IT Admins'] }],
  [userUpdateAction, { department: 'Finance' }],
  [userSetStateAction, { state: 'suspended' }],
  [userSetStateAction, { unlock: true }],
  [userSystemsBindAction, { systems: ['prod-web-01'] }],
  [userSystemsUnbindAction, { systems: ['prod-web-01'] }],
] as unknown as Array<[ActionDefinition<never, unknown>, Record<string, unknown>]>;

/**
 * Actions that change no user: those that only read (or write a file), and those that act on
 * systems (a device's groups and commands): they have no allow_protected.
 */
const NOT_CHANGING_A_USER = new Set([
  'jumpcloud.user.lookup', 'jumpcloud.user.backup', 'jumpcloud.user.verify_offboarded', 'jumpcloud.users.find', 'jumpcloud.systems.find',
  'jumpcloud.system.groups.add', 'jumpcloud.system.groups.remove', 'jumpcloud.system.command',
]);

/**
 * Actions that change a user but are given no existing user_id, so the loop below cannot call
 * them: `user.create` refuses to update a protected account it finds (tested in user-create.test.ts).
 */
const TESTED_ON_THEIR_OWN = ['jumpcloud.user.create'];

const PROTECTED = { protected_accounts: ['Admin@company.com'] };

function adminState() {
  const admin = userId(emulator, 'admin');
  const user = emulator.state.user(admin);
  return { state: user?.state, suspended: user?.suspended, groups: emulator.state.groupsOf(admin), totp: user?.totp_enabled };
}

describe('protected accounts', () => {
  it('every action that changes a user takes allow_protected (absent: refused)', () => {
    const changing = jumpcloudActions.filter((action) => !NOT_CHANGING_A_USER.has(action.id));
    expect(changing.map((a) => a.id).sort()).toEqual([...new Set([...CHANGING.map(([a]) => a.id), ...TESTED_ON_THEIR_OWN])].sort());
    for (const action of changing) {
      expect(action.params.properties?.['allow_protected'], action.id).toMatchObject({ type: 'boolean' });
    }
  });

  it.each(CHANGING.map(([action, extra]) => [`${action.id} ${JSON.stringify(extra)}`, action, extra] as const))('%s refuses the protected account in run and plan, before any change', async (_name, action, extra) => {
    const before = adminState();
    expect(before.groups.length).toBeGreaterThan(0);
    const params = { user_id: userId(emulator, 'admin'), connection: 'jumpcloud', ...extra } as never;
    const error = await runStep(action, emulatorContext(emulator, { connection: PROTECTED }), params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'PROTECTED_ACCOUNT', retryable: false });
    expect((error as Error).message).toMatch(/^JumpCloud user "admin" \([0-9a-f]{24}\) is a protected account \(matched "Admin@company.com" in connections\.jumpcloud\.protected_accounts\), so it is not .+; nothing was changed\. A step that must change it anyway sets allow_protected: true$/);
    const planError = await planStep(action, emulatorContext(emulator, { dryRun: true, connection: PROTECTED }), params).catch((e: unknown) => e);
    expect(planError).toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    expect(mutatingRequests(emulator)).toEqual([]);
    expect(adminState()).toEqual(before);
  });

  it('lets a step that sets allow_protected change the account, with a warning', async () => {
    const admin = userId(emulator, 'admin');
    const itAdmins = objectId(emulator, 'usergroups', 'IT Admins');
    const ctx = emulatorContext(emulator, { connection: PROTECTED });
    const result = await runStep(groupsRemoveAllAction, ctx, { user_id: admin, connection: 'jumpcloud', allow_protected: true });
    expect(result.output?.groups).toContainEqual({ id: itAdmins, name: 'IT Admins' });
    expect(emulator.state.groupsOf(admin)).not.toContain(itAdmins);
    expect(ctx.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('is a protected account (matched "Admin@company.com"); this step sets allow_protected, so it is removed from its user groups anyway') }));
    const plan = await planStep(mfaClearAction, emulatorContext(emulator, { dryRun: true, connection: PROTECTED }), { user_id: admin, connection: 'jumpcloud', allow_protected: true });
    expect(plan.output).toMatchObject({ totp_reset: true });
    const deactivated = await runStep(userDeactivateAction, emulatorContext(emulator, { connection: PROTECTED }), { user_id: admin, connection: 'jumpcloud', mode: 'disable', cascade_manager: 'clear', allow_protected: true });
    expect(deactivated.output).toMatchObject({ account_status: 'disabled' });
    expect(emulator.state.user(admin)?.suspended).toBe(true);
  });

  it('refuses nothing for an account that is not protected', async () => {
    const john = userId(emulator, 'john.smith');
    const result = await runStep(groupsRemoveAllAction, emulatorContext(emulator, { connection: PROTECTED }), { user_id: john, connection: 'jumpcloud' });
    expect(result.changed).toBe(true);
  });
});
