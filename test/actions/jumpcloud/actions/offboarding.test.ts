import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionDefinition, ActionPlan, ActionResult } from '../../../../engine/plugin-api/action.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userLookupAction } from '../../../../actions/jumpcloud/actions/user-lookup.js';
import { userBackupAction } from '../../../../actions/jumpcloud/actions/user-backup.js';
import { groupsRemoveAllAction } from '../../../../actions/jumpcloud/actions/groups-remove-all.js';
import { systemsUnbindAllAction } from '../../../../actions/jumpcloud/actions/systems-unbind-all.js';
import { applicationsRevokeAllAction } from '../../../../actions/jumpcloud/actions/applications-revoke-all.js';
import { ldapUnbindAction } from '../../../../actions/jumpcloud/actions/ldap-unbind.js';
import { radiusRemoveAction } from '../../../../actions/jumpcloud/actions/radius-remove.js';
import { mfaClearAction } from '../../../../actions/jumpcloud/actions/mfa-clear.js';
import { sshKeysRemoveAllAction } from '../../../../actions/jumpcloud/actions/ssh-keys-remove-all.js';
import { userDeactivateAction } from '../../../../actions/jumpcloud/actions/user-deactivate.js';
import { userVerifyOffboardedAction } from '../../../../actions/jumpcloud/actions/user-verify-offboarded.js';
import { userDeleteIfSuspendedAction } from '../../../../actions/jumpcloud/actions/user-delete-if-suspended.js';
import { ActionRegistry } from '../../../../engine/registry/action-registry.js';
import jumpcloudPack from '../../../../actions/jumpcloud/index.js';
import { emulatorContext, loadExampleOrg, mutatingRequests, userId, planStep, runStep } from './support/emulator-context.js';

// john.smith of the example org, offboarded step by step exactly as the template does it:
// plan (read-only), run (the reference workflow's counts), and a second run (nothing left).

let emulator: RunningEmulator;
let john: string;
const registry = new ActionRegistry();
registry.registerModule(jumpcloudPack, 'builtin:jumpcloud');

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'offboarding' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  john = userId(emulator, 'john.smith');
});

/** The steps of the offboarding, in order, with the parameters the template passes. */
function steps(user: string): Array<{ action: ActionDefinition<never, unknown>; params: Record<string, unknown> }> {
  const list: Array<{ action: unknown; params: Record<string, unknown> }> = [
    { action: userBackupAction, params: { user_id: user, path: 'offboarding/2026/john.smith/jumpcloud-export.json', connection: 'jumpcloud' } },
    { action: groupsRemoveAllAction, params: { user_id: user, connection: 'jumpcloud' } },
    { action: systemsUnbindAllAction, params: { user_id: user, connection: 'jumpcloud' } },
    { action: applicationsRevokeAllAction, params: { user_id: user, connection: 'jumpcloud' } },
    { action: ldapUnbindAction, params: { user_id: user, connection: 'jumpcloud' } },
    { action: radiusRemoveAction, params: { user_id: user, connection: 'jumpcloud' } },
    { action: mfaClearAction, params: { user_id: user, connection: 'jumpcloud' } },
    { action: sshKeysRemoveAllAction, params: { user_id: user, connection: 'jumpcloud' } },
    { action: userDeactivateAction, params: { user_id: user, mode: 'disable', cascade_manager: 'clear', connection: 'jumpcloud' } },
  ];
  return list as Array<{ action: ActionDefinition<never, unknown>; params: Record<string, unknown> }>;
}

/** Every output matches its action's output schema (as the runner checks). */
function expectValidOutput(id: string, output: unknown): void {
  const validate = registry.get(id)?.validateOutput;
  expect(validate?.(output), `${id}: ${JSON.stringify(validate?.errors)}`).toBe(true);
}

