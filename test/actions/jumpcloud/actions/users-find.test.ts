import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator, type SandboxData } from '../../../../actions/jumpcloud/emulator/index.js';
import { usersFindAction, type UsersFindOutput } from '../../../../actions/jumpcloud/actions/users-find.js';
import { emulatorContext, loadExampleOrg, mutatingRequests, objectId, planStep, runStep, userId } from './support/emulator-context.js';

type FindParams = Parameters<typeof usersFindAction.run>[1];

const find = async (emulator: RunningEmulator, params: Partial<FindParams>, connection?: Record<string, unknown>): Promise<UsersFindOutput> =>
  (await runStep(usersFindAction, emulatorContext(emulator, connection === undefined ? {} : { connection }), { exclude_protected: false, connection: 'jumpcloud', ...params } as FindParams)).output as UsersFindOutput;
const names = (output: UsersFindOutput): string[] => output.users.map((u) => u.username);
const calls = (emulator: RunningEmulator, from: number): string[] => emulator.requests().slice(from).map((r) => `${r.method} ${r.path}`);

describe('jumpcloud.users.find on the sandbox organisation', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'users-find' });
  });
  afterAll(() => emulator.close());
  beforeEach(() => emulator.reset());

  it('finds the active users inactive for 90 days, leaving out the exempt ones, with one search and one Directory Insights query', async () => {
    const from = emulator.requests().length;
    const output = await find(emulator, { state: 'ACTIVATED', inactive_days: 90, exclude_groups: ['Inactivity Exempt'], exclude_users: ['admin', 'helpdesk.legacy@company.com'] });
    expect(names(output)).toEqual(['hannah.scott', 'james.baker', 'lee.wong', 'olivia.brown']);
    expect(output.count).toBe(4);
    expect(output.excluded).toEqual([
      { id: userId(emulator, 'helpdesk.legacy@company.com'), username: '64f1a2b3c4d5e6f708192a3b', reason: 'exclude_users lists "helpdesk.legacy@company.com"' },
      { id: userId(emulator, 'admin'), username: 'admin', reason: 'exclude_users lists "admin"' },
      { id: userId(emulator, 'victoria.reed'), username: 'victoria.reed', reason: 'member of excluded group "Inactivity Exempt"' },
    ]);
    const olivia = output.users.find((u) => u.username === 'olivia.brown');
    expect(olivia).toMatchObject({
      email: 'olivia.brown@company.com', displayname: 'Olivia Brown', state: 'ACTIVATED', department: 'Engineering', job_title: 'QA Engineer',
      manager_id: userId(emulator, 'jane.doe'), manager: { username: 'jane.doe', email: 'jane.doe@company.com' },
      // Older than Directory Insights keeps (90 days): none on record, inactive for at least the 90 days read.
      last_authentication: null, last_authentication_via: null, inactive_for_days: 90,
    });
    expect(output.criteria).toEqual({
      state: 'ACTIVATED', inactive_days: 90, exclude_users: ['admin', 'helpdesk.legacy@company.com'],
      exclude_groups: [{ id: objectId(emulator, 'usergroups', 'Inactivity Exempt'), name: 'Inactivity Exempt' }],
    });
    const made = calls(emulator, from);
    expect(made.filter((c) => c === 'POST /insights/directory/v1/events')).toHaveLength(1);
    expect(made.filter((c) => c === 'POST /api/search/systemusers')).toHaveLength(1);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('reports the last authentication and how, and a failed attempt does not count', async () => {
    const output = await find(emulator, { inactive_days: 60, department: 'Engineering' });
    // zoe is in Support; in Engineering only olivia (120 days) and lee (never) are inactive for 60 days.
    expect(names(output)).toEqual(['lee.wong', 'olivia.brown', 'ryan.oconnor']);
    const all = await find(emulator, { department: 'Human Resources' });
    const hannah = all.users.find((u) => u.username === 'hannah.scott');
    expect(hannah?.last_authentication).toBeNull();
    const support = await find(emulator, { department: 'Support' });
    const zoe = support.users.find((u) => u.username === 'zoe.mitchell');
    expect(zoe?.last_authentication_via).toBe('radius');
    expect(Math.round((Date.now() - Date.parse(zoe?.last_authentication as string)) / 86_400_000)).toBe(85);
    expect(zoe).not.toHaveProperty('inactive_for_days');
  });

  it('filters by state, department, job title, employee type, custom attribute and group (by name or id)', async () => {
    expect(names(await find(emulator, { state: 'SUSPENDED' }))).toEqual(['ryan.oconnor', 'sophie.turner']);
    expect(names(await find(emulator, { department: 'Engineering', employee_type: 'Contractor' }))).toEqual(['lee.wong', 'sam.rivera']);
    expect(names(await find(emulator, { job_title: 'Account Executive' }))).toEqual(['kevin.white', 'nina.lopez', 'rachel.green']);
    expect(names(await find(emulator, { attributes: { costCenterCode: 'ENG-100' } }))).toEqual(['john.smith']);
    expect(names(await find(emulator, { attributes: { costCenterCode: 'ENG-100', badgeNumber: 'nope' } }))).toEqual([]);
    const finance = objectId(emulator, 'usergroups', 'Finance Team');
    expect(names(await find(emulator, { member_of: [finance] }))).toEqual(['linda.moore', 'maria.garcia', 'sarah.johnson', 'tom.wilson']);
    expect(names(await find(emulator, { member_of: ['Contractors (automatic)', 'HR Team'], state: 'ACTIVATED' }))).toEqual(['emily.davis', 'hannah.scott', 'lee.wong', 'paul.walker', 'sam.rivera']);
  });

  it('filters by creation date or time, and by protected account', async () => {
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    expect(names(await find(emulator, { created_after: day(30) }))).toEqual(['alex.nguyen', 'nina.lopez']);
    expect(names(await find(emulator, { created_after: day(30), created_before: day(5) }))).toEqual(['alex.nguyen']);
    expect(names(await find(emulator, { created_before: '2022-12-31', created_after: '2022-01-01' }))).toEqual(['john.smith']);
    const output = await find(emulator, { department: 'IT', exclude_protected: true }, { protected_accounts: ['admin@company.com'] });
    expect(names(output)).toEqual(['mark.evans']);
    expect(output.excluded).toEqual([{ id: userId(emulator, 'admin'), username: 'admin', reason: 'protected account ("admin@company.com")' }]);
  });

  it('plans exactly what it runs, naming each user, and changes nothing', async () => {
    const params = { state: 'ACTIVATED', inactive_days: 90, exclude_groups: ['Inactivity Exempt'], exclude_users: ['admin', 'helpdesk.legacy@company.com'], exclude_protected: false, connection: 'jumpcloud' } as FindParams;
    const plan = await planStep(usersFindAction, emulatorContext(emulator, { dryRun: true }), params);
    const run = await runStep(usersFindAction, emulatorContext(emulator), params);
    expect(plan.output).toEqual(run.output);
    expect(run.changed).toBe(false);
    expect(plan.changes.map((c) => c.target)).toEqual(['hannah.scott', 'james.baker', 'lee.wong', 'olivia.brown'].map((n) => `user "${n}" (${userId(emulator, n)})`));
    expect(plan.changes.every((c) => c.result === 'reported' && c.operation === 'find')).toBe(true);
    expect(plan.changes[0]?.note).toBe('ACTIVATED; no authentication on record; inactive for at least 90 days');
    expect(plan.summary).toBe('4 users found: hannah.scott, james.baker, lee.wong, olivia.brown (3 excluded)');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('finds the same users through rate limits, server errors and dropped connections (the client retries every read)', async () => {
    const params: Partial<FindParams> = { state: 'ACTIVATED', inactive_days: 90, member_of: ['Engineering', 'HR Team'] };
    const clean = await find(emulator, params);
    emulator.setFaults({ rateLimit: 20, failRate: 0.25, dropRate: 0.05 });
    try {
      expect(await find(emulator, params)).toEqual(clean);
      expect(emulator.requests().some((r) => r.fault !== undefined)).toBe(true);
    } finally {
      emulator.setFaults({ rateLimit: 0, failRate: 0, dropRate: 0 });
    }
  });

  it('refuses bad parameters with errors that name them, before searching', async () => {
    const from = emulator.requests().length;
    await expect(find(emulator, { created_after: '2026-02-30' })).rejects.toThrow('jumpcloud.users.find: "created_after" is not a date: "2026-02-30" (use 2026-01-31 or 2026-01-31T09:00:00Z)');
    await expect(find(emulator, { created_after: '2026-02-30' })).rejects.toBeInstanceOf(PermanentError);
    await expect(find(emulator, { created_after: '2026-03-01', created_before: '2026-01-01' })).rejects.toThrow('"created_after" must be earlier than "created_before"');
    await expect(find(emulator, { exclude_users: ['admin', ' '] })).rejects.toThrow('jumpcloud.users.find: exclude_users[1] is blank');
    await expect(find(emulator, { member_of: ['Enginering'] })).rejects.toThrow(NotFoundError);
    await expect(find(emulator, { member_of: ['Engineering', 'Enginering'] })).rejects.toThrow('jumpcloud.users.find: member_of[1] "Enginering": no JumpCloud user group has this id or name');
    expect(calls(emulator, from).filter((c) => c === 'POST /api/search/systemusers' || c.includes('insights'))).toEqual([]);
  });
});

describe('jumpcloud.users.find: inactivity edges and paging', () => {
  const logins = (days: number[]) => days.map((daysAgo) => ({ daysAgo, via: 'user_portal' as const }));
  // 120 users (two pages of the user search) with 85 logins each (10,200 events: two pages of Directory Insights).
  const crowd = Array.from({ length: 120 }, (_, i) => ({ username: `u${String(i).padStart(3, '0')}`, email: `u${i}@example.com`, createdDaysAgo: 400, logins: logins(Array.from({ length: 85 }, (_, d) => d + 1)) }));
  const DATA: SandboxData = {
    users: [
      { username: 'day29', email: 'day29@example.com', createdDaysAgo: 400, logins: logins([29, 200]) },
      { username: 'day30', email: 'day30@example.com', createdDaysAgo: 400, logins: logins([30]) },
      { username: 'day31', email: 'day31@example.com', createdDaysAgo: 400, logins: [{ daysAgo: 31, via: 'system', system: 'box' }] },
      { username: 'failed', email: 'failed@example.com', createdDaysAgo: 400, logins: [{ daysAgo: 45, via: 'ldap' }, { daysAgo: 1, via: 'radius', success: false }] },
      { username: 'fresh', email: 'fresh@example.com', createdDaysAgo: 20 },
      { username: 'never', email: 'never@example.com', createdDaysAgo: 31 },
      ...crowd,
    ],
    systems: [{ displayName: 'box' }],
  };
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ data: DATA, seed: 'users-find-edges' });
  });
  afterAll(() => emulator.close());

  it('counts a user inactive from N days without a successful authentication, and never one created within the window', async () => {
    const from = emulator.requests().length;
    const output = await find(emulator, { inactive_days: 30 });
    expect(names(output)).toEqual(['day30', 'day31', 'failed', 'never']);
    expect(output.users.map((u) => u.inactive_for_days)).toEqual([30, 31, 45, 31]);
    expect(output.users.map((u) => u.last_authentication_via)).toEqual(['user_portal', 'system', 'ldap', null]);
    // Both lists took two pages each: 120+6 users at 100 a page, 10,200+ events at 10,000 a page.
    const made = calls(emulator, from);
    expect(made.filter((c) => c === 'POST /api/search/systemusers')).toHaveLength(2);
    expect(made.filter((c) => c === 'POST /insights/directory/v1/events')).toHaveLength(2);
    // At 40 days only the LDAP bind 45 days ago is too old; "never" was created 31 days ago.
    expect(names(await find(emulator, { inactive_days: 40 }))).toEqual(['failed']);
  });
});
