import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, type CommandEnvironment } from '../../engine/cli/environment.js';
import { evaluateCondition } from '../../engine/conditions/index.js';
import { resolveInputs, resolveVars } from '../../engine/inputs/index.js';
import type { EventTrigger, RunData, Workflow } from '../../engine/language/types.js';
import { loadWorkflowFile } from '../../engine/loader/load-workflow.js';
import { loadConfig } from '../../engine/config/index.js';
import { createTemplateEngine } from '../../engine/templating/index.js';
import { repoRoot } from '../support/cli.js';

/**
 * `templates/jumpcloud-offboarding.yaml` as data: it checks clean against the registered actions,
 * declares exactly the reference workflow's inputs, variables and triggers, runs its steps in the
 * reference order, and its triggers turn the example event payloads into inputs. The runs
 * themselves are in test/e2e.
 */

const file = join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml');
let environment: CommandEnvironment;
let workflow: Workflow;

beforeAll(async () => {
  environment = await createEnvironment({ cwd: repoRoot });
  const loaded = await loadWorkflowFile(file, { registry: environment.registry, loadTemplatePlugins: environment.loadTemplatePlugins });
  expect(loaded.problems).toEqual([]);
  workflow = loaded.workflow as Workflow;
});

/** The data a trigger's `if` and `inputs` read. */
function triggerData(event: Record<string, unknown>): RunData {
  return { inputs: {}, vars: {}, event, steps: {}, run: { id: 'event-run', workflow_id: workflow.id, started_at: '2026-03-04T15:30:00.000Z', initiated_by: 'hr-system', dry_run: false } };
}

function eventTrigger(name: string): EventTrigger {
  const trigger = workflow.triggers.find((t): t is EventTrigger => t.type === 'event' && t.event === name);
  if (trigger === undefined) throw new Error(`no ${name} trigger`);
  return trigger;
}

/** What a trigger makes of an event: undefined when its `if` is false, else the inputs, checked against the declarations. */
function fire(trigger: EventTrigger, event: Record<string, unknown>): Record<string, unknown> | undefined {
  const data = triggerData(event);
  if (trigger.if !== undefined && !evaluateCondition(trigger.if, data)) return undefined;
  const given = createTemplateEngine().renderValue(trigger.inputs ?? {}, data, { where: 'trigger.inputs' }) as Record<string, unknown>;
  const { values, problems } = resolveInputs(workflow.inputs, given);
  expect(problems).toEqual([]);
  return values;
}

function example(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repoRoot, 'examples', 'offboarding', name), 'utf8')) as Record<string, unknown>;
}

