import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActionDefinition, ActionResult, Change } from '../../../../engine/plugin-api/action.js';
import { IdflowError } from '../../../../engine/errors/idflow-error.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import type { RequestLogEntry } from '../../../../actions/jumpcloud/emulator/request-log.js';
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
import { RUN_SNAPSHOT_MAX_AGE_MS } from '../../../../actions/jumpcloud/actions/run-snapshots.js';
import { emulatorContext, loadExampleOrg, objectId, planStep, userId } from './support/emulator-context.js';

// The steps of one run share what they read of the user (the lookup's record, then each list
// once), as the runner drives them: one context per step, the same run id. A run that failed
// or was stopped reads afresh; the verification always reads the live state; a run nobody
// looked up in this process (a resume in a new process) reads for itself.

let emulator: RunningEmulator;
let john: string;
let dir: string;
let runNumber = 0;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'run-snapshots' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  john = userId(emulator, 'john.smith');
  dir = emulatorContext(emulator).paths.store;
});

type Step = ActionDefinition<Record<string, unknown>, Record<string, unknown>>;

/** The steps of the offboarding template after the lookup, with their parameters. */
function offboardingSteps(user: string): Array<[string, Step, Record<string, unknown>]> {
  const base = { user_id: user, connection: 'jumpcloud' };
  return [
    ['backup', userBackupAction as unknown as Step, { ...base, path: `offboarding/run-${++runNumber}/export.json` }],
    ['remove_groups', groupsRemoveAllAction as unknown as Step, base],
    ['unbind_systems', systemsUnbindAllAction as unknown as Step, base],
    ['revoke_applications', applicationsRevokeAllAction as unknown as Step, base],
    ['unbind_ldap', ldapUnbindAction as unknown as Step, base],
    ['remove_radius', radiusRemoveAction as unknown as Step, base],
    ['clear_mfa', mfaClearAction as unknown as Step, base],
    ['remove_ssh_keys', sshKeysRemoveAllAction as unknown as Step, base],
    ['deactivate', userDeactivateAction as unknown as Step, { ...base, mode: 'disable', retention_days: 0 }],
    ['verify', userVerifyOffboardedAction as unknown as Step, { ...base, mode: 'disable', expect_access_removed: true }],
  ];
}

/** One step of run `runId`, as the runner gives it: its own context, the run's id, the earlier attempts' changes. */
async function step(runId: string, action: Step, params: Record<string, unknown>, options: { attempt?: number; earlierChanges?: Change[] } = {}): Promise<{ result: ActionResult<Record<string, unknown>>; recorded: Change[] }> {
  const ctx = emulatorContext(emulator, { runId, dir, ...options });
  try {
    return { result: await action.run(ctx, params), recorded: ctx.recorded };
  } catch (error) {
    if (error instanceof IdflowError) Object.assign(error, { recorded: ctx.recorded });
    throw error;
  }
}

async function lookUp(runId: string, identifier = 'john.smith@company.com'): Promise<string> {
  const { result } = await step(runId, userLookupAction as unknown as Step, { identifier, refuse_protected: true, when_deleted: 'fail', connection: 'jumpcloud' });
  return (result.output as { user: { id: string } }).user.id;
}

/** Runs the steps from `from` (a step id) to the end, failing at the first step that fails. */
async function runSteps(runId: string, user: string, from = 'backup'): Promise<Map<string, Record<string, unknown>>> {
  const outputs = new Map<string, Record<string, unknown>>();
  const steps = offboardingSteps(user);
  for (const [id, action, params] of steps.slice(steps.findIndex(([name]) => name === from))) {
    outputs.set(id, (await step(runId, action, params)).result.output as Record<string, unknown>);
  }
  return outputs;
}

