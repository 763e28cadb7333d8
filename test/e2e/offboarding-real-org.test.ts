import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../actions/jumpcloud/emulator/index.js';
import { parseEml } from '../actions/core/helpers/parse-eml.js';
import { startSmtpServer, type SmtpTestServer } from '../actions/core/helpers/smtp-test-server.js';
import { cli, returned, runIdOf, TEMPLATE } from './support/offboarding.js';
import { mutatingRequests, realOrgWorkspace, startExampleOrg } from './support/real-org.js';

/**
 * The offboarding template against an organisation reached the way a real one is (no
 * `--sandbox`: the config's `jumpcloud` connection and `JUMPCLOUD_API_KEY`), served by an emulator
 * this test starts, with the emails delivered to a real SMTP server on loopback through the
 * config's `smtp` connection.
 */

interface PlanJson {
  steps: Array<{ id: string; status: string; changes: Array<{ target: string; operation: string; result?: string; note?: string }> }>;
}

let emulator: RunningEmulator;
let smtp: SmtpTestServer;
const IT_TEAM = ['it-team@company.com', 'helpdesk@company.com'];

beforeAll(async () => {
  emulator = await startExampleOrg();
  smtp = await startSmtpServer({ users: { bot: 's3cret-smtp-password' } });
});
afterAll(async () => {
  await emulator.close();
  await smtp.close();
});
beforeEach(() => {
  emulator.reset();
  smtp.messages.splice(0);
});

function setup() {
  return realOrgWorkspace({ emulator, smtp: { url: smtp.url, username: 'bot', password: 's3cret-smtp-password' }, itTeam: IT_TEAM, initiatedBy: 'hr.admin@company.com' });
}