describe('templates/jumpcloud-offboarding.yaml', () => {
  it('starts with the schema modeline and checks without a problem', () => {
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../schemas/workflow.schema.json');
    expect(workflow).toMatchObject({ id: 'jumpcloud-offboarding', subject: '{{inputs.user_identifier}}' });
  });

  it('takes the reference workflow\'s inputs', () => {
    expect(workflow.inputs).toEqual({
      user_identifier: { type: 'string', required: true, description: 'JumpCloud user ID, username, or email' },
      removal_mode: { type: 'string', enum: ['disable', 'delete'], description: expect.stringContaining('jumpcloud_removal_mode') },
      revoke_all_access: { type: 'boolean', default: true, description: expect.any(String) },
      backup_user_data: { type: 'boolean', default: true, description: expect.any(String) },
      reason: { type: 'string', description: expect.any(String) },
      notify_manager: { type: 'boolean', default: true, description: expect.any(String) },
      manager_email: { type: 'string', format: 'email', description: expect.any(String) },
    });
  });

  it('reads the reference workflow\'s organisation variables, and the IT team\'s recipients from the configuration', () => {
    expect(Object.keys(workflow.vars)).toEqual(['jumpcloud_org_id', 'jumpcloud_removal_mode', 'jumpcloud_retention_days', 'jumpcloud_notify_on_removal', 'it_team_emails']);
    expect(workflow.vars['jumpcloud_removal_mode']).toMatchObject({ type: 'string', enum: ['disable', 'delete'], default: 'disable' });
    expect(workflow.vars['jumpcloud_retention_days']).toMatchObject({ type: 'integer', default: 0 });
    expect(workflow.vars['jumpcloud_notify_on_removal']).toMatchObject({ type: 'boolean', default: true });
    expect(workflow.vars['it_team_emails']).toMatchObject({ type: 'array', items: { type: 'string', format: 'email' }, default: [] });
  });

  it('is started by hand, by the HR system, by the PSA and by other workflows', () => {
    expect(workflow.triggers.map((t) => (t.type === 'event' ? `event:${t.event}` : t.type))).toEqual(['manual', 'event:hr.employee.terminated', 'event:psa.contact.inactive', 'workflow']);
  });

  it('runs the reference workflow\'s steps in order, access removal only when asked, notifications last', () => {
    expect(workflow.steps.map((s) => [s.id, s.action])).toEqual([
      ['lookup', 'jumpcloud.user.lookup'],
      ['backup', 'jumpcloud.user.backup'],
      ['remove_groups', 'jumpcloud.user.groups.remove_all'],
      ['unbind_systems', 'jumpcloud.user.systems.unbind_all'],
      ['revoke_applications', 'jumpcloud.user.applications.revoke_all'],
      ['unbind_ldap', 'jumpcloud.user.ldap.unbind'],
      ['remove_radius', 'jumpcloud.user.radius.remove'],
      ['clear_mfa', 'jumpcloud.user.mfa.clear'],
      ['remove_ssh_keys', 'jumpcloud.user.ssh_keys.remove_all'],
      ['deactivate', 'jumpcloud.user.deactivate'],
      ['verify', 'jumpcloud.user.verify_offboarded'],
      ['summary', 'data.set'],
      ['notify_manager', 'notify.email'],
      ['notify_it', 'notify.email'],
    ]);
    expect(workflow.steps[0]?.with).toMatchObject({ identifier: '{{inputs.user_identifier}}', refuse_protected: true });
    for (const id of ['remove_groups', 'unbind_systems', 'revoke_applications', 'unbind_ldap', 'remove_radius']) {
      expect(workflow.steps.find((s) => s.id === id)?.if, id).toEqual({ var: 'inputs.revoke_all_access' });
    }
    expect(workflow.steps.find((s) => s.id === 'backup')?.if).toEqual({ var: 'inputs.backup_user_data' });
    expect(workflow.steps.find((s) => s.id === 'deactivate')?.with).toMatchObject({ mode: '{{default inputs.removal_mode vars.jumpcloud_removal_mode}}', retention_days: '{{vars.jumpcloud_retention_days}}' });
    expect(workflow.on_failure.map((s) => [s.id, s.action])).toEqual([['notify_it_failed', 'notify.email']]);
  });

  it('returns data of exactly the reference workflow\'s shape', () => {
    const output = workflow.output as Record<string, Record<string, unknown>>;
    expect(Object.keys(output)).toEqual(['success', 'user_info', 'actions_taken', 'backup', 'notifications_sent', 'audit_trail']);
    expect(Object.keys(output['user_info']!)).toEqual(['jumpcloud_user_id', 'username', 'email', 'display_name']);
    expect(Object.keys(output['notifications_sent']!)).toEqual(['manager_notification', 'it_notification']);
    expect(Object.keys(output['audit_trail']!)).toEqual(['workflow_run_id', 'initiated_by', 'completed_timestamp', 'reason']);
    expect(Object.keys(output['actions_taken']!)).toEqual(['account_status', 'groups_removed', 'systems_unbound', 'applications_revoked', 'ldap_bindings_removed', 'radius_removed', 'mfa_cleared', 'ssh_keys_removed']);
    expect(Object.keys(output['backup']!)).toEqual(['backed_up', 'backup_location', 'includes']);
  });

  it('turns an HR termination into an offboarding of the employee, and ignores other HR status changes', () => {
    const payload = example('hr-employee-terminated.json');
    expect(fire(eventTrigger('hr.employee.terminated'), payload)).toEqual({
      user_identifier: 'john.smith@company.com', reason: 'Employee termination',
      removal_mode: null, revoke_all_access: true, backup_user_data: true, notify_manager: true, manager_email: null,
    });
    const { reason: _reason, ...withoutReason } = payload;
    expect(fire(eventTrigger('hr.employee.terminated'), withoutReason)?.['reason']).toBe('Employee termination');
    expect(fire(eventTrigger('hr.employee.terminated'), { ...payload, employee: { ...(payload['employee'] as object), status: 'on_leave' } })).toBeUndefined();
  });

  it('turns an inactive PSA contact into an offboarding of that contact', () => {
    expect(fire(eventTrigger('psa.contact.inactive'), example('psa-contact-inactive.json'))).toMatchObject({ user_identifier: 'kevin.white@company.com', reason: 'PSA contact set to inactive' });
    expect(fire(eventTrigger('psa.contact.inactive'), { contact: { id: 1 } })).toBeUndefined();
  });

  it('takes the example inputs file and the example config\'s variables as they are', async () => {
    const inputs = resolveInputs(workflow.inputs, example('inputs.json'));
    expect(inputs.problems).toEqual([]);
    const config = await loadConfig({ cwd: repoRoot, file: 'examples/idflow.config.yaml' });
    const vars = resolveVars(workflow.vars, config.config.vars);
    expect(vars.problems).toEqual([]);
    expect(vars.values).toEqual({
      jumpcloud_org_id: '5f1b2c3d4e5f6a7b8c9d0e1f', jumpcloud_removal_mode: 'disable', jumpcloud_retention_days: 30,
      jumpcloud_notify_on_removal: true, it_team_emails: ['it-team@company.com', 'helpdesk@company.com'],
    });
    expect(config.config.connections['jumpcloud']).toMatchObject({ api_key: { env: 'JUMPCLOUD_API_KEY' }, protected_accounts: expect.arrayContaining(['admin@company.com']), backup_root: expect.any(String) });
    expect(config.config.connections['smtp']).toMatchObject({ url: expect.stringMatching(/^smtp:/), password: { env: 'SMTP_PASSWORD' } });
  });

  it('takes the sandbox organisation\'s variables', () => {
    const org = JSON.parse(readFileSync(join(repoRoot, 'examples', 'sandbox', 'org.json'), 'utf8')) as { vars: Record<string, unknown> };
    const vars = resolveVars(workflow.vars, org.vars);
    expect(vars.problems).toEqual([]);
    expect(vars.values['it_team_emails']).toEqual(['it-team@company.com']);
  });
});