/** Requests by `METHOD path` (ids as :id, the query's `targets` kept), since `from`. */
function callsSince(from: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of emulator.requests().slice(from) as RequestLogEntry[]) {
    const key = `${entry.method} ${entry.path.replace(/[0-9a-f]{24}/g, ':id')}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function bindSystem(user: string, system: string): Promise<Response> {
  return fetch(`${emulator.url}/api/v2/users/${user}/associations`, {
    method: 'POST',
    headers: { 'x-api-key': emulator.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ op: 'add', type: 'system', id: system }),
  });
}

/** A system of the example organisation john.smith is not bound to. */
function unboundSystem(): { id: string; name: string } {
  const bound = new Set(emulator.state.associations(john).map((edge) => edge.toId));
  const system = emulator.state.snapshot().systems.find((s) => !bound.has(s._id));
  if (system === undefined) throw new Error('every system of the example org is bound to john.smith');
  return { id: system._id, name: system.displayName ?? system.hostname ?? system._id };
}

describe('the steps of one run share what they read of the user', () => {
  it('read each list once before the removals and once to verify, the record only to verify', async () => {
    const from = emulator.requests().length;
    await lookUp('run-shared');
    const outputs = await runSteps('run-shared', john);
    expect(outputs.get('verify')).toEqual({ ok: true, remaining: [], reported: [] });
    expect(outputs.get('remove_groups')).toMatchObject({ removed: 5 });
    expect(outputs.get('unbind_systems')).toMatchObject({ unbound: 8, via_groups: [] });
    expect(outputs.get('revoke_applications')).toMatchObject({ revoked: 6, via_groups: [] });
    expect(outputs.get('unbind_ldap')).toMatchObject({ removed: 1, bind_dn_cleared: true });
    expect(outputs.get('remove_radius')).toMatchObject({ removed: 1 });
    expect(outputs.get('clear_mfa')).toEqual({ cleared: true, totp_reset: true, push_endpoints_removed: 1 });
    expect(outputs.get('remove_ssh_keys')).toMatchObject({ removed: 1 });
    expect(outputs.get('deactivate')).toEqual({ account_status: 'disabled', previous_state: 'ACTIVATED' });

    const calls = callsSince(from);
    // One search finds him; his record is read again only by the verification (and his
    // manager's once, for the notification and the backup).
    expect(calls['POST /api/search/systemusers']).toBe(1);
    expect(calls['GET /api/systemusers/:id']).toBe(2);
    for (const list of ['memberof', 'systems', 'systemgroups', 'applications', 'ldapservers', 'radiusservers', 'pushendpoints']) {
      expect(calls[`GET /api/v2/users/:id/${list}`], list).toBe(2);
    }
    expect(calls['GET /api/systemusers/:id/sshkeys']).toBeUndefined();
    expect(calls['GET /api/v2/users/:id/associations']).toBeUndefined();
    // Each object named once, each type in one read: the 5 groups, 8 systems and 6 applications
    // by a list filtered by id, the one LDAP and one RADIUS server by their own GET.
    expect(calls['GET /api/v2/usergroups']).toBe(1);
    expect(calls['GET /api/systems']).toBe(1);
    expect(calls['GET /api/applications']).toBe(1);
    expect(calls['GET /api/v2/ldapservers/:id']).toBe(1);
    expect(calls['GET /api/radiusservers/:id']).toBe(1);
    for (const byId of ['GET /api/v2/usergroups/:id', 'GET /api/systems/:id', 'GET /api/applications/:id']) expect(calls[byId], byId).toBeUndefined();
    // The changes: 21 removals, the bind DN flag, the MFA reset, a push endpoint, a key, the suspension.
    const changes = Object.entries(calls).filter(([key]) => !key.startsWith('GET ') && key !== 'POST /api/search/systemusers').reduce((sum, [, n]) => sum + n, 0);
    expect(changes).toBe(26);
    // 48: issue 14's goal was at most 50 (64 when each object was named by a read of its own).
    expect(Object.values(calls).reduce((a, b) => a + b, 0)).toBe(1 + 7 + 5 + 26 + 8 + 1);
  });

  it('catch access added after the snapshot at the verification, which fails naming it; a re-run removes it', async () => {
    const added = unboundSystem();
    await lookUp('run-stale');
    await step('run-stale', userBackupAction as unknown as Step, { user_id: john, path: 'offboarding/stale/export.json', connection: 'jumpcloud' });
    // An admin binds him to another system after the backup read his access, before the removals.
    expect((await bindSystem(john, added.id)).ok).toBe(true);

    const failure = await runSteps('run-stale', john, 'remove_groups').then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(IdflowError);
    expect(failure).toMatchObject({ code: 'VERIFY_FAILED', retryable: false });
    expect((failure as Error).message).toContain('is not fully offboarded; 1 item remains');
    expect((failure as Error).message).toContain(`system "${added.name}" (${added.id}) bound directly`);
    expect(emulator.state.associations(john).map((edge) => edge.toId)).toEqual([added.id]);

    // A new run reads the state as it is and removes it; only that binding is left to change.
    await lookUp('run-stale-again');
    const outputs = await runSteps('run-stale-again', john);
    expect(outputs.get('unbind_systems')).toMatchObject({ unbound: 1, systems: [{ id: added.id, name: added.name, type: 'system' }] });
    expect(outputs.get('remove_groups')).toMatchObject({ removed: 0 });
    expect(outputs.get('verify')).toEqual({ ok: true, remaining: [], reported: [] });
    expect(emulator.state.associations(john)).toEqual([]);
  });

  it('read afresh after a step failed: its retry, and the steps after it, act on the state as it is now', async () => {
    await lookUp('run-retry');
    await step('run-retry', userBackupAction as unknown as Step, { user_id: john, path: 'offboarding/retry/export.json', connection: 'jumpcloud' });
    const engineering = objectId(emulator, 'usergroups', 'Engineering');
    emulator.setFaultRules([{ method: 'POST', path: `/api/v2/usergroups/${engineering}/members`, status: 403 }]);
    const params = { user_id: john, connection: 'jumpcloud' };
    const first = await step('run-retry', groupsRemoveAllAction as unknown as Step, params).then(() => undefined, (error: unknown) => error);
    expect(first).toMatchObject({ retryable: false });
    const earlier = (first as { recorded: Change[] }).recorded;
    expect(earlier.filter((c) => c.result === 'changed')).toHaveLength(4);
    emulator.setFaultRules([]);

    // Meanwhile someone adds a system binding (after the snapshot the backup took).
    const added = unboundSystem();
    expect((await bindSystem(john, added.id)).ok).toBe(true);

    const from = emulator.requests().length;
    const retried = await step('run-retry', groupsRemoveAllAction as unknown as Step, params, { attempt: 2, earlierChanges: earlier });
    // Counts cover both attempts; the retry read the record (the protected-account check) and
    // the memberships again, and removed the last one.
    expect(retried.result.output).toMatchObject({ removed: 5 });
    expect(callsSince(from)).toEqual({ 'GET /api/systemusers/:id': 1, 'GET /api/v2/users/:id/memberof': 1, 'POST /api/v2/usergroups/:id/members': 1 });
    // The next step acts on the new reads too: the binding added after the backup is removed.
    const systems = await step('run-retry', systemsUnbindAllAction as unknown as Step, params);
    expect(systems.result.output).toMatchObject({ unbound: 9 });
    expect((systems.result.output as { systems: Array<{ id: string }> }).systems.map((s) => s.id)).toContain(added.id);
  });

  it('read for themselves when the run was not looked up in this process (a resume in a new process)', async () => {
    // The lookup ran in "another process": nothing is shared for this run here.
    const added = unboundSystem();
    expect((await bindSystem(john, added.id)).ok).toBe(true);
    const from = emulator.requests().length;
    const outputs = await runSteps('run-resumed-elsewhere', john, 'remove_groups');
    expect(outputs.get('unbind_systems')).toMatchObject({ unbound: 9 });
    expect(outputs.get('verify')).toEqual({ ok: true, remaining: [], reported: [] });
    // Each step read what it needs itself: the record by every step that changes the user (the
    // protected-account check: groups, systems, applications, LDAP, RADIUS, MFA, SSH, deactivate)
    // and by the verification.
    expect(callsSince(from)['GET /api/systemusers/:id']).toBe(9);
  });

  it('read afresh once the snapshot is older than the longest it may be trusted', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await lookUp('run-old');
      await step('run-old', userBackupAction as unknown as Step, { user_id: john, path: 'offboarding/old/export.json', connection: 'jumpcloud' });
      const added = unboundSystem();
      expect((await bindSystem(john, added.id)).ok).toBe(true);
      vi.setSystemTime(Date.now() + RUN_SNAPSHOT_MAX_AGE_MS + 1);
      const from = emulator.requests().length;
      const systems = await step('run-old', systemsUnbindAllAction as unknown as Step, { user_id: john, connection: 'jumpcloud' });
      expect(systems.result.output).toMatchObject({ unbound: 9 });
      expect(callsSince(from)['GET /api/v2/users/:id/systems']).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('are the steps of one run only: another run for the same user, and a plan, read for themselves', async () => {
    await lookUp('run-one');
    await step('run-one', userBackupAction as unknown as Step, { user_id: john, path: 'offboarding/one/export.json', connection: 'jumpcloud' });
    const added = unboundSystem();
    expect((await bindSystem(john, added.id)).ok).toBe(true);
    const other = await step('run-two', systemsUnbindAllAction as unknown as Step, { user_id: john, connection: 'jumpcloud' });
    expect(other.result.output).toMatchObject({ unbound: 9 });
    const plan = await planStep(systemsUnbindAllAction, emulatorContext(emulator, { runId: 'run-one', dryRun: true, dir }), { user_id: john, connection: 'jumpcloud' });
    expect(plan.output).toMatchObject({ unbound: 0 });
  });
});
