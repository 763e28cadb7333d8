import type { Change } from '../../../engine/plugin-api/action.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import { namedRefSchema, REMOVAL_CONCURRENCY, refsOf } from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { changedObjects, objectState, recordReported } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { forEachLimit } from './for-each-limit.js';
import { plural, targetLabel, type NamedRef } from './names.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { onRunSnapshot } from './run-snapshots.js';
import { findGroups, givenGroupsProperty, refOf, splitByMembership } from './user-group-refs.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Removes the user from the user groups given by name or id; a group the user is not in is left as it is.',
  properties: {
    user_id: userIdProperty,
    groups: givenGroupsProperty,
    allow_protected: allowProtectedProperty,
    ...connectionProperties,
  },
  required: ['user_id', 'groups'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.groups.remove` returns. */
export interface GroupsRemoveOutput {
  /** Groups this step removed the user from (across attempts). */
  removed: number;
  groups: NamedRef[];
  /** Groups the user was not a member of: nothing was changed for them. */
  not_member: NamedRef[];
}

const outputSchema = {
  type: 'object',
  properties: {
    removed: { type: 'integer', minimum: 0 },
    groups: { type: 'array', items: namedRefSchema },
    not_member: { type: 'array', items: namedRefSchema },
  },
  required: ['removed', 'groups', 'not_member'],
  additionalProperties: false,
} as const;

const ACTION_ID = 'jumpcloud.user.groups.remove';

/** The change operation of a removed membership. */
const REMOVE_MEMBER = 'remove_member';

function membershipChange(group: NamedRef): Change {
  return {
    target: targetLabel('user_group', group),
    operation: REMOVE_MEMBER,
    before: objectState('user_group', group, { member: true }),
    after: objectState('user_group', group, { member: false }),
  };
}

/** A group the user is not in: reported, since no call was made (an outcome without an intent would be no change of this step's). */
function notMemberChange(group: NamedRef): Omit<Change, 'result'> {
  return { target: targetLabel('user_group', group), operation: 'report', note: 'not a member: nothing to change' };
}

/** `jumpcloud.user.groups.remove`: removes one user from user groups given by name or id. */
export const userGroupsRemoveAction = defineAction({
  id: ACTION_ID,
  description: 'Remove a JumpCloud user from user groups given by name or id (a non-member is left as is; dynamic groups are refused)',
  params,
  output: outputSchema,
  examples: [{ description: 'Remove the looked-up user from two groups', with: { user_id: '{{steps.lookup.output.user.id}}', groups: ['Engineering', 'VPN Users'] } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (snapshot) => {
      await guardUserChange(ctx, session, snapshot, p.allow_protected, 'removed from user groups');
      const groups = await findGroups(client, ACTION_ID, p.groups, 'removed');
      const { members: toRemove, nonMembers } = await splitByMembership(client, snapshot, groups);
      await forEachLimit(toRemove, REMOVAL_CONCURRENCY, async (group) => {
        ctx.logger.info(`Removing user ${p.user_id} from user group "${group.name}" (${group.id})`);
        await makeChange(ctx, membershipChange(group), async () => (await client.removeUserFromGroup(group.id, p.user_id)).changed);
        // The run's later steps read the memberships, and what is reached through them, without this group.
        snapshot.markLeft(group.id);
      });
      // A group an interrupted attempt removed the user from (its intent open) is no longer found: counted here.
      settleIntents(ctx, [REMOVE_MEMBER]);
      const removed = changedObjects(ctx, [REMOVE_MEMBER]);
      const removedIds = new Set(removed.map((g) => g.id));
      const absent = nonMembers.filter((g) => !removedIds.has(g.id));
      for (const group of absent) recordReported(ctx, notMemberChange(group));
      const output: GroupsRemoveOutput = { removed: removed.length, groups: refsOf(removed), not_member: absent.map(refOf) };
      const note = absent.length > 0 ? `; not in ${plural(absent.length, 'group')}` : '';
      return { changed: removed.length > 0, output, summary: `removed from ${plural(removed.length, 'group')}${note}` };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'removed from user groups');
    const groups = await findGroups(client, ACTION_ID, p.groups, 'removed');
    const { members: toRemove, nonMembers } = await splitByMembership(client, known, groups);
    const changes: Change[] = [...toRemove.map(membershipChange), ...nonMembers.map((g) => ({ ...notMemberChange(g), result: 'reported' as const }))];
    const output: GroupsRemoveOutput = { removed: toRemove.length, groups: toRemove.map(refOf), not_member: nonMembers.map(refOf) };
    const note = nonMembers.length > 0 ? `; not in ${plural(nonMembers.length, 'group')}` : '';
    return { changes, output, summary: `would remove from ${plural(toRemove.length, 'group')}${note}` };
  },
});
