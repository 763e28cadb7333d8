import { describe, expect, it } from 'vitest';
import { cli, returned, sandboxOrg, userIn, workspace } from './support/offboarding.js';

/**
 * The plan of an onboarding sees past the step that creates the user (issue 11): the new user's
 * id exists only once JumpCloud has created it, yet the plan names every group the user would
 * join, every system it would be bound to, its activation and who would be emailed — and then
 * the run does exactly that. Against the shipped sandbox organisation, through the built CLI.
 */

const TEMPLATE = 'templates/jumpcloud-onboarding.yaml';
const INPUTS = [
  'username=amy.new', 'email=amy.new@company.com', 'first_name=Amy', 'last_name=New', 'department=Engineering',
  'job_title=Backend Engineer', 'manager=jane.doe', 'start_date=2020-01-06', 'groups=Backend Developers', 'systems=LOANER-MBP-01',
].flatMap((pair) => ['--input', pair]);

interface PlannedJson {
  id: string;
  status: string;
  summary?: string;
  reason?: string;
  changes: Array<{ target: string; operation: string }>;
  items?: Array<{ status: string; summary?: string; changes: Array<{ target: string; operation: string }> }>;
}

describe('the plan of an onboarding', () => {
  it('names the groups, systems, activation and recipients for a user it has yet to create, and the run does just that', async () => {
    const ws = workspace();
    const planned = await cli(['plan', TEMPLATE, '--sandbox', ...INPUTS, '--json'], ws);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = returned(planned) as { steps: PlannedJson[]; totalChanges: number; failed?: unknown };
    const step = (id: string): PlannedJson => plan.steps.find((s) => s.id === id) as PlannedJson;
    expect(plan.failed).toBeUndefined();
    // The start date has come: the user is activated at once, so no activation timer is planned.
    expect(plan.steps.filter((s) => s.status !== 'would_run').map((s) => [s.id, s.status])).toEqual([['activate_later', 'would_skip']]);
    expect(step('create').changes).toEqual([expect.objectContaining({ target: 'user "amy.new" (new)', operation: 'create_user' })]);
    expect(step('add_groups').items?.[0]?.summary).toBe('would add the new user amy.new to Engineering, VPN Users');
    expect(step('add_groups').items?.[0]?.changes.map((c) => c.target)).toEqual([expect.stringMatching(/^user group "Engineering" \(/), expect.stringMatching(/^user group "VPN Users" \(/)]);
    expect(step('add_extra_groups').summary).toBe('would add the new user amy.new to Backend Developers');
    expect(step('bind_systems').summary).toBe('would bind the new user amy.new to LOANER-MBP-01');
    expect(step('bind_systems').changes.map((c) => c.target)).toEqual([expect.stringMatching(/^system "LOANER-MBP-01" \(/)]);
    // The start date has come: the user is created ACTIVATED, so the activation changes nothing.
    expect(step('activate').summary).toBe('unchanged: the new user amy.new is already ACTIVATED');
    expect(step('notify_manager').changes.map((c) => c.target)).toEqual(['email to jane.doe@company.com']);
    expect(step('notify_it').changes.map((c) => c.target)).toEqual(['email to it-team@company.com']);
    // Create (as ACTIVATED), three groups, one system and two emails.
    expect(plan.totalChanges).toBe(7);

    const text = await cli(['plan', TEMPLATE, '--sandbox', ...INPUTS], ws);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('[0] 2 changes · would add the new user amy.new to Engineering, VPN Users');
    expect(text.stdout).toContain('  bind_systems  Bind the systems given  [jumpcloud.user.systems.bind]  1 change · would bind the new user amy.new to LOANER-MBP-01');
    expect(text.stdout).toContain('+ notify email to jane.doe@company.com');
    expect(text.stdout).toContain('7 changes in 10 steps, 1 skipped. Nothing was changed.');

    const run = await cli(['run', TEMPLATE, '--sandbox', ...INPUTS, '--json'], ws);
    expect(run.code, run.stderr).toBe(0);
    const user = userIn(sandboxOrg(ws), 'amy.new');
    expect(user?.state).toBe('ACTIVATED');
    // Created by the run, not by the plans before it.
    expect(returned(run)).toMatchObject({ account: { outcome: 'created' }, department_groups: 'Engineering, VPN Users', other_groups: 'Backend Developers', systems: 'LOANER-MBP-01' });

    // Now the user exists: the plan has nothing left to do.
    const again = await cli(['plan', TEMPLATE, '--sandbox', ...INPUTS, '--json'], ws);
    expect(again.code, again.stderr).toBe(0);
    expect((returned(again) as { totalChanges: number }).totalChanges).toBe(0);
  }, 180_000);

  it('stops where the run would: an unknown manager fails the create step, and the failure notification is planned', async () => {
    const ws = workspace();
    const planned = await cli(['plan', TEMPLATE, '--sandbox', ...INPUTS.map((arg) => (arg === 'manager=jane.doe' ? 'manager=nobody.here' : arg)), '--json'], ws);
    expect(planned.code).toBe(1);
    const plan = returned(planned) as { steps: PlannedJson[]; failed?: { step: string; reason: string }; onFailureSteps?: PlannedJson[] };
    expect(plan.failed?.step).toBe('create');
    expect(plan.failed?.reason).toContain('manager "nobody.here"');
    expect(plan.steps.slice(2).map((s) => [s.id, s.status, s.reason])).toEqual(
      ['add_groups', 'add_extra_groups', 'bind_systems', 'activate', 'activate_later', 'summary', 'notify_manager', 'notify_it'].map((id) => [id, 'would_skip', 'not reached: the run would fail at step "create"']),
    );
    expect(plan.onFailureSteps?.map((s) => [s.id, s.status, s.changes.map((c) => c.target)])).toEqual([['notify_it_failed', 'would_run', ['email to it-team@company.com']]]);
  }, 60_000);
});
