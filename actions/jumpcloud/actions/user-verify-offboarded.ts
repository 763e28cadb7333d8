import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { ActionPlan } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { JumpCloudClient, UserTraversal } from '../client/jumpcloud-client.js';
import type { SystemUser } from '../types.js';
import { readDirectEdges, readGroupAccess, readMemberships, TRAVERSAL_TYPES, type EdgeTarget } from './access-snapshot.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { mfaEnrolled } from './mfa-state.js';
import { plural, targetLabel, UNNAMED } from './names.js';
import { sshFingerprint } from './ssh-fingerprint.js';
import { isSuspended, userName, userState } from './user-summary.js';
import { closeRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Re-reads the user and fails, naming each item, when anything the offboarding was meant to remove remains.',
  properties: {
    user_id: userIdProperty,
    mode: { type: 'string', enum: ['disable', 'delete'], description: 'What the offboarding did to the account: disable (suspended) or delete (gone).' },
    expect_access_removed: { type: 'boolean', default: true, description: 'Also require that groups, bindings, SSH keys and MFA were removed (false: check only the account state).' },
    ...connectionProperties,
  },
  required: ['user_id', 'mode'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.verify_offboarded` returns (it throws instead of returning `ok: false`). */
export interface VerifyOffboardedOutput {
  ok: true;
  /** Always empty when the step succeeds: anything remaining fails it. */
  remaining: string[];
  /** What remains but is not the offboarding's to remove (dynamic groups), by name. */
  reported: string[];
}

const outputSchema = {
  type: 'object',
  properties: {
    ok: { const: true },
    remaining: { type: 'array', items: { type: 'string' }, maxItems: 0 },
    reported: { type: 'array', items: { type: 'string' } },
  },
  required: ['ok', 'remaining', 'reported'],
  additionalProperties: false,
} as const;

const DIRECT_TARGETS: readonly EdgeTarget[] = ['system', 'system_group', 'application', 'ldap_server', 'radius_server'];
const TRAVERSALS: readonly UserTraversal[] = ['systems', 'applications', 'ldapservers', 'radiusservers'];

/** What is left of a user's access, split into what fails the check and what is only reported. */
interface Findings {
  remaining: string[];
  reported: string[];
}

/**
 * Everything the offboarding removes, re-read from JumpCloud (`live` is a snapshot of this step
 * alone, never one an earlier step filled): memberships, direct edges and access through groups
 * (both from the traversals, each read once), SSH keys (with the record), push endpoints, MFA.
 */
async function findAccess(client: JumpCloudClient, live: UserSnapshot, user: SystemUser, findings: Findings): Promise<void> {
  const [memberships, edgeLists, groupAccess, keys, endpoints] = await Promise.all([
    readMemberships(client, live),
    Promise.all(DIRECT_TARGETS.map((target) => readDirectEdges(client, live, target))),
    Promise.all(TRAVERSALS.map(async (traversal) => ({ traversal, access: await readGroupAccess(client, live, traversal) }))),
    live.sshKeys(client),
    live.pushEndpoints(client),
  ]);
  for (const group of memberships) {
    if (group.dynamic) findings.reported.push(`member of dynamic ${targetLabel('user_group', group)} (${group.membership_method}): its rule decides the membership`);
    else findings.remaining.push(`member of ${targetLabel('user_group', group)}`);
  }
  for (const edge of edgeLists.flat()) findings.remaining.push(`${targetLabel(edge.type, edge)} bound directly`);
  for (const { traversal, access } of groupAccess) {
    for (const item of access) {
      const line = `${targetLabel(TRAVERSAL_TYPES[traversal], item.object)} through ${targetLabel('user_group', item.group)}`;
      if (item.group.dynamic) findings.reported.push(`${line} (a dynamic group)`);
      else findings.remaining.push(line);
    }
  }
  for (const key of keys) findings.remaining.push(`${targetLabel('ssh_key', { id: key._id, name: key.name ?? UNNAMED })}${sshFingerprint(key.public_key) === null ? '' : ` ${sshFingerprint(key.public_key)}`}`);
  if ((user.public_key?.trim() ?? '') !== '') findings.remaining.push(`the legacy public_key field still holds an SSH key ${sshFingerprint(user.public_key) ?? ''}`.trimEnd());
  for (const endpoint of endpoints) findings.remaining.push(targetLabel('push_endpoint', { id: endpoint.id, name: endpoint.name ?? UNNAMED }));
  if (mfaEnrolled(user)) {
    const status = user.mfaEnrollment?.totpStatus;
    findings.remaining.push(`MFA still set up (totp_enabled ${user.totp_enabled === true}, configured ${user.mfa?.configured === true}${status === undefined ? '' : `, TOTP ${status}`})`);
  }
  if (user.ldap_binding_user === true) findings.remaining.push('"Enable as LDAP Bind DN" (ldap_binding_user) is still on');
}

async function verify(ctx: ActionContext, client: JumpCloudClient, p: { user_id: string; mode: 'disable' | 'delete'; expect_access_removed: boolean }): Promise<VerifyOffboardedOutput> {
  const live = new UserSnapshot(p.user_id);
  const user = await live.user(client);
  const findings: Findings = { remaining: [], reported: [] };
  if (user === undefined) {
    // A deleted account takes its memberships, bindings, keys and MFA with it.
    if (p.mode === 'disable') findings.reported.push(`user ${p.user_id} no longer exists (it was deleted, not only disabled)`);
    ctx.logger.info(`JumpCloud user ${p.user_id} no longer exists: nothing remains`);
    return { ok: true, remaining: [], reported: findings.reported };
  }
  if (p.mode === 'delete') findings.remaining.push(`the account still exists (state ${userState(user)})`);
  else if (!isSuspended(user)) findings.remaining.push(`the account is ${userState(user)}, not suspended`);
  if (p.expect_access_removed) await findAccess(client, live, user, findings);
  for (const line of findings.reported) ctx.logger.info(`Remains, not the offboarding's to remove: ${line}`);
  if (findings.remaining.length > 0) {
    throw new PermanentError(
      `JumpCloud user "${userName(user)}" (${user._id}) is not fully offboarded; ${plural(findings.remaining.length, 'item remains', 'items remain')}:\n${findings.remaining.map((line) => `  - ${line}`).join('\n')}`,
      { code: 'VERIFY_FAILED', details: { user_id: user._id, remaining: findings.remaining, reported: findings.reported } },
    );
  }
  ctx.logger.info(`JumpCloud user "${userName(user)}" (${user._id}) is offboarded: ${p.mode === 'delete' ? 'deleted' : 'suspended'}${p.expect_access_removed ? ', no access remains' : ''}`);
  return { ok: true, remaining: [], reported: findings.reported };
}

/** `jumpcloud.user.verify_offboarded`: fails the run when access the offboarding was meant to remove remains. */
export const userVerifyOffboardedAction = defineAction({
  id: 'jumpcloud.user.verify_offboarded',
  description: 'Verify a JumpCloud user is offboarded: fails, naming each item, if any access remains',
  params,
  output: outputSchema,
  examples: [{ description: 'Check the offboarding', with: { user_id: '{{steps.lookup.output.user.id}}', mode: '{{inputs.removal_mode}}' } }],
  async run(ctx, p) {
    const { client } = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    let output: VerifyOffboardedOutput;
    try {
      output = await verify(ctx, client, p);
    } finally {
      // The last step that needs the user: the run's snapshot (which this step never reads) goes.
      closeRunSnapshot(ctx, client, p.user_id);
    }
    return { changed: false, output, summary: output.reported.length > 0 ? `offboarded; ${plural(output.reported.length, 'item')} reported` : 'offboarded' };
  },
  plan(_ctx, p): ActionPlan<VerifyOffboardedOutput> {
    // Before the run the access is still there: a plan can only say that it will be checked.
    return {
      changes: [{ target: `user ${p.user_id}`, operation: 'verify', result: 'reported', note: `after the run: the account is ${p.mode === 'delete' ? 'gone' : 'suspended'}${p.expect_access_removed ? ' and no access remains' : ''}` }],
      output: { ok: true, remaining: [], reported: [] },
      summary: 'would verify the offboarding',
    };
  },
});
