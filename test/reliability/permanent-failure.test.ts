import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEml } from '../actions/core/helpers/parse-eml.js';
import { startSmtpServer, type SmtpTestServer } from '../actions/core/helpers/smtp-test-server.js';
import { idflow } from '../support/cli.js';
import { orgState, runIds, startOrg, TEMPLATE, workspace } from './support/offboarding-org.js';

/**
 * A step that cannot succeed: the emulator answers 403 to removing john.smith from one of his
 * groups (a targeted fault rule). The run fails at that step with a clear error, at once (a 403
 * is not retried), the run record shows which steps completed and which did not, the
 * `on_failure` step tells the IT team (by email, through a real SMTP server) where it stopped
 * and how to resume; once the cause is fixed (the rule cleared), `idflow resume` finishes the
 * run without repeating the completed steps, to the state an uninterrupted run leaves.
 */

let smtp: SmtpTestServer;
beforeAll(async () => {
  smtp = await startSmtpServer({ users: { bot: 's3cret-smtp-password' } });
});
afterAll(() => smtp.close());

const RUN = ['run', TEMPLATE, '--input', 'user_identifier=john.smith@company.com', '--input', 'notify_manager=false', '--reason', 'Permanent failure test', '--json'];

function config(dir: string, emulatorUrl: string): string {
  const file = join(dir, 'idflow.config.yaml');
  writeFileSync(file, [
    'vars:',
    '  it_team_emails: [it-team@company.com]',
    'connections:',
    '  jumpcloud:',
    `    base_url: ${JSON.stringify(emulatorUrl)}`,
    '    api_key: { env: JUMPCLOUD_API_KEY }',
    '  smtp:',
    `    url: ${JSON.stringify(smtp.url)}`,
    '    username: bot',
    '    password: { env: SMTP_PASSWORD }',
    '    from: "IT Offboarding <idflow@company.com>"',
    '',
  ].join('\n'));
  return file;
}

