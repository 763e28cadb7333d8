import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import type { FromSchema } from '../../../engine/plugin-api/json-schema.js';
import type { SystemUser } from '../types.js';
import { openJumpCloud, type JumpCloudSession } from './client-for-context.js';
import { connectionOf, connectionProperties } from './common-params.js';
import { plural } from './names.js';
import { allowProtectedProperty, guardProtected } from './protected-accounts.js';
import { readUserIfExists } from './read-user.js';
import { onRunSnapshot } from './run-snapshots.js';
import {
  applyProfile, desiredProfile, fieldChangeSchema, profileChange, profileDiff, profileProperties, resolveManager, type FieldChange,
} from './user-profile.js';
import { findOneUser, userRefProperty } from './user-ref.js';
import { userSummary, userSummarySchema, type UserSummary } from './user-summary.js';

const ID = 'jumpcloud.user.update';

const params = {
  type: 'object',
  description: 'Sets profile fields, custom attributes and the manager of one user; fields left out are left as they are.',
  properties: {
    user_id: userRefProperty,
    email: { type: 'string', format: 'email', description: 'The primary email (unique in the organisation).' },
    ...profileProperties,
    allow_protected: allowProtectedProperty,
    ...connectionProperties,
  },
  required: ['user_id'],
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** What `jumpcloud.user.update` returns. */
export interface UpdateOutput {
  /** The user after the step. */
  user: UserSummary;
  /** The fields this step changed, each before and after (empty when all were already as asked). */
  changed_fields: FieldChange[];
}

const outputSchema = {
  type: 'object',
  properties: { user: userSummarySchema, changed_fields: { type: 'array', items: fieldChangeSchema } },
  required: ['user', 'changed_fields'],
  additionalProperties: false,
} as const;

/** The one user `user_id` names, with what the step asks of it; every name resolved before any change. */
async function prepare(session: JumpCloudSession, p: Params, user: SystemUser) {
  const manager = await resolveManager(session.client, ID, p.manager, user._id);
  return desiredProfile(p, manager, p.email);
}

/** The summary of a record, with its manager's record (one read, none when it has no manager). */
async function summaryOf(session: JumpCloudSession, user: SystemUser): Promise<UserSummary> {
  const managerId = typeof user.manager === 'string' && user.manager !== '' ? user.manager : undefined;
  return userSummary(user, managerId === undefined ? undefined : await readUserIfExists(session.client, managerId));
}

function noteOf(fields: readonly FieldChange[]): string {
  return fields.length === 0 ? '' : `: ${fields.map((c) => c.field).join(', ')}`;
}

/** Finds the user by id, username or email, and keeps the run's snapshot of it true after the change. */
async function withUser<T>(ctx: ActionContext, session: JumpCloudSession, ref: string, work: (user: SystemUser, replace: (user: SystemUser) => void) => Promise<T>): Promise<T> {
  const found = await findOneUser(session.client, ref, `${ID}: user_id`);
  // The record just read is fresh: the run's snapshot (the lookup's, if any) only gets the answer to the PUT.
  return onRunSnapshot(ctx, session.client, found._id, async (snapshot) => work(found, (next) => snapshot.replaceUser(next)));
}

/** `jumpcloud.user.update`: sets profile fields, custom attributes and the manager of one user. */
export const userUpdateAction = defineAction({
  id: ID,
  description:
    "Set a JumpCloud user's profile fields, custom attributes (merged by name; null removes one) and manager, reporting each field before and after; nothing is sent when all are already as asked",
  params,
  output: outputSchema,
  examples: [
    {
      description: 'Move the looked-up user to Finance with a new title, manager and badge attribute',
      with: { user_id: '{{steps.lookup.output.user.id}}', department: 'Finance', jobTitle: 'Controller', manager: 'jane.doe', attributes: { badge: '4711', legacy_id: null } },
    },
  ],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    return withUser(ctx, session, p.user_id, async (user, replace) => {
      guardProtected(ctx, session, user, p.allow_protected, 'changed');
      const desired = await prepare(session, p, user);
      const applied = await applyProfile(ctx, session.client, user, desired);
      replace(applied.user);
      const output: UpdateOutput = { user: await summaryOf(session, applied.user), changed_fields: applied.fields };
      const changed = applied.fields.length > 0;
      return { changed, output, summary: changed ? `updated ${plural(applied.fields.length, 'field')}${noteOf(applied.fields)}` : 'unchanged: every field already as asked' };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const user = await findOneUser(session.client, p.user_id, `${ID}: user_id`);
    guardProtected(ctx, session, user, p.allow_protected, 'changed');
    const desired = await prepare(session, p, user);
    const diff = await profileDiff(session.client, user, desired);
    const output: UpdateOutput = { user: await summaryOf(session, user), changed_fields: diff };
    return {
      changes: diff.length === 0 ? [] : [profileChange(user, diff)],
      output,
      summary: diff.length === 0 ? 'unchanged: every field already as asked' : `would update ${plural(diff.length, 'field')}${noteOf(diff)}`,
    };
  },
});
