import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEml } from '../actions/core/helpers/parse-eml.js';
import { closedPort, startSmtpServer } from '../actions/core/helpers/smtp-test-server.js';
import { accessOf, cli, outbox, returned, runIdOf, sandboxOrg, TEMPLATE, userIn, workspace, writeConfig } from './support/offboarding.js';

/**
 * The offboarding's other paths in the sandbox: deletion with the manager cascade, keeping access
 * and skipping the backup, a bulk run of examples/offboarding/leavers.csv, and another org file
 * with its own variables.
 */

const ZERO_ACCESS = { groups_removed: 0, systems_unbound: 0, applications_revoked: 0, ldap_bindings_removed: 0, radius_removed: 0 };

describe('offboarding in the sandbox', () => {
  it('never uses, prints or records the real JumpCloud settings of the environment', async () => {
    const realKey = 'real-admin-api-key-0123456789abcdef01234567';
    // If the sandbox run read any of these, it would call JumpCloud itself (and fail) or send a
    // foreign x-org-id the emulator rejects.
    const ws = workspace({ JUMPCLOUD_API_KEY: realKey, JUMPCLOUD_API_URL: 'https://console.jumpcloud.com', JUMPCLOUD_ORG_ID: 'ffffffffffffffffffffffff' });
    const result = await cli(['run', TEMPLATE, '--sandbox', '--input', 'user_identifier=priya.patel', '--json'], ws);
    expect(result.code, result.stderr).toBe(0);
    expect(returned(result)).toMatchObject({ success: true, actions_taken: { account_status: 'disabled' } });
    // The emulator's own key is printed (it opens nothing but the emulator); the real one nowhere.
    expect(result.stderr).toMatch(/^API key: [0-9a-f]{40}$/m);
    expect(`${result.stdout}\n${result.stderr}`).not.toContain(realKey);
    const files = readdirSync(ws.store, { recursive: true, encoding: 'utf8' }).map((name) => join(ws.store, name)).filter((file) => statSync(file).isFile());
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect(readFileSync(file, 'utf8').includes(realKey), file).toBe(false);
  });

  it('deletes a manager, clearing the manager of everyone who reported to her, and tells her own manager', async () => {
    const ws = workspace();
    const result = await cli(['run', TEMPLATE, '--sandbox', '--input', 'user_identifier=jane.doe', '--input', 'removal_mode=delete', '--json'], ws);
    expect(result.code, result.stderr).toBe(0);
    expect(returned(result)).toMatchObject({
      success: true,
      user_info: { username: 'jane.doe', display_name: 'Jane Doe' },
      actions_taken: { account_status: 'deleted', groups_removed: 2, systems_unbound: 1, applications_revoked: 4 },
      notifications_sent: { manager_notification: { sent: true, recipient: 'michael.chen@company.com' }, it_notification: { sent: true } },
    });
    const org = sandboxOrg(ws);
    expect(userIn(org, 'jane.doe')).toBeUndefined();
    for (const report of ['john.smith', 'priya.patel', 'ryan.oconnor']) expect(userIn(org, report), report).not.toHaveProperty('manager');
    expect(userIn(org, 'sarah.johnson')).toHaveProperty('manager');
    const subjects = outbox(ws).map((raw) => parseEml(raw).headers.get('subject'));
    expect(subjects).toEqual(['Jane Doe has been offboarded from JumpCloud', 'Offboarded jane.doe from JumpCloud (deleted)']);
  });

  it('keeps access and takes no backup when asked, still disabling the account and reporting zeros', async () => {
    const ws = workspace();
    const result = await cli(['run', TEMPLATE, '--sandbox', '--input', 'user_identifier=priya.patel', '--input', 'revoke_all_access=false', '--input', 'backup_user_data=false', '--reason', 'Leave of absence', '--json'], ws);
    expect(result.code, result.stderr).toBe(0);
    const data = returned(result);
    expect(data['actions_taken']).toMatchObject({ account_status: 'disabled', ...ZERO_ACCESS });
    expect(data['backup']).toEqual({ backed_up: false, backup_location: null, includes: [] });
    expect(data['audit_trail']).toMatchObject({ reason: 'Leave of absence' });
    expect(existsSync(join(ws.store, 'backups'))).toBe(false);
    const access = accessOf(sandboxOrg(ws), 'priya.patel');
    expect(access?.state).toBe('SUSPENDED');
    expect(access?.groups).toHaveLength(4);
    const [manager] = outbox(ws).map(parseEml);
    expect(manager?.text).toContain('- Groups, systems, applications, LDAP and RADIUS: kept (revoke_all_access was false)');
    expect(manager?.text).toContain('- Backup: none (backup_user_data was false)');
    expect(manager?.text).toContain('Why: Leave of absence');
  });

  it('offboards the leavers of examples/offboarding/leavers.csv in one bulk run; a second changes nothing and says the deleted one is already deleted', async () => {
    const ws = workspace();
    const args = ['run', TEMPLATE, '--sandbox', '--inputs-file', 'examples/offboarding/leavers.csv', '--json'];
    const first = await cli(args, ws);
    expect(first.code, first.stderr).toBe(0);
    const rows = JSON.parse(first.stdout) as Array<{ line: number; subject: string; status: string; output: { actions_taken: Record<string, unknown>; audit_trail: { reason: string } } }>;
    expect(rows.map((r) => [r.line, r.subject, r.status])).toEqual([
      [2, 'priya.patel', 'succeeded'],
      [3, 'chris.taylor@company.com', 'succeeded'],
      [4, 'tom.wilson', 'succeeded'],
      [5, 'sam.rivera@contractors.company.com', 'succeeded'],
      [6, 'kevin.white', 'succeeded'],
    ]);
    expect(rows.map((r) => r.output.actions_taken['account_status'])).toEqual(['disabled', 'disabled', 'deleted', 'disabled', 'disabled']);
    expect(rows.map((r) => r.output.audit_trail.reason)).toEqual(['Resigned', 'Resigned', 'Contract ended', 'Contract ended', 'Employee termination']);
    const org = sandboxOrg(ws);
    expect(userIn(org, 'tom.wilson')).toBeUndefined();
    for (const username of ['priya.patel', 'chris.taylor', 'kevin.white']) expect(accessOf(org, username), username).toEqual({ groups: [], associations: [], sshKeys: 0, pushEndpoints: 0, state: 'SUSPENDED' });
    // sam.rivera's dynamic group follows its rule: reported, not removed; the account is suspended.
    expect(accessOf(org, 'sam.rivera')).toMatchObject({ state: 'SUSPENDED', groups: ['Contractors (automatic)'] });

    // A second run changes nothing: every row succeeds with zero counts and sends nothing. The
    // deleted account is gone, so its run ends at the lookup, as done, saying when it was deleted
    // (Directory Insights), and reports it as deleted.
    const second = await cli(args, ws);
    expect(second.code, second.stderr).toBe(0);
    const again = JSON.parse(second.stdout) as Array<(typeof rows)[number] & { output: { success: boolean; notifications_sent: { manager_notification: { sent: boolean } } } }>;
    expect(again.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    for (const row of again) {
      expect(row.output.success, row.subject).toBe(true);
      expect(row.output.actions_taken, row.subject).toMatchObject({ ...ZERO_ACCESS, mfa_cleared: false, ssh_keys_removed: 0 });
      expect(row.output.notifications_sent.manager_notification.sent, row.subject).toBe(false);
    }
    expect(again[2]?.output.actions_taken['account_status']).toBe('deleted');
    const tomsRun = (again[2]?.output as unknown as { audit_trail: { workflow_run_id: string } }).audit_trail.workflow_run_id;
    const shown = JSON.parse((await cli(['runs', 'show', tomsRun, '--json'], ws)).stdout) as { steps: Array<{ step: string; status: string; reason?: string }> };
    expect(shown.steps.find((s) => s.step === 'remove_groups')).toMatchObject({ status: 'skipped' });
    expect(JSON.stringify(shown)).toMatch(/the run ended early at step \\"lookup\\": JumpCloud user \\"tom\.wilson\\" was already deleted at \S+ by \S+@company\.com: nothing left to offboard/);
  });

  it('resumes a run that failed at the notifications against the organisation as it left it, with the whole run\'s counts', async () => {
    const ws = workspace();
    const smtpConfig = (url: string) => writeConfig(ws, `connections:\n  smtp: { url: "${url}", from: idflow@company.com }\n`);
    const down = smtpConfig(`smtp://127.0.0.1:${await closedPort()}`);
    const failed = await cli(['run', TEMPLATE, '--sandbox', '--config', down, '--input', 'user_identifier=john.smith', '--json'], ws);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain('Run failed at step notify_manager');
    const runId = runIdOf(failed);
    expect(accessOf(sandboxOrg(ws), 'john.smith')).toMatchObject({ groups: [], state: 'SUSPENDED' });

    const smtp = await startSmtpServer({ authOptional: true });
    try {
      smtpConfig(smtp.url);
      const resumed = await cli(['resume', runId, '--config', down, '--json'], ws);
      expect(resumed.code, resumed.stderr).toBe(0);
      // The steps that were done are not repeated, and the counts are the whole run's.
      expect(returned(resumed)).toMatchObject({
        success: true,
        actions_taken: { groups_removed: 5, systems_unbound: 8, applications_revoked: 6, ssh_keys_removed: 1 },
        notifications_sent: { manager_notification: { sent: true, recipient: 'jane.doe@company.com' }, it_notification: { sent: true } },
        audit_trail: { workflow_run_id: runId },
      });
      expect(smtp.messages.map((m) => m.to)).toEqual([['jane.doe@company.com'], ['it-team@company.com']]);
      expect(parseEml(smtp.messages[0]!.raw).text).toContain('- User groups: 5 removed (Backend Developers, Engineering');
    } finally {
      await smtp.close();
    }
  });

  it('with a production config (a real SMTP server), writes the emails to the outbox and sends nothing', async () => {
    const ws = workspace();
    // A name that cannot resolve: a send to it would fail the run.
    const config = writeConfig(ws, 'connections:\n  smtp: { url: "smtp://mail.company.invalid:587", from: idflow@company.com }\n');
    const result = await cli(['run', TEMPLATE, '--sandbox', '--config', config, '--input', 'user_identifier=john.smith', '--json'], ws);
    expect(result.code, result.stderr).toBe(0);
    expect(returned(result)).toMatchObject({ notifications_sent: { manager_notification: { sent: true }, it_notification: { sent: true } } });
    expect(outbox(ws).map((eml) => parseEml(eml).headers.get('to')).sort()).toEqual(['it-team@company.com', 'jane.doe@company.com']);
    expect(result.stderr).toContain('(sandbox mode: SMTP server mail.company.invalid:587 is not on this machine, so nothing is sent to it)');
  });

  it('uses another org file with --sandbox FILE, its variables under the config\'s', async () => {
    const ws = workspace();
    const orgFile = join(ws.dir, 'tiny.json');
    writeFileSync(orgFile, JSON.stringify({
      organization: { name: 'Tiny Ltd' },
      vars: { it_team_emails: ['security@tiny.example'] },
      users: [
        { username: 'boss', email: 'boss@tiny.example', firstname: 'Bo', lastname: 'Ss' },
        { username: 'leaver', email: 'leaver@tiny.example', firstname: 'Lee', lastname: 'Ver', manager: 'boss', groups: ['Staff'] },
      ],
      userGroups: [{ name: 'Staff' }],
    }));
    const own = await cli(['run', TEMPLATE, '--sandbox', orgFile, '--input', 'user_identifier=leaver', '--json'], ws);
    expect(own.code, own.stderr).toBe(0);
    // The run records the org file, so that a resume uses the same sandbox state.
    const shown = await cli(['runs', 'show', (returned(own) as { audit_trail: { workflow_run_id: string } }).audit_trail.workflow_run_id, '--json'], ws);
    expect(JSON.parse(shown.stdout)).toMatchObject({ meta: { sandbox: true, sandboxData: orgFile } });
    expect(returned(own)).toMatchObject({
      actions_taken: { groups_removed: 1 },
      notifications_sent: { manager_notification: { sent: true, recipient: 'boss@tiny.example' }, it_notification: { sent: true, recipients: ['security@tiny.example'] } },
    });
    // The config's variables win over the org file's.
    const config = writeConfig(ws, 'vars:\n  it_team_emails: [ops@tiny.example]\n');
    const overridden = await cli(['run', TEMPLATE, '--sandbox', orgFile, '--sandbox-reset', '--config', config, '--input', 'user_identifier=leaver', '--json'], ws);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(returned(overridden)).toMatchObject({ notifications_sent: { it_notification: { sent: true, recipients: ['ops@tiny.example'] } } });
  });
});
