import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { SystemUser } from '../types.js';
import { openJumpCloud } from './client-for-context.js';
import { readUserIfExists } from './read-user.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { cascadeManagerProperty, deleteUser, planDeletion, settleDeletion } from './delete-user.js';
import { allowProtectedProperty, guardProtected } from './protected-accounts.js';
import { isSuspended, userName, userState } from './user-summary.js';

const params = {
  type: 'object',
  description: 'Deletes the user only if the account is still suspended (the retention timer of jumpcloud.user.deactivate).',
  properties: { user_id: userIdProperty, cascade_manager: cascadeManagerProperty, allow_protected: allowProtectedProperty, ...connectionProperties },
  required: ['user_id'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.delete_if_suspended` returns. */
export interface DeleteIfSuspendedOutput {
  deleted: boolean;
  /** Why it was or was not deleted. */
  reason: string;
}

const outputSchema = {
  type: 'object',
  properties: { deleted: { type: 'boolean' }, reason: { type: 'string' } },
  required: ['deleted', 'reason'],
  additionalProperties: false,
} as const;

const DELETED_REASON = 'still suspended after the retention period';

/** Why a user that exists is not deleted, or undefined when it is still suspended. */
function keepReason(user: SystemUser): string | undefined {
  if (isSuspended(user)) return undefined;
  return userState(user) === 'ACTIVATED' ? 'user was reactivated' : `user is not suspended (state ${userState(user)})`;
}


/** `jumpcloud.user.delete_if_suspended`: the deferred deletion; a reactivated user is never deleted. */
export const userDeleteIfSuspendedAction = defineAction({
  id: 'jumpcloud.user.delete_if_suspended',
  description: 'Delete a JumpCloud user only if still suspended (the deferred deletion after retention)',
  params,
  output: outputSchema,
  examples: [{ description: 'What the retention timer runs', with: { user_id: '64a000000000000000000042', connection: 'jumpcloud' } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const user = await readUserIfExists(session.client, p.user_id);
    if (user === undefined) {
      const deleted = settleDeletion(ctx);
      const output: DeleteIfSuspendedOutput = deleted ? { deleted: true, reason: DELETED_REASON } : { deleted: false, reason: 'user no longer exists' };
      return { changed: deleted, output, summary: output.reason };
    }
    guardProtected(ctx, session, user, p.allow_protected, 'deleted');
    const keep = keepReason(user);
    if (keep !== undefined) {
      ctx.logger.info(`Not deleting JumpCloud user "${userName(user)}" (${user._id}): ${keep}`);
      return { changed: false, output: { deleted: false, reason: keep }, summary: `kept: ${keep}` };
    }
    const plan = await planDeletion(ctx, session.client, user, p.cascade_manager);
    const deleted = await deleteUser(ctx, session.client, user, plan);
    const output: DeleteIfSuspendedOutput = deleted ? { deleted: true, reason: DELETED_REASON } : { deleted: false, reason: 'user no longer exists' };
    return { changed: deleted, output, summary: deleted ? `deleted ${userName(user)}` : output.reason };
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const user = await readUserIfExists(session.client, p.user_id);
    if (user === undefined) return { changes: [], output: { deleted: false, reason: 'user no longer exists' }, summary: 'user no longer exists' };
    guardProtected(ctx, session, user, p.allow_protected, 'deleted');
    const keep = keepReason(user);
    if (keep !== undefined) return { changes: [], output: { deleted: false, reason: keep }, summary: `would keep: ${keep}` };
    const plan = await planDeletion(ctx, session.client, user, p.cascade_manager);
    return { changes: [plan.change, ...plan.reportChanges], output: { deleted: true, reason: DELETED_REASON }, summary: `would delete ${userName(user)}` };
  },
});
