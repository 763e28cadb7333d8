import { readdirSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deterministicObjectId } from '../../actions/jumpcloud/emulator/index.js';
import { parseEml } from '../actions/core/helpers/parse-eml.js';
import { accessOf, cli, outbox, quickStartArgs, returned, runIdOf, sandboxOrg, userIn, workspace } from './support/offboarding.js';

/**
 * The README's quick start, through the built CLI with plain node, exactly as written there:
 * the offboarding of john.smith against the in-process emulator, the emails in the outbox, the
 * backup, a second run that finds nothing to do, the run record, and --sandbox-reset.
 */

const year = new Date().getUTCFullYear();
const johnId = deterministicObjectId('user', 'john.smith');

/** The returned data of a first offboarding of john.smith (the reference workflow's example). */
function firstRunData(runId: string): Record<string, unknown> {
  return {
    success: true,
    user_info: { jumpcloud_user_id: johnId, username: 'john.smith', email: 'john.smith@company.com', display_name: 'John Smith' },
    actions_taken: {
      account_status: 'disabled', groups_removed: 5, systems_unbound: 8, applications_revoked: 6,
      ldap_bindings_removed: 1, radius_removed: 1, mfa_cleared: true, ssh_keys_removed: 1,
    },
    backup: {
      backed_up: true,
      backup_location: `offboarding/${year}/john.smith/jumpcloud-export.json`,
      includes: expect.arrayContaining(['user_details', 'group_memberships', 'system_bindings', 'custom_attributes']),
    },
    notifications_sent: {
      manager_notification: { sent: true, recipient: 'jane.doe@company.com' },
      it_notification: { sent: true, recipients: ['it-team@company.com'] },
    },
    audit_trail: { workflow_run_id: runId, initiated_by: userInfo().username, completed_timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), reason: null },
  };
}

describe('the README quick start', () => {
  it('offboards john.smith against the sandbox, then a second run reports zeros and sends nothing', async () => {
    const args = quickStartArgs();
    expect(args).toEqual(['run', 'templates/jumpcloud-offboarding.yaml', '--sandbox', '--input', 'user_identifier=john.smith@company.com']);
    const ws = workspace();

    // 1. The command as the README gives it: progress on stderr, the returned data on stdout.
    const first = await cli(args, ws);
    expect(first.code, first.stderr).toBe(0);
    const runId = runIdOf(first);
    expect(returned(first)).toEqual(firstRunData(runId));
    expect(first.stderr).toContain('JumpCloud emulator listening on http://127.0.0.1:');
    expect(first.stderr).toMatch(/remove_groups\s+changed · removed from 5 groups/);
    expect(first.stderr).toMatch(/unbind_systems\s+changed · unbound from 8 systems/);
    expect(first.stderr).toContain('Run succeeded');

    // The organisation as the run left it: suspended, nothing left.
    const org = sandboxOrg(ws);
    expect(accessOf(org, 'john.smith')).toEqual({ groups: [], associations: [], sshKeys: 0, pushEndpoints: 0, state: 'SUSPENDED' });
    expect(userIn(org, 'john.smith')).toMatchObject({ ldap_binding_user: false, totp_enabled: false });
    expect(accessOf(org, 'priya.patel')?.groups.length).toBeGreaterThan(0);

    // The backup: written before anything was removed, private, without SSH key material.
    const backupFile = join(ws.store, 'backups', 'offboarding', String(year), 'john.smith', 'jumpcloud-export.json');
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    const backup = readFileSync(backupFile, 'utf8');
    expect(backup).toContain('Engineering');
    expect(backup).toContain('build-server-01');
    expect(backup).not.toContain('AAAAC3NzaC1lZDI1NTE5AAAAIDte2K1qQI9CAVJU3UsRYIAokDjUHDETMuPAC');

    // The two emails, in the outbox: who, why, by which run, what was revoked.
    const emails = outbox(ws).map(parseEml);
    expect(emails.map((e) => e.headers.get('to'))).toEqual(['jane.doe@company.com', 'it-team@company.com']);
    expect(emails.map((e) => e.headers.get('subject'))).toEqual(['John Smith has been offboarded from JumpCloud', 'Offboarded john.smith from JumpCloud (disabled)']);
    for (const email of emails) {
      expect(email.headers.get('x-idflow-run-id')).toBe(runId);
      expect(email.text).toContain('John Smith (john.smith, john.smith@company.com');
      expect(email.text).toContain('Why: no reason was given');
      expect(email.text).toContain(`idflow run ${runId}`);
      expect(email.text).toContain('- User groups: 5 removed (Backend Developers, Engineering, GitHub Admins, On-Call Rotation, VPN Users)');
      expect(email.text).toContain('- Systems: 8 unbound (bastion-01, build-server-01, build-server-02, ci-runner-01, dev-db-01, JSMITH-MBP, staging-web-01, staging-web-02)');
      expect(email.text).toContain('- SSO applications: 6 revoked (AWS Console, Confluence, GitHub, Google Workspace, Jira, Slack)');
      expect(email.text).toContain('- LDAP: 1 binding(s) removed (JumpCloud LDAP)');
      expect(email.text).toContain('- RADIUS: 1 server(s) removed (Office Wi-Fi)');
      expect(email.text).toContain('- MFA: cleared (1 push device(s) removed)');
      expect(email.text).toContain('- SSH keys: 1 removed (work-laptop)');
      expect(email.text).toContain(`- Backup: offboarding/${year}/john.smith/jumpcloud-export.json`);
    }

    // 2. Again, with --json: nothing left to do, zeros, still a success, and no email.
    const second = await cli([...args, '--json'], ws);
    expect(second.code, second.stderr).toBe(0);
    const secondId = readdirSync(join(ws.store, 'runs')).find((id) => id !== runId) as string;
    expect(returned(second)).toEqual({
      ...firstRunData(secondId),
      actions_taken: { account_status: 'disabled', groups_removed: 0, systems_unbound: 0, applications_revoked: 0, ldap_bindings_removed: 0, radius_removed: 0, mfa_cleared: false, ssh_keys_removed: 0 },
      notifications_sent: { manager_notification: { sent: false, recipient: 'jane.doe@company.com' }, it_notification: { sent: false, recipients: ['it-team@company.com'] } },
    });
    expect(second.stderr).toMatch(/remove_groups\s+unchanged/);
    expect(second.stderr).toMatch(/notify_manager\s+skipped/);
    expect(outbox(ws)).toHaveLength(2);

    // 3. The run record and its audit trail.
    const shown = await cli(['runs', 'show', runId], ws);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('remove_groups');
    expect(shown.stdout).toContain('user group "Engineering"');
    const verified = await cli(['audit', 'verify', runId], ws);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    // 4. --sandbox-reset: the organisation starts again from the org file.
    const reset = await cli([...args, '--sandbox-reset', '--json'], ws);
    expect(reset.code, reset.stderr).toBe(0);
    expect(returned(reset)['actions_taken']).toMatchObject({ groups_removed: 5, systems_unbound: 8, ssh_keys_removed: 1 });
    expect(outbox(ws)).toHaveLength(4);
  });
});