describe('offboarding john.smith against the emulator', () => {
  it('plans every step by name, predicting the reference counts, without one mutating request', async () => {
    const dir = emulatorContext(emulator).paths.store;
    const ctx = () => emulatorContext(emulator, { dryRun: true, dir });
    const lookup = await planStep(userLookupAction, ctx(), { identifier: 'john.smith@company.com', refuse_protected: true, when_deleted: 'fail', connection: 'jumpcloud' });
    expect(lookup.output?.user.id).toBe(john);
    const plans = new Map<string, ActionPlan<unknown>>();
    for (const step of steps(john)) {
      const plan = await (step.action.plan as (c: unknown, p: unknown) => Promise<ActionPlan<unknown>>)(ctx(), step.params);
      plans.set(step.action.id, plan);
    }
    // The other plans: a deletion with its reports, the deferred deletion, the verification.
    const jane = userId(emulator, 'jane.doe');
    const deletion = await planStep(userDeactivateAction, ctx(), { user_id: jane, mode: 'delete', cascade_manager: 'manager', connection: 'jumpcloud' });
    expect(deletion.changes.filter((c) => c.operation === 'reassign_manager').length).toBeGreaterThan(0);
    const deferred = await planStep(userDeleteIfSuspendedAction, ctx(), { user_id: userId(emulator, 'ryan.oconnor'), cascade_manager: 'clear', connection: 'jumpcloud' });
    expect(deferred.output).toEqual({ deleted: true, reason: 'still suspended after the retention period' });
    expect((await planStep(userVerifyOffboardedAction, ctx(), { user_id: john, mode: 'disable', expect_access_removed: true, connection: 'jumpcloud' })).output).toEqual({ ok: true, remaining: [], reported: [] });
    expect(mutatingRequests(emulator)).toEqual([]);
    // Names come from the run's shared look-ups, read in batches: one list read per type, filtered
    // by id (5 groups, 8 systems, 6 applications), and a plain GET for the one LDAP and RADIUS
    // server; each object once, however many steps name it.
    const nameReads = emulator
      .requests()
      .filter((r) => r.method === 'GET' && /^\/api\/(systems|applications|radiusservers)(\/\w{24})?$|^\/api\/v2\/(usergroups|systemgroups|ldapservers)(\/\w{24})?$/.test(r.path))
      .map((r) => `${r.path.replace(/\/\w{24}$/, '/:id')}${r.query.includes('filter') ? '?filter' : ''}`);
    expect(nameReads.sort()).toEqual(['/api/applications?filter', '/api/radiusservers/:id', '/api/systems?filter', '/api/v2/ldapservers/:id', '/api/v2/usergroups?filter']);

    const targets = (id: string, operation: string) => (plans.get(id)?.changes ?? []).filter((c) => c.operation === operation).map((c) => c.target);
    expect(targets('jumpcloud.user.groups.remove_all', 'remove_member').map((t) => t.replace(/ \(\w{24}\)$/, ''))).toEqual(
      expect.arrayContaining(['user group "Engineering"', 'user group "Backend Developers"', 'user group "VPN Users"', 'user group "GitHub Admins"', 'user group "On-Call Rotation"']),
    );
    expect(targets('jumpcloud.user.groups.remove_all', 'remove_member')).toHaveLength(5);
    expect(targets('jumpcloud.user.systems.unbind_all', 'unbind')).toHaveLength(8);
    expect(targets('jumpcloud.user.systems.unbind_all', 'unbind')).toContainEqual(expect.stringMatching(/^system "build-server-01" \([0-9a-f]{24}\)$/));
    expect(targets('jumpcloud.user.applications.revoke_all', 'revoke')).toHaveLength(6);
    expect(targets('jumpcloud.user.applications.revoke_all', 'revoke')).toContainEqual(expect.stringMatching(/^application "AWS Console" /));
    expect(targets('jumpcloud.user.ldap.unbind', 'unbind')).toEqual([expect.stringMatching(/^LDAP server "JumpCloud LDAP" /)]);
    expect(targets('jumpcloud.user.ldap.unbind', 'clear')).toEqual([`LDAP bind DN of user "john.smith" (${john})`]);
    expect(targets('jumpcloud.user.radius.remove', 'remove')).toEqual([expect.stringMatching(/^RADIUS server "Office Wi-Fi" /)]);
    expect(targets('jumpcloud.user.mfa.clear', 'delete')).toEqual([expect.stringMatching(/^push endpoint "John's iPhone" /)]);
    expect(targets('jumpcloud.user.mfa.clear', 'reset')).toEqual([`MFA of user "john.smith" (${john})`]);
    expect(targets('jumpcloud.user.ssh_keys.remove_all', 'delete')).toEqual([expect.stringMatching(/^SSH key "work-laptop" /)]);
    expect(plans.get('jumpcloud.user.deactivate')?.changes).toEqual([
      expect.objectContaining({ target: `user "john.smith" (${john})`, operation: 'suspend', before: expect.objectContaining({ state: 'ACTIVATED' }), after: expect.objectContaining({ state: 'SUSPENDED' }) }),
    ]);
    // Sudo on the build servers shows in the plan's "before".
    const build = plans.get('jumpcloud.user.systems.unbind_all')?.changes.find((c) => c.target.startsWith('system "build-server-01"'));
    expect(build?.before).toMatchObject({ bound: true, attributes: { sudo: { enabled: true } } });

    expect(plans.get('jumpcloud.user.groups.remove_all')?.output).toMatchObject({ removed: 5, dynamic_groups: [] });
    expect(plans.get('jumpcloud.user.systems.unbind_all')?.output).toMatchObject({ unbound: 8, via_groups: [] });
    expect(plans.get('jumpcloud.user.applications.revoke_all')?.output).toMatchObject({ revoked: 6 });
    expect(plans.get('jumpcloud.user.ldap.unbind')?.output).toMatchObject({ removed: 1, bind_dn_cleared: true });
    expect(plans.get('jumpcloud.user.radius.remove')?.output).toMatchObject({ removed: 1 });
    expect(plans.get('jumpcloud.user.mfa.clear')?.output).toEqual({ cleared: true, totp_reset: true, push_endpoints_removed: 1 });
    expect(plans.get('jumpcloud.user.ssh_keys.remove_all')?.output).toMatchObject({ removed: 1 });
    expect(plans.get('jumpcloud.user.deactivate')?.output).toEqual({ account_status: 'disabled', previous_state: 'ACTIVATED' });
    expect(plans.get('jumpcloud.user.backup')?.output).toMatchObject({ backed_up: true, backup_location: 'offboarding/2026/john.smith/jumpcloud-export.json' });

    // Nothing changed in the organisation.
    expect(emulator.state.groupsOf(john)).toHaveLength(5);
    expect(emulator.state.user(john)?.state).toBe('ACTIVATED');
  });

  it('offboards with the reference counts, passes verification, and a second run changes nothing', async () => {
    const dir = emulatorContext(emulator).paths.store;
    const results = new Map<string, ActionResult<unknown>>();
    for (const step of steps(john)) {
      const ctx = emulatorContext(emulator, { dir });
      const result = await (step.action.run as (c: unknown, p: unknown) => Promise<ActionResult<unknown>>)(ctx, step.params);
      expect(result.changed, step.action.id).toBe(true);
      expectValidOutput(step.action.id, result.output);
      results.set(step.action.id, result);
    }
    expect(results.get('jumpcloud.user.groups.remove_all')?.output).toMatchObject({ removed: 5, dynamic_groups: [] });
    expect(results.get('jumpcloud.user.systems.unbind_all')?.output).toMatchObject({ unbound: 8, via_groups: [] });
    expect(results.get('jumpcloud.user.applications.revoke_all')?.output).toMatchObject({ revoked: 6, via_groups: [] });
    expect(results.get('jumpcloud.user.ldap.unbind')?.output).toMatchObject({ removed: 1, bind_dn_cleared: true, servers: [{ name: 'JumpCloud LDAP' }] });
    expect(results.get('jumpcloud.user.radius.remove')?.output).toMatchObject({ removed: 1, servers: [{ name: 'Office Wi-Fi' }] });
    expect(results.get('jumpcloud.user.mfa.clear')?.output).toEqual({ cleared: true, totp_reset: true, push_endpoints_removed: 1 });
    expect(results.get('jumpcloud.user.ssh_keys.remove_all')?.output).toMatchObject({ removed: 1, keys: [{ name: 'work-laptop' }] });
    expect(results.get('jumpcloud.user.deactivate')?.output).toEqual({ account_status: 'disabled', previous_state: 'ACTIVATED' });
    expect(results.get('jumpcloud.user.backup')?.output).toMatchObject({ backed_up: true, backup_location: 'offboarding/2026/john.smith/jumpcloud-export.json' });
    expect(results.get('jumpcloud.user.systems.unbind_all')?.summary).toBe('unbound from 8 systems');

    const after = emulator.state.user(john);
    expect(after).toMatchObject({ state: 'SUSPENDED', suspended: true, ldap_binding_user: false, totp_enabled: false, ssh_keys: [] });
    expect(emulator.state.groupsOf(john)).toEqual([]);
    expect(emulator.state.associations(john)).toEqual([]);
    expect(emulator.state.pushEndpoints(john)).toEqual([]);

    const verified = await runStep(userVerifyOffboardedAction, emulatorContext(emulator), { user_id: john, mode: 'disable', expect_access_removed: true, connection: 'jumpcloud' });
    expect(verified).toMatchObject({ changed: false, output: { ok: true, remaining: [], reported: [] } });
    expectValidOutput('jumpcloud.user.verify_offboarded', verified.output);

    // The second run: every step finds the desired state and counts nothing.
    const before = emulator.requests().length;
    for (const step of steps(john)) {
      const ctx = emulatorContext(emulator, { dir });
      const result = await (step.action.run as (c: unknown, p: unknown) => Promise<ActionResult<unknown>>)(ctx, step.params);
      expect(result.changed, step.action.id).toBe(false);
      expect(ctx.recorded.filter((c) => c.result === 'changed'), step.action.id).toEqual([]);
      expectValidOutput(step.action.id, result.output);
      results.set(step.action.id, result);
    }
    expect(mutatingRequests(emulator, before)).toEqual([]);
    expect(results.get('jumpcloud.user.groups.remove_all')?.output).toEqual({ removed: 0, groups: [], dynamic_groups: [] });
    expect(results.get('jumpcloud.user.systems.unbind_all')?.output).toEqual({ unbound: 0, systems: [], via_groups: [] });
    expect(results.get('jumpcloud.user.applications.revoke_all')?.output).toEqual({ revoked: 0, applications: [], via_groups: [] });
    expect(results.get('jumpcloud.user.ldap.unbind')?.output).toEqual({ removed: 0, servers: [], bind_dn_cleared: false, via_groups: [] });
    expect(results.get('jumpcloud.user.radius.remove')?.output).toEqual({ removed: 0, servers: [], via_groups: [] });
    expect(results.get('jumpcloud.user.mfa.clear')?.output).toEqual({ cleared: false, totp_reset: false, push_endpoints_removed: 0 });
    expect(results.get('jumpcloud.user.ssh_keys.remove_all')?.output).toEqual({ removed: 0, keys: [] });
    expect(results.get('jumpcloud.user.deactivate')?.output).toEqual({ account_status: 'disabled', previous_state: 'SUSPENDED' });
    expect(results.get('jumpcloud.user.backup')?.output).toMatchObject({ backed_up: true });
  });

  it('logs what it removes by name and never the API key', async () => {
    const ctx = emulatorContext(emulator);
    await runStep(groupsRemoveAllAction, ctx, { user_id: john, connection: 'jumpcloud' });
    const text = JSON.stringify(ctx.logs);
    expect(ctx.logs.map((l) => l.message)).toContainEqual(expect.stringContaining('user group "Engineering"'));
    expect(text).not.toContain(emulator.apiKey);
    expect(ctx.redactions.has(emulator.apiKey)).toBe(true);
    expect(JSON.stringify(ctx.recorded)).not.toContain(emulator.apiKey);
  });
});
