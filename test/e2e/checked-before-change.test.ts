import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { accessOf, cli, sandboxOrg, TEMPLATE, workspace, type Workspace } from './support/offboarding.js';

/**
 * Nothing is changed until everything that can be checked has been (issue 10, cases 4 and 5):
 * a bad organisation variable or a protected account is refused before the first change, so the
 * sandbox organisation is left exactly as it was.
 */

/**
 * The sandbox organisation was never changed: the emulator saves its state file after the first
 * request that changes something, so a store without one saw no change at all (a plan, or a
 * run refused before its first change). Every offboarding that changes anything writes it.
 */
function expectNoChange(ws: Workspace): void {
  const folder = join(ws.store, 'sandbox');
  const saved = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.json')) : [];
  expect(saved, 'the sandbox organisation was changed').toEqual([]);
}

/** The offboarding template with a line removed (written into the workspace). */
function templateWithout(ws: Workspace, line: RegExp, name: string): string {
  const text = readFileSync(join(repoRoot, TEMPLATE), 'utf8');
  const changed = text.split('\n').filter((l) => !line.test(l)).join('\n');
  expect(changed).not.toBe(text);
  const file = join(ws.dir, name);
  writeFileSync(file, changed);
  return file;
}

function badRetentionConfig(ws: Workspace): string {
  const file = join(ws.dir, 'idflow.config.yaml');
  writeFileSync(file, 'vars:\n  jumpcloud_retention_days: -3\n');
  return file;
}

describe('a bad organisation variable', () => {
  it('refuses run and plan with exit 2, naming the variable, and changes nothing', async () => {
    const ws = workspace();
    const config = badRetentionConfig(ws);
    for (const command of ['run', 'plan']) {
      const result = await cli([command, TEMPLATE, '--sandbox', '--config', config, '--input', 'user_identifier=john.smith@company.com'], ws);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('variable "jumpcloud_retention_days" must be at least 0; got -3');
      expect(result.stderr).toContain('nothing was run');
    }
    expect(existsSync(join(ws.store, 'runs'))).toBe(false);
    expectNoChange(ws);
  });

  it('is caught through the action\'s schema too when the template declares no minimum: exit 2 naming the step and parameter', async () => {
    const ws = workspace();
    const config = badRetentionConfig(ws);
    const template = templateWithout(ws, /^ {4}minimum: 0$/, 'offboarding-without-minimum.yaml');
    for (const command of ['run', 'plan']) {
      const result = await cli([command, template, '--sandbox', '--config', config, '--input', 'user_identifier=john.smith@company.com'], ws);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('step "deactivate" (jumpcloud.user.deactivate): parameter "retention_days" must be >= 0, got -3');
      expect(result.stderr).toMatch(/offboarding-without-minimum\.yaml:\d+:\d+: error/);
    }
    expect(existsSync(join(ws.store, 'runs'))).toBe(false);
    expectNoChange(ws);
  });
});

describe('a protected account', () => {
  it('is refused before any change by a template whose lookup does not set refuse_protected, in run and plan', async () => {
    const ws = workspace();
    const template = templateWithout(ws, /^ {6}refuse_protected: true$/, 'offboarding-without-refuse.yaml');

    const plan = await cli(['plan', template, '--sandbox', '--input', 'user_identifier=admin', '--json'], ws);
    expect(plan.code, plan.stderr).toBe(1);
    const planned = JSON.parse(plan.stdout) as { steps: Array<{ id: string; status: string; reason?: string; notReached?: true }>; failed?: { step: string } };
    const steps = planned.steps;
    const refused = steps.filter((s) => s.status === 'error').map((s) => s.id);
    // The first step that would change admin shows the refusal, and the plan stops there as the
    // run does: the steps after it are not reached (they used to be planned, each refused again).
    expect(refused).toEqual(['remove_groups']);
    expect(planned.failed?.step).toBe('remove_groups');
    for (const step of steps.filter((s) => s.status === 'error')) expect(step.reason, step.id).toMatch(/JumpCloud user "admin" \([0-9a-f]{24}\) is a protected account \(matched "admin@company.com"/);
    const after = steps.slice(steps.findIndex((s) => s.id === 'remove_groups') + 1);
    expect(after.length).toBeGreaterThan(0);
    for (const step of after) expect([step.id, step.status, step.notReached]).toEqual([step.id, 'would_skip', true]);

    const run = await cli(['run', template, '--sandbox', '--input', 'user_identifier=admin'], ws);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('is a protected account');
    expect(run.stderr).toContain('allow_protected: true');
    expectNoChange(ws);
    // The same template offboards an account that is not protected (so the refusal above is the guard's).
    const other = await cli(['run', template, '--sandbox', '--input', 'user_identifier=priya.patel'], ws);
    expect(other.code, other.stderr).toBe(0);
    const org = sandboxOrg(ws);
    expect(accessOf(org, 'priya.patel')?.groups).toEqual([]);
    expect(accessOf(org, 'admin')?.groups).toContain('IT Admins');
    expect(accessOf(org, 'admin')?.state).toBe('ACTIVATED');
  });
});
