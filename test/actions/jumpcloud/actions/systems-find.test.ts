import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/index.js';
import { systemsFindAction, type SystemsFindOutput } from '../../../../actions/jumpcloud/actions/systems-find.js';
import { emulatorContext, loadExampleOrg, mutatingRequests, objectId, planStep, runStep, userId } from './support/emulator-context.js';

type FindParams = Parameters<typeof systemsFindAction.run>[1];

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'systems-find' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const find = async (params: Partial<FindParams>): Promise<SystemsFindOutput> =>
  (await runStep(systemsFindAction, emulatorContext(emulator), { match: 'all', connection: 'jumpcloud', ...params } as FindParams)).output as SystemsFindOutput;
const names = (output: SystemsFindOutput): string[] => output.systems.map((s) => s.display_name);
const COMPLIANCE: Partial<FindParams> = { os_family: ['darwin', 'windows'], match: 'any', disk_encryption: 'off', os_below: { darwin: '14.0', windows: '10.0.22631' }, policy_failing: true };

describe('jumpcloud.systems.find', () => {
  it('finds the systems not seen for 30 days, with the users bound to each (directly or through groups) and their managers', async () => {
    const output = await find({ not_seen_days: 30 });
    expect(names(output)).toEqual(['FIN-WS-01', 'HR-WS-01', 'reception-kiosk', 'SALES-LT-03']);
    const sales = output.systems.find((s) => s.display_name === 'SALES-LT-03');
    expect(sales).toMatchObject({ hostname: 'SALES-LT-03', os: 'Windows', os_family: 'windows', version: '10.0.22631', fde: { active: true, keyPresent: true } });
    expect(sales?.users).toEqual([{ id: userId(emulator, 'sophie.turner'), username: 'sophie.turner', email: 'sophie.turner@company.com', manager_id: userId(emulator, 'david.kim') }]);
    expect(sales?.matched.not_seen_days?.days).toBe(200);
    expect(output.systems.find((s) => s.display_name === 'HR-WS-01')?.users.map((u) => u.username)).toEqual(['emily.davis', 'hannah.scott', 'paul.walker']);
    expect(output.systems.find((s) => s.display_name === 'FIN-WS-01')?.users.map((u) => u.username)).toEqual(['linda.moore', 'maria.garcia', 'sarah.johnson', 'tom.wilson']);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('finds the devices that break any compliance rule and says which rule each breaks, naming failing policies', async () => {
    const output = await find(COMPLIANCE);
    expect(names(output)).toEqual(['FIN-WS-02', 'HR-WS-01', 'JDOE-MBP', 'PPATEL-MBP', 'reception-kiosk', 'SALES-LT-07']);
    const matched = Object.fromEntries(output.systems.map((s) => [s.display_name, s.matched]));
    expect(matched['PPATEL-MBP']).toEqual({
      os_family: 'darwin',
      disk_encryption: { active: false, keyPresent: false },
      policy_failing: [{ policy_id: objectIdOfPolicy('FileVault required'), policy: 'FileVault required', detail: 'FileVault is off: the user has not enabled it yet' }],
    });
    expect(matched['reception-kiosk']).toEqual({ os_family: 'darwin', os_below: { family: 'darwin', minimum: '14.0', version: '13.6' } });
    expect(matched['HR-WS-01']).toEqual({ os_family: 'windows', os_below: { family: 'windows', minimum: '10.0.22631', version: '10.0.19045' } });
    expect(matched['FIN-WS-02']?.policy_failing?.map((f) => f.policy)).toEqual(['Windows firewall on']);
    // With "all", only systems breaking every rule: none here; two rules at once: the two unencrypted ones.
    expect(names(await find({ ...COMPLIANCE, match: 'all' }))).toEqual([]);
    expect(names(await find({ os_family: ['darwin', 'windows'], disk_encryption: 'off', policy_failing: true }))).toEqual(['PPATEL-MBP', 'SALES-LT-07']);
  });

  it('compares versions numerically per family (linux 20.04 is below 22.04; 2023 is not)', async () => {
    expect(names(await find({ os_below: { linux: '22.04' } }))).toEqual(['dev-db-01']);
    expect(names(await find({ os_below: { darwin: '14.4' } }))).toEqual(['PPATEL-MBP', 'reception-kiosk']);
  });

  it('filters by bound user (username or email), system group (name or id), OS and date added', async () => {
    const john = await find({ bound_to_user: 'john.smith@company.com', os_family: ['linux'] });
    expect(names(john)).toEqual(['bastion-01', 'build-server-01', 'build-server-02', 'ci-runner-01', 'dev-db-01', 'staging-web-01', 'staging-web-02']);
    expect(john.systems[0]?.matched.bound_to_user).toEqual({ id: userId(emulator, 'john.smith'), username: 'john.smith' });
    expect(names(await find({ bound_to_user: 'john.smith' }))).toHaveLength(8);
    const finance = objectId(emulator, 'systemgroups', 'Finance Workstations');
    const inGroup = await find({ in_group: [finance, 'Production Servers'] });
    expect(names(inGroup)).toEqual(['FIN-WS-01', 'FIN-WS-02', 'prod-db-01', 'prod-web-01']);
    expect(inGroup.systems[0]?.matched.in_group).toEqual([{ id: finance, name: 'Finance Workstations' }]);
    expect(names(await find({ os: 'Mac OS X', added_after: new Date(Date.now() - 30 * 86_400_000).toISOString() }))).toEqual(['LOANER-MBP-01']);
    expect(names(await find({ os_family: ['windows'], added_before: new Date(Date.now() - 1000 * 86_400_000).toISOString().slice(0, 10) }))).toEqual(['HR-WS-01']);
  });

  it('plans exactly what it runs, naming each system, and changes nothing', async () => {
    const params = { ...COMPLIANCE, connection: 'jumpcloud' } as FindParams;
    const plan = await planStep(systemsFindAction, emulatorContext(emulator, { dryRun: true }), params);
    const run = await runStep(systemsFindAction, emulatorContext(emulator), params);
    expect(plan.output).toEqual(run.output);
    expect(plan.changes.map((c) => c.target)).toEqual((run.output as SystemsFindOutput).systems.map((s) => `system "${s.display_name}" (${s.id})`));
    expect(plan.changes[0]).toMatchObject({ operation: 'find', result: 'reported', note: 'matched os_family, policy_failing' });
    expect(plan.summary).toBe('6 systems found: FIN-WS-02, HR-WS-01, JDOE-MBP, PPATEL-MBP, reception-kiosk, …');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('finds the same systems through rate limits, server errors and dropped connections (the client retries every read)', async () => {
    const clean = await find(COMPLIANCE);
    emulator.setFaults({ rateLimit: 20, failRate: 0.25, dropRate: 0.05 });
    try {
      expect(await find(COMPLIANCE)).toEqual(clean);
      expect(emulator.requests().some((r) => r.fault !== undefined)).toBe(true);
    } finally {
      emulator.setFaults({ rateLimit: 0, failRate: 0, dropRate: 0 });
    }
  });

  it('refuses what names nothing, and bad dates, with errors that name the parameter', async () => {
    await expect(find({ in_group: ['Quarantine', 'Quarantaine'] })).rejects.toThrow('jumpcloud.systems.find: in_group[1] "Quarantaine": no JumpCloud system group has this id or name');
    await expect(find({ bound_to_user: 'nobody@company.com' })).rejects.toThrow(NotFoundError);
    await expect(find({ added_after: '2026-13-01' })).rejects.toThrow('"added_after" is not a date');
    await expect(find({ added_after: '2026-03-01', added_before: '2026-03-01' })).rejects.toThrow('"added_after" must be earlier than "added_before"');
    expect(names(await find({ in_group: ['Quarantine'] }))).toEqual([]);
  });
});

function objectIdOfPolicy(name: string): string {
  const policy = emulator.state.snapshot().policies.find((p) => p.name === name);
  if (policy === undefined) throw new Error(`no policy ${name}`);
  return policy.id;
}