describe('offboarding a "real" organisation', () => {
  it('plans john.smith\'s removal by name without a single changing request', async () => {
    const ws = setup();
    const result = await cli(['plan', TEMPLATE, '--config', ws.config, '--input', 'user_identifier=john.smith@company.com', '--json'], ws);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanJson;
    const targets = (id: string) => plan.steps.find((s) => s.id === id)?.changes.filter((c) => c.result !== 'reported').map((c) => c.target) ?? [];
    const names = (id: string) => targets(id).map((t) => /"([^"]+)"/.exec(t)?.[1]);
    // By name, whatever order JumpCloud lists them in.
    expect(names('remove_groups')).toEqual(['Backend Developers', 'Engineering', 'GitHub Admins', 'On-Call Rotation', 'VPN Users']);
    expect(names('unbind_systems')).toEqual(['bastion-01', 'build-server-01', 'build-server-02', 'ci-runner-01', 'dev-db-01', 'JSMITH-MBP', 'staging-web-01', 'staging-web-02']);
    expect(names('remove_ssh_keys')).toEqual(['work-laptop']);
    expect(targets('remove_groups')[1]).toMatch(/^user group "Engineering" \([0-9a-f]{24}\)$/);
    expect(plan.steps.find((s) => s.id === 'notify_manager')).toMatchObject({ status: 'would_run', changes: [{ target: 'email to jane.doe@company.com', note: expect.stringContaining(`through SMTP server 127.0.0.1:${smtp.port}`) }] });
    expect(emulator.requests().length).toBeGreaterThan(0);
    expect(mutatingRequests(emulator.requests())).toEqual([]);
    expect(smtp.messages).toEqual([]);
  });

  it('delivers both emails through the config\'s SMTP connection: who, why, by which run, what was revoked', async () => {
    const ws = setup();
    const result = await cli(['run', TEMPLATE, '--config', ws.config, '--input', 'user_identifier=john.smith', '--reason', 'Employee termination'], ws);
    expect(result.code, result.stderr).toBe(0);
    const runId = runIdOf(result);
    expect(returned(result)).toMatchObject({
      success: true,
      notifications_sent: { manager_notification: { sent: true, recipient: 'jane.doe@company.com' }, it_notification: { sent: true, recipients: IT_TEAM } },
      audit_trail: { workflow_run_id: runId, initiated_by: 'hr.admin@company.com', reason: 'Employee termination' },
    });
    expect(smtp.messages.map((m) => ({ from: m.from, to: m.to, user: m.user }))).toEqual([
      { from: 'idflow@company.com', to: ['jane.doe@company.com'], user: 'bot' },
      { from: 'idflow@company.com', to: IT_TEAM, user: 'bot' },
    ]);
    const [manager, it] = smtp.messages.map((m) => parseEml(m.raw));
    expect(manager!.headers.get('subject')).toBe('John Smith has been offboarded from JumpCloud');
    expect(it!.headers.get('subject')).toBe('Offboarded john.smith from JumpCloud (disabled)');
    expect(it!.headers.get('to')).toBe('it-team@company.com, helpdesk@company.com');
    for (const email of [manager!, it!]) {
      expect(email.headers.get('from')).toBe('IT Offboarding <idflow@company.com>');
      expect(email.text).toContain('John Smith (john.smith, john.smith@company.com');
      expect(email.text).toContain('Why: Employee termination');
      expect(email.text).toContain(`idflow run ${runId}`);
      expect(email.text).toContain('started by hr.admin@company.com');
      expect(email.text).toContain('- Account: disabled');
      expect(email.text).toContain('- User groups: 5 removed (Backend Developers, Engineering, GitHub Admins, On-Call Rotation, VPN Users)');
      expect(email.text).toContain('- SSH keys: 1 removed (work-laptop)');
    }
    expect(it!.text).toContain(`JumpCloud id ${emulator.state.user('john.smith')!._id}`);
    expect(emulator.state.user('john.smith')).toMatchObject({ state: 'SUSPENDED', ssh_keys: [] });
  });

  it('stops at the lookup when the identifier matches two users, naming both, and changes nothing', async () => {
    const ws = setup();
    const result = await cli(['run', TEMPLATE, '--config', ws.config, '--input', 'user_identifier=64f1a2b3c4d5e6f708192a3b'], ws);
    expect(result.code).toBe(1);
    const runId = runIdOf(result);
    expect(result.stderr).toContain('Run failed at step lookup');
    expect(result.stderr).toContain('More than one JumpCloud user matches "64f1a2b3c4d5e6f708192a3b"');
    expect(result.stderr).toContain('pat.morgan <pat.morgan@company.com> (64f1a2b3c4d5e6f708192a3b)');
    expect(result.stderr).toContain('64f1a2b3c4d5e6f708192a3b <helpdesk.legacy@company.com>');
    expect(result.stdout).toBe('');
    expect(mutatingRequests(emulator.requests())).toEqual([]);
    // The IT team hears where it stopped and how to finish it.
    expect(smtp.messages).toHaveLength(1);
    const notice = parseEml(smtp.messages[0]!.raw);
    expect(smtp.messages[0]!.to).toEqual(IT_TEAM);
    expect(notice.headers.get('subject')).toBe(`Offboarding of 64f1a2b3c4d5e6f708192a3b failed at step lookup (run ${runId})`);
    expect(notice.text).toContain('Failed at step: lookup');
    expect(notice.text).toContain(`idflow resume ${runId}`);
    const shown = await cli(['runs', 'show', runId, '--json'], ws);
    expect(JSON.parse(shown.stdout)).toMatchObject({ meta: { status: 'failed' } });
  });

  it('refuses a protected account before anything changes', async () => {
    const ws = setup();
    const result = await cli(['run', TEMPLATE, '--config', ws.config, '--input', 'user_identifier=admin', '--input', 'removal_mode=delete'], ws);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Run failed at step lookup');
    expect(result.stderr).toMatch(/JumpCloud user "admin" \([0-9a-f]{24}\) is a protected account/);
    expect(mutatingRequests(emulator.requests())).toEqual([]);
    expect(emulator.state.user('admin')).toMatchObject({ state: 'ACTIVATED' });
    expect(emulator.state.groupsOf(emulator.state.user('admin')!._id)).toHaveLength(1);
    expect(smtp.messages.map((m) => parseEml(m.raw).headers.get('subject'))).toEqual([expect.stringMatching(/^Offboarding of admin failed at step lookup/)]);
  });
});
