import { ConflictError, PermanentError } from '../../../engine/errors/action-errors.js';
import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { SystemUser } from '../types.js';
import { makeChanges, settleIntents } from './change-intent.js';
import { madeChange, objectState } from './change-tally.js';
import { targetLabel } from './names.js';
import { userName, userState } from './user-summary.js';

/**
 * What happens to the direct reports of a deleted user (`cascade_manager`): `none` (JumpCloud
 * refuses to delete a manager), `clear` their manager field, move them to the deleted user's own
 * `manager`, or to the user with this 24-hex id.
 */
export type CascadeChoice = string;

/** JSON Schema of the `cascade_manager` parameter. */
export const cascadeManagerProperty = {
  type: 'string',
  pattern: '^(none|clear|manager|[0-9a-f]{24})$',
  default: 'clear',
  description: 'On delete, what happens to the user\'s direct reports: none (a manager cannot be deleted), clear their manager, manager (move them to the deleted user\'s own manager), or the 24-hex id of their new manager.',
} as const;

/** The change operation of a deletion. */
export const DELETE_USER = 'delete';

/** The operations of a deletion's changes: the deletion, and each report's new manager. */
const DELETION_OPERATIONS = [DELETE_USER, 'clear_manager', 'reassign_manager'] as const;

/** How a deletion was decided: the `cascade_manager` query value and what it does to each report. */
export interface DeletionPlan {
  /** Sent as `cascade_manager` (`'null'` clears), or undefined to send none. */
  cascade: string | undefined;
  /** The deletion change. */
  change: Change;
  /** One change per report whose manager changes. */
  reportChanges: Change[];
}

/** The user's direct reports (every page of `manager:$eq:<id>`). */
async function directReports(client: JumpCloudClient, userId: string): Promise<SystemUser[]> {
  return (await client.listUsers({ filter: [`manager:$eq:${userId}`] })).filter((u) => u.manager === userId && u._id !== userId);
}

/**
 * Decides a deletion read-only: the reports, where they go, and the changes to record.
 * @throws ConflictError (`JUMPCLOUD_USER_HAS_REPORTS`) for `none` when the user manages anyone;
 *   PermanentError when the chosen new manager is the user itself.
 */
export async function planDeletion(ctx: Pick<ActionContext, 'logger'>, client: JumpCloudClient, user: SystemUser, choice: CascadeChoice): Promise<DeletionPlan> {
  const reports = await directReports(client, user._id);
  let to: string | null;
  let cascade: string | undefined;
  if (choice === 'none') {
    if (reports.length > 0) {
      throw new ConflictError(
        `JumpCloud user "${userName(user)}" manages ${reports.length} user(s) (${reports.map((r) => userName(r)).join(', ')}); with cascade_manager "none" it cannot be deleted — use clear, manager, or the id of their new manager`,
        { code: 'JUMPCLOUD_USER_HAS_REPORTS', details: { reports: reports.map((r) => r._id) } },
      );
    }
    to = null;
    cascade = undefined;
  } else if (choice === 'clear') {
    to = null;
    cascade = 'null';
  } else if (choice === 'manager') {
    const own = typeof user.manager === 'string' && user.manager !== '' ? user.manager : null;
    if (own === null && reports.length > 0) ctx.logger.warn(`JumpCloud user "${userName(user)}" has no manager of its own; the manager of its reports is cleared instead`);
    to = own;
    cascade = own ?? 'null';
  } else {
    if (choice === user._id) {
      throw new PermanentError(`cascade_manager cannot be the user being deleted (${user._id}); name another user, or use clear or manager`, { code: 'INVALID_PARAMS' });
    }
    to = choice;
    cascade = choice;
  }
  const ref = { id: user._id, name: userName(user) };
  return {
    cascade,
    change: {
      target: targetLabel('user', ref),
      operation: DELETE_USER,
      before: objectState('user', ref, { state: userState(user), exists: true }),
      after: objectState('user', ref, { exists: false }),
      ...(cascade === undefined ? {} : { note: `cascade_manager=${cascade}` }),
    },
    reportChanges: reports.map((report) => {
      const reportRef = { id: report._id, name: userName(report) };
      return {
        target: `manager of ${targetLabel('user', reportRef)}`,
        operation: to === null ? 'clear_manager' : 'reassign_manager',
        before: objectState('user', reportRef, { manager: user._id }),
        after: objectState('user', reportRef, { manager: to }),
        note: `its manager ${userName(user)} is deleted`,
      };
    }),
  };
}

/**
 * Deletes the user as planned, recording the deletion and the reports' new managers, each with a
 * write-ahead intent (see `change-intent.ts`).
 * @returns whether this step deleted the user (in this or an earlier attempt); a user already
 *   gone (404) is unchanged, unless an interrupted attempt of this step had started to delete it.
 */
export async function deleteUser(ctx: ActionContext, client: JumpCloudClient, user: SystemUser, plan: DeletionPlan): Promise<boolean> {
  ctx.logger.info(`Deleting JumpCloud user "${userName(user)}" (${user._id})${plan.cascade === undefined ? '' : ` with cascade_manager=${plan.cascade}`}`);
  // The reports' new managers are part of the same call (the cascade), so they share its outcome.
  await makeChanges(ctx, [plan.change, ...plan.reportChanges], async () => (await client.deleteUser(user._id, plan.cascade === undefined ? {} : { cascadeManager: plan.cascade })).changed);
  return madeChange(ctx, DELETE_USER) !== undefined;
}

/**
 * For a user found gone: counts the deletion (and its reports' new managers) as made by this
 * step when an interrupted attempt of it had started it (its intent has no outcome).
 * @returns whether this step deleted the user (in this or an earlier attempt).
 */
export function settleDeletion(ctx: Pick<ActionContext, 'changes'>): boolean {
  settleIntents(ctx, DELETION_OPERATIONS);
  return madeChange(ctx, DELETE_USER) !== undefined;
}
