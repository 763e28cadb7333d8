import { NotFoundError } from '../../../engine/errors/action-errors.js';
import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../../engine/plugin-api/json-schema.js';
import type { SystemUser } from '../types.js';
import { makeChange, settleIntents } from './change-intent.js';
import { madeChange, objectState } from './change-tally.js';
import { openJumpCloud, type JumpCloudSession } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { cascadeManagerProperty, deleteUser, DELETE_USER, planDeletion, settleDeletion } from './delete-user.js';
import { targetLabel } from './names.js';
import { allowProtectedProperty, guardProtected } from './protected-accounts.js';
import { isSuspended, userName, userState } from './user-summary.js';
import { onRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Disables (suspends) or deletes the account; protected accounts are refused unless allow_protected is set.',
  properties: {
    user_id: userIdProperty,
    mode: { type: 'string', enum: ['disable', 'delete'], description: 'disable: suspend the account; delete: delete it.' },
    cascade_manager: cascadeManagerProperty,
    retention_days: {
      type: 'integer',
      minimum: 0,
      description: 'With mode disable and more than 0: schedule the deletion of the account (if still suspended) after this many days.',
    },
    allow_protected: allowProtectedProperty,
    ...connectionProperties,
  },
  required: ['user_id', 'mode'],
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** What `jumpcloud.user.deactivate` returns. */
export interface DeactivateOutput {
  account_status: 'disabled' | 'deleted';
  /** The state before this step (`ACTIVATED`, `STAGED`, `SUSPENDED`), or `DELETED` when it was already gone. */
  previous_state: string;
  /** When the deferred deletion is due (ISO-8601), when this step scheduled one. */
  deletion_scheduled_at?: string;
}

const outputSchema = {
  type: 'object',
  properties: {
    account_status: { type: 'string', enum: ['disabled', 'deleted'] },
    previous_state: { type: 'string' },
    deletion_scheduled_at: { type: 'string', format: 'date-time' },
  },
  required: ['account_status', 'previous_state'],
  additionalProperties: false,
} as const;

const SUSPEND = 'suspend';
const SCHEDULE_DELETION = 'schedule_deletion';
const DAY_MS = 86_400_000;

/** The action the retention timer runs. */
export const DELETE_IF_SUSPENDED_ACTION = 'jumpcloud.user.delete_if_suspended';

function suspendChange(user: SystemUser): Change {
  const ref = { id: user._id, name: userName(user) };
  return {
    target: targetLabel('user', ref),
    operation: SUSPEND,
    before: objectState('user', ref, { state: userState(user), suspended: isSuspended(user) }),
    after: objectState('user', ref, { state: 'SUSPENDED', suspended: true }),
  };
}

function timerTarget(userId: string): string {
  return `timer jumpcloud:delete:${userId}`;
}

/** The state recorded before an earlier attempt of this step changed it, if one did. */
function earlierState(ctx: Pick<ActionContext, 'changes'>, operation: string): string | undefined {
  const before = madeChange(ctx, operation)?.before;
  const state = typeof before === 'object' && before !== null ? (before as Record<string, unknown>)['state'] : undefined;
  return typeof state === 'string' ? state : undefined;
}


async function disable(ctx: ActionContext, session: JumpCloudSession, known: UserSnapshot, user: SystemUser, p: Params): Promise<DeactivateOutput> {
  if (isSuspended(user)) {
    // Suspended by this step when an interrupted attempt had started to (its intent has no
    // outcome): then its state before, and the deletion it schedules, are this step's.
    if (settleIntents(ctx, [SUSPEND]).length === 0) ctx.logger.info(`JumpCloud user "${userName(user)}" (${user._id}) is already suspended`);
  } else {
    ctx.logger.info(`Suspending JumpCloud user "${userName(user)}" (${user._id})`);
    await makeChange(ctx, suspendChange(user), async () => {
      known.replaceUser(await session.client.suspendUser(user._id));
      return true;
    });
  }
  const output: DeactivateOutput = { account_status: 'disabled', previous_state: earlierState(ctx, SUSPEND) ?? userState(user) };
  const days = p.retention_days ?? 0;
  if (days <= 0) return output;
  const scheduled = madeChange(ctx, SCHEDULE_DELETION);
  if (scheduled !== undefined) {
    const dueAt = (scheduled.after as Record<string, unknown> | undefined)?.['due_at'];
    return typeof dueAt === 'string' ? { ...output, deletion_scheduled_at: dueAt } : output;
  }
  if (madeChange(ctx, SUSPEND) === undefined) {
    // Scheduling again would push an existing deletion further out on every run.
    ctx.logger.warn(
      `JumpCloud user "${userName(user)}" was already suspended before this step, so no deletion is scheduled; schedule ${DELETE_IF_SUSPENDED_ACTION} yourself if the account should still be deleted after ${days} days`,
    );
    return output;
  }
  const timer = await ctx.scheduleTimer({
    due: days * DAY_MS,
    action: DELETE_IF_SUSPENDED_ACTION,
    // A step allowed to disable a protected account lets its deferred deletion go on too.
    params: { user_id: user._id, connection: p.connection, ...(p.org_id === undefined || p.org_id === null || p.org_id === '' ? {} : { org_id: p.org_id }), ...(p.allow_protected === true ? { allow_protected: true } : {}) },
    key: `jumpcloud:delete:${user._id}`,
    description: `Delete ${userName(user)} after ${days} days of retention`,
  });
  ctx.changes.record({
    target: timerTarget(user._id),
    operation: SCHEDULE_DELETION,
    after: { timer_id: timer.id, due_at: timer.dueAt, action: DELETE_IF_SUSPENDED_ACTION, retention_days: days },
    result: 'changed',
  });
  ctx.logger.info(`Scheduled the deletion of "${userName(user)}" for ${timer.dueAt} (if still suspended then)`);
  return { ...output, deletion_scheduled_at: timer.dueAt };
}

/** `jumpcloud.user.deactivate`: suspends or deletes the account. */
export const userDeactivateAction = defineAction({
  id: 'jumpcloud.user.deactivate',
  description: 'Disable (suspend) or delete a JumpCloud user; protected accounts are refused',
  params,
  output: outputSchema,
  examples: [
    { description: 'Suspend now, delete after the retention period', with: { user_id: '{{steps.lookup.output.user.id}}', mode: 'disable', retention_days: 30 } },
    { description: 'Delete, moving the reports to the user\'s own manager', with: { user_id: '{{steps.lookup.output.user.id}}', mode: 'delete', cascade_manager: 'manager' } },
  ],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    return onRunSnapshot(ctx, session.client, p.user_id, async (known) => {
      const user = await known.user(session.client);
      if (user === undefined) {
        if (p.mode === 'disable') throw new NotFoundError(`JumpCloud user ${p.user_id} no longer exists, so it cannot be disabled`, { details: { user_id: p.user_id } });
        const deleted = settleDeletion(ctx);
        const output: DeactivateOutput = { account_status: 'deleted', previous_state: earlierState(ctx, DELETE_USER) ?? 'DELETED' };
        return { changed: deleted, output, summary: deleted ? 'deleted' : 'already deleted' };
      }
      guardProtected(ctx, session, user, p.allow_protected, p.mode === 'delete' ? 'deleted' : 'disabled');
      if (p.mode === 'disable') {
        const output = await disable(ctx, session, known, user, p);
        const suspended = madeChange(ctx, SUSPEND) !== undefined;
        const later = output.deletion_scheduled_at === undefined ? '' : `; deletion scheduled for ${output.deletion_scheduled_at}`;
        return { changed: suspended, output, summary: `${suspended ? 'suspended' : 'already suspended'}${later}` };
      }
      const plan = await planDeletion(ctx, session.client, user, p.cascade_manager);
      await deleteUser(ctx, session.client, user, plan);
      known.markUserDeleted();
      const output: DeactivateOutput = { account_status: 'deleted', previous_state: earlierState(ctx, DELETE_USER) ?? userState(user) };
      return { changed: madeChange(ctx, DELETE_USER) !== undefined, output, summary: 'deleted' };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const user = await new UserSnapshot(p.user_id).user(session.client);
    if (user === undefined) {
      if (p.mode === 'disable') throw new NotFoundError(`JumpCloud user ${p.user_id} no longer exists, so it cannot be disabled`, { details: { user_id: p.user_id } });
      return { changes: [], output: { account_status: 'deleted' as const, previous_state: 'DELETED' }, summary: 'already deleted' };
    }
    guardProtected(ctx, session, user, p.allow_protected, p.mode === 'delete' ? 'deleted' : 'disabled');
    if (p.mode === 'delete') {
      const plan = await planDeletion(ctx, session.client, user, p.cascade_manager);
      return {
        changes: [plan.change, ...plan.reportChanges],
        output: { account_status: 'deleted' as const, previous_state: userState(user) },
        summary: `would delete ${userName(user)}${plan.reportChanges.length > 0 ? ` (${plan.reportChanges.length} report(s) get a new manager)` : ''}`,
      };
    }
    const changes: Change[] = isSuspended(user) ? [] : [suspendChange(user)];
    const days = p.retention_days ?? 0;
    const output: DeactivateOutput = { account_status: 'disabled', previous_state: userState(user) };
    if (days > 0 && !isSuspended(user)) {
      const dueAt = new Date(Date.now() + days * DAY_MS).toISOString();
      changes.push({ target: timerTarget(user._id), operation: SCHEDULE_DELETION, after: { due_at: dueAt, action: DELETE_IF_SUSPENDED_ACTION, retention_days: days } });
      output.deletion_scheduled_at = dueAt;
    }
    return { changes, output, summary: isSuspended(user) ? 'already suspended' : `would suspend ${userName(user)}${days > 0 ? ` and delete it after ${days} days` : ''}` };
  },
});