describe('a step that cannot succeed', () => {
  it('fails the run clearly, records what completed, runs on_failure, and resumes to the end once the cause is fixed', async () => {
    // The state an uninterrupted run leaves, for comparison.
    const calm = await startOrg({ latencyMs: 2 });
    let expected: unknown;
    try {
      const ws = workspace(calm, { JUMPCLOUD_API_URL: undefined, SMTP_PASSWORD: 's3cret-smtp-password' });
      const clean = await idflow([...RUN, '--config', config(ws.dir, calm.url)], { cwd: ws.dir, env: ws.env });
      expect(clean.code, clean.stderr).toBe(0);
      expected = orgState(calm);
    } finally {
      await calm.close();
    }
    smtp.messages.length = 0;

    const emulator = await startOrg({ latencyMs: 2 });
    try {
      const ws = workspace(emulator, { JUMPCLOUD_API_URL: undefined, SMTP_PASSWORD: 's3cret-smtp-password' });
      const cfg = config(ws.dir, emulator.url);
      const group = emulator.state.snapshot().usergroups.find((g) => g.name === 'GitHub Admins');
      expect(group).toBeDefined();
      const forbidden = `/api/v2/usergroups/${group?.id ?? ''}/members`;
      emulator.setFaultRules([{ method: 'POST', path: forbidden, status: 403, message: 'Forbidden: this API key may not change the members of "GitHub Admins"' }]);

      const failed = await idflow([...RUN, '--config', cfg], { cwd: ws.dir, env: ws.env });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/remove_groups/);
      expect(failed.stderr).toContain('403');
      expect(failed.stderr).toContain('GitHub Admins');
      const [runId] = runIds(ws.store);
      expect(failed.stderr).toContain(`idflow resume ${runId}`);
      // --json prints what was done before the failure: the step that failed had removed him
      // from his other four groups before the 403 (its own output is lost with it; its tally is not).
      const result = JSON.parse(failed.stdout) as Record<string, unknown>;
      expect(result).toMatchObject({
        success: false,
        run_id: runId,
        status: 'failed',
        failed_step: 'remove_groups',
        error: { message: expect.stringContaining('GitHub Admins') as unknown as string },
        user_info: { username: 'john.smith' },
        // The account was never deactivated: the result must not say it was.
        actions_taken: { account_status: 'unchanged' },
        backup: { backed_up: true },
        steps: {
          lookup: { status: 'succeeded', changes: 0 },
          backup: { status: 'succeeded', changes: 1 },
          remove_groups: { status: 'failed', changes: 4 },
          unbind_systems: { status: 'not run', changes: 0 },
          deactivate: { status: 'not run', changes: 0 },
          notify_it_failed: { status: 'succeeded', on_failure: true },
        },
      });
      // A 403 is permanent: tried once, by neither the client nor the engine again.
      expect(emulator.requests().filter((r) => r.path === forbidden)).toEqual([expect.objectContaining({ status: 403, fault: 'rule' })]);

      // The run record: which steps completed, which failed, which never ran; on_failure ran.
      const shown = JSON.parse((await idflow(['runs', 'show', runId as string, '--json', '--config', cfg], { cwd: ws.dir, env: ws.env })).stdout) as {
        meta: { status: string; failedStep?: string; error?: string };
        steps: Array<{ step: string; status: string; attempts: number; error?: { code: string; message: string } }>;
        onFailure: Array<{ step: string; status: string }>;
      };
      expect(shown.meta).toMatchObject({ status: 'failed', failedStep: 'remove_groups' });
      expect(shown.meta.error).toContain('GitHub Admins');
      const statuses = Object.fromEntries(shown.steps.map((s) => [s.step, s.status]));
      expect(statuses).toMatchObject({ lookup: 'succeeded', backup: 'succeeded', remove_groups: 'failed' });
      for (const later of ['unbind_systems', 'deactivate', 'verify']) expect(statuses[later] ?? 'not run', later).toBe('not run');
      expect(shown.steps.find((s) => s.step === 'remove_groups')).toMatchObject({ attempts: 1, error: { message: expect.stringContaining('403') } });
      expect(shown.onFailure).toEqual([expect.objectContaining({ step: 'notify_it_failed', status: 'succeeded' })]);
      // The IT team was told where it stopped and how to finish it.
      expect(smtp.messages).toHaveLength(1);
      const mail = parseEml(smtp.messages[0]?.raw ?? '');
      expect(mail.headers.get('subject')).toBe(`Offboarding of john.smith@company.com failed at step remove_groups (run ${runId})`);
      expect(mail.text).toContain(`idflow resume ${runId}`);
      // Half done: removed from his other groups, still in GitHub Admins, not suspended.
      const john = emulator.state.user('john.smith');
      expect(emulator.state.groupsOf(john?._id ?? '')).toEqual([group?.id]);
      expect(john?.state).toBe('ACTIVATED');

      // The cause is fixed; resume finishes the run, not repeating what completed.
      emulator.setFaultRules([]);
      const resumed = await idflow(['resume', runId as string, '--json', '--config', cfg], { cwd: ws.dir, env: ws.env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ success: true, actions_taken: { account_status: 'disabled', groups_removed: 5, systems_unbound: 8, applications_revoked: 6 } });
      expect(orgState(emulator)).toEqual(expected);
      const journal = readFileSync(join(ws.store, 'runs', runId as string, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; step?: string });
      const secondSession = journal.slice(journal.findIndex((e) => e.type === 'run.resumed'));
      const startedAgain = new Set(secondSession.filter((e) => e.type === 'step.started').map((e) => e.step));
      expect(startedAgain.has('lookup') || startedAgain.has('backup')).toBe(false);
      expect(startedAgain.has('remove_groups')).toBe(true);
      const audit = await idflow(['audit', 'verify', runId as string, '--config', cfg], { cwd: ws.dir, env: ws.env });
      expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    } finally {
      await emulator.close();
    }
  }, 60_000);
});
