import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../actions/core/helpers/smtp-test-server.js';
import { cli, returned, runIdOf, TEMPLATE, workspace, writeConfig } from './support/offboarding.js';

/**
 * Case 9 of issue 10: with `--json`, a failed run printed nothing on stdout, so a script (or the
 * HR system that started it) could not tell what had been revoked before the failure. Now it
 * prints the returned data as far as the steps that ran produced it, with `success: false`, the
 * run id and status, the failed step, the error and each step's tally, and exits 1.
 */
describe('--json of a run that fails', () => {
  it('prints what was done before the failure, the failed step and the error, on stdout, exit 1; resume --json likewise', async () => {
    const ws = workspace();
    // The SMTP server is down (a closed port on loopback, which the sandbox would send through):
    // john.smith is offboarded completely, then the manager's email fails.
    const config = writeConfig(ws, `connections:\n  smtp: { url: "smtp://127.0.0.1:${await closedPort()}", from: idflow@company.com }\n`);
    const failed = await cli(['run', TEMPLATE, '--sandbox', '--config', config, '--input', 'user_identifier=john.smith', '--json'], ws);
    expect(failed.code, failed.stderr).toBe(1);
    const runId = runIdOf(failed);
    expect(failed.stdout.trim().split('\n')).toHaveLength(1);
    const result = returned(failed);
    expect(result).toMatchObject({
      success: false,
      run_id: runId,
      status: 'failed',
      failed_step: 'notify_manager',
      error: { code: expect.any(String) as unknown as string, message: expect.stringContaining('ECONNREFUSED') as unknown as string },
      // The template's returned data, rendered with what the steps that ran produced.
      user_info: { username: 'john.smith', email: 'john.smith@company.com' },
      actions_taken: { account_status: 'disabled', groups_removed: 5, systems_unbound: 8, applications_revoked: 6, ldap_bindings_removed: 1, radius_removed: 1, mfa_cleared: true, ssh_keys_removed: 1 },
      backup: { backed_up: true },
      notifications_sent: { manager_notification: { sent: false }, it_notification: { sent: false } },
      audit_trail: { workflow_run_id: runId },
    });
    // Each step's tally, from the journal: what it changed, how it ended, which never ran.
    const steps = result['steps'] as Record<string, { status: string; changes: number; on_failure?: boolean }>;
    expect(steps['lookup']).toEqual({ status: 'succeeded', changes: 0 });
    expect(steps['remove_groups']).toEqual({ status: 'succeeded', changes: 5 });
    expect(steps['unbind_systems']).toEqual({ status: 'succeeded', changes: 8 });
    expect(steps['notify_manager']).toEqual({ status: 'failed', changes: 0 });
    expect(steps['notify_it']).toEqual({ status: 'not run', changes: 0 });
    expect(steps['notify_it_failed']).toMatchObject({ status: 'failed', on_failure: true });

    // A resume that fails again prints the same shape, with the whole run's counts.
    const resumed = await cli(['resume', runId, '--config', config, '--json'], ws);
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(returned(resumed)).toMatchObject({
      success: false,
      run_id: runId,
      failed_step: 'notify_manager',
      actions_taken: { groups_removed: 5, systems_unbound: 8, applications_revoked: 6 },
      steps: { remove_groups: { status: 'succeeded', changes: 5 } },
    });
  }, 90_000);
});

describe('bulk --json with a row whose run fails', () => {
  it('gives that row the failed step, the error code, its step tallies and the returned data marked success: false', async () => {
    const ws = workspace();
    const port = await closedPort();
    const template = join(ws.dir, 'ping.yaml');
    writeFileSync(template, [
      'id: ping-each',
      'name: Ping each host',
      'subject: "{{inputs.host}}"',
      'inputs:',
      '  host: { type: string, required: true }',
      'steps:',
      '  - id: note',
      '    action: log',
      '    with: { message: "pinging {{inputs.host}}" }',
      '  - id: ping',
      '    action: http.request',
      '    if: { "==": [{ var: inputs.host }, "down"] }',
      '    retry: { attempts: 1 }',
      '    with:',
      '      method: GET',
      `      url: "http://127.0.0.1:${port}/ping"`,
      'output:',
      '  success: true',
      '  host: "{{inputs.host}}"',
      '',
    ].join('\n'));
    const rows = join(ws.dir, 'hosts.jsonl');
    writeFileSync(rows, '{"host": "up"}\n{"host": "down"}\n');
    const result = await cli(['run', template, '--inputs-file', rows, '--json'], ws);
    expect(result.code, result.stderr).toBe(1);
    const shown = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(shown).toEqual([
      expect.objectContaining({ line: 1, subject: 'up', status: 'succeeded', output: { success: true, host: 'up' } }),
      expect.objectContaining({
        line: 2,
        subject: 'down',
        status: 'failed',
        failedStep: 'ping',
        errorCode: expect.any(String) as unknown as string,
        error: expect.stringContaining('ECONNREFUSED') as unknown as string,
        output: { success: false, host: 'down' },
        steps: { note: { status: 'succeeded', changes: 0 }, ping: { status: 'failed', changes: 0 } },
      }),
    ]);
  });
});
