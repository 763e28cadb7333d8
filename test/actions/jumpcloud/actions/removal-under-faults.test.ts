import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { emulatorContext, loadExampleOrg, runLikeTheEngine, userId } from './support/emulator-context.js';

// john.smith offboarded while the emulator rate-limits (429 with Retry-After), fails at random
// (500/502/503) and drops connections. The client retries a little; when it gives up, the step
// is retried like the engine does, with the changes earlier attempts recorded. Every change must
// land exactly once, and every count must be the reference count.

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'storm' });
});
afterAll(() => emulator.close());

type Step = ActionDefinition<Record<string, unknown>, Record<string, unknown>>;

describe('removals under a 429 storm, random 5xx and dropped connections', () => {
  it('land every change exactly once and count right', async () => {
    const john = userId(emulator, 'john.smith');
    // 12 per second: the offboarding names its objects in a few batched reads now, and makes too
    // few calls to run out of a bucket of 25.
    emulator.setFaults({ rateLimit: 12, failRate: 0.25, dropRate: 0.05 });
    const attempts: Record<string, number> = {};
    const outputs: Record<string, Record<string, unknown>> = {};
    const steps: Array<[Step, Record<string, unknown>]> = [
      [groupsRemoveAllAction as unknown as Step, {}],
      [systemsUnbindAllAction as unknown as Step, {}],
      [applicationsRevokeAllAction as unknown as Step, {}],
      [ldapUnbindAction as unknown as Step, {}],
      [radiusRemoveAction as unknown as Step, {}],
      [mfaClearAction as unknown as Step, {}],
      [sshKeysRemoveAllAction as unknown as Step, {}],
      [userDeactivateAction as unknown as Step, { mode: 'disable', cascade_manager: 'clear' }],
    ];
    for (const [action, extra] of steps) {
      const run = await runLikeTheEngine(action, { user_id: john, connection: 'jumpcloud', ...extra }, ({ earlierChanges, attempt }) =>
        // Two tries per request in the client, so whole steps fail now and then and are retried.
        emulatorContext(emulator, { earlierChanges, attempt, connection: { retry_attempts: 2 } }),
      );
      attempts[action.id] = run.attempts;
      outputs[action.id] = run.result.output as Record<string, unknown>;
      // No target was changed twice across attempts.
      const made = run.changes.filter((c) => c.result === 'changed').map((c) => `${c.operation} ${c.target}`);
      expect(new Set(made).size, action.id).toBe(made.length);
    }
    emulator.setFaults({ rateLimit: 0, failRate: 0, dropRate: 0 });

    expect(outputs['jumpcloud.user.groups.remove_all']).toMatchObject({ removed: 5 });
    expect(outputs['jumpcloud.user.systems.unbind_all']).toMatchObject({ unbound: 8 });
    expect(outputs['jumpcloud.user.applications.revoke_all']).toMatchObject({ revoked: 6 });
    expect(outputs['jumpcloud.user.ldap.unbind']).toMatchObject({ removed: 1, bind_dn_cleared: true });
    expect(outputs['jumpcloud.user.radius.remove']).toMatchObject({ removed: 1 });
    expect(outputs['jumpcloud.user.mfa.clear']).toEqual({ cleared: true, totp_reset: true, push_endpoints_removed: 1 });
    expect(outputs['jumpcloud.user.ssh_keys.remove_all']).toMatchObject({ removed: 1 });
    expect(outputs['jumpcloud.user.deactivate']).toEqual({ account_status: 'disabled', previous_state: 'ACTIVATED' });

    // The storm really happened: faults were injected, and some steps needed more than one attempt.
    const faults = emulator.requests().filter((r) => r.fault !== undefined);
    expect(faults.some((r) => r.fault === 'rate_limit')).toBe(true);
    expect(faults.some((r) => r.fault === 'error')).toBe(true);
    expect(Object.values(attempts).some((n) => n > 1)).toBe(true);

    // Each removal reached JumpCloud exactly once (one Directory Insights event per edge).
    const removals = emulator.state.events().filter((e) => e.event_type === 'association_change' && (e.association as { op?: string } | undefined)?.op === 'remove');
    const edges = removals.map((e) => JSON.stringify((e.association as { connection: unknown }).connection));
    expect(new Set(edges).size).toBe(edges.length);
    expect(edges).toHaveLength(5 + 8 + 6 + 1 + 1);
    expect(emulator.state.events().filter((e) => e.event_type === 'totp_delete_enrollment')).toHaveLength(1);
    expect(emulator.state.events().filter((e) => e.event_type === 'user_suspended')).toHaveLength(1);
    expect(emulator.state.groupsOf(john)).toEqual([]);
    expect(emulator.state.associations(john)).toEqual([]);
    expect(emulator.state.user(john)).toMatchObject({ state: 'SUSPENDED', ldap_binding_user: false, totp_enabled: false, ssh_keys: [] });
  });
});
