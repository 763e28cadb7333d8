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
import { markRunSnapshotStale, onRunSnapshot } from './run-snapshots.js';
import { findGroups, givenGroupsProperty, refOf, splitByMembership } from './user-group-refs.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Adds the user to the user groups given by name or id; a group the user is already in is left as it is.',
  properties: {
    user_id: userIdProperty,
    groups: givenGroupsProperty,
    allow_protected: allowProtectedProperty,
    ...connectionProperties,
  },
  required: ['user_id', 'groups'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.groups.add` returns. */
export interface GroupsAddOutput {
  /** Groups this step added the user to (across attempts). */
  added: number;
  groups: NamedRef[];
  /** Groups the user was already a member of: nothing was changed for them. */
  already_member: NamedRef[];
}

const outputSchema = {
  type: 'object',
  properties: {
    added: { type: 'integer', minimum: 0 },
    groups: { type: 'array', items: namedRefSchema },
    already_member: { type: 'array', items: namedRefSchema },
  },
  required: ['added', 'groups', 'already_member'],
  additionalProperties: false,
} as const;

const ACTION_ID = 'jumpcloud.user.groups.add';

/** The change operation of an added membership. */
const ADD_MEMBER = 'add_member';

function membershipChange(group: NamedRef): Change {
  return {
    target: targetLabel('user_group', group),
    operation: ADD_MEMBER,
    before: objectState('user_group', group, { member: false }),
    after: objectState('user_group', group, { member: true }),
  };
}

/** A group the user is already in: reported, since no call was made (an outcome without an intent would be no change of this step's). */
function alreadyMemberChange(group: NamedRef): Omit<Change, 'result'> {
  return { target: targetLabel('user_group', group), operation: 'report', note: 'already a member: nothing to change' };
}

/** `jumpcloud.user.groups.add`: adds one user to user groups given by name or id. */
export const userGroupsAddAction = defineAction({
  id: ACTION_ID,
  description: 'Add a JumpCloud user to user groups given by name or id (a member already is left as is; dynamic groups are refused)',
  params,
  output: outputSchema,
  examples: [{ description: 'Add the looked-up user to two groups', with: { user_id: '{{steps.lookup.output.user.id}}', groups: ['Engineering', 'VPN Users'] } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (snapshot) => {
      await guardUserChange(ctx, session, snapshot, p.allow_protected, 'added to user groups');
      const groups = await findGroups(client, ACTION_ID, p.groups, 'added');
      const { nonMembers: toAdd, members } = await splitByMembership(client, snapshot, groups);
      await forEachLimit(toAdd, REMOVAL_CONCURRENCY, async (group) => {
        ctx.logger.info(`Adding user ${p.user_id} to user group "${group.name}" (${group.id})`);
        await makeChange(ctx, membershipChange(group), async () => (await client.addUserToGroup(group.id, p.user_id)).changed);
      });
      // A group an interrupted attempt added the user to (its intent open) is found a membership now: counted here.
      settleIntents(ctx, [ADD_MEMBER]);
      const added = changedObjects(ctx, [ADD_MEMBER]);
      const addedIds = new Set(added.map((g) => g.id));
      const already = members.filter((g) => !addedIds.has(g.id));
      for (const group of already) recordReported(ctx, alreadyMemberChange(group));
      // The user's memberships and what they reach through them changed: the run's later steps read them afresh.
      if (toAdd.length > 0) markRunSnapshotStale(ctx, client, p.user_id);
      const output: GroupsAddOutput = { added: added.length, groups: refsOf(added), already_member: already.map(refOf) };
      const note = already.length > 0 ? `; already in ${plural(already.length, 'group')}` : '';
      return { changed: added.length > 0, output, summary: `added to ${plural(added.length, 'group')}${note}` };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'added to user groups');
    const groups = await findGroups(client, ACTION_ID, p.groups, 'added');
    const { nonMembers: toAdd, members } = await splitByMembership(client, known, groups);
    const changes: Change[] = [...toAdd.map(membershipChange), ...members.map((g) => ({ ...alreadyMemberChange(g), result: 'reported' as const }))];
    const output: GroupsAddOutput = { added: toAdd.length, groups: toAdd.map(refOf), already_member: members.map(refOf) };
    const note = members.length > 0 ? `; already in ${plural(members.length, 'group')}` : '';
    return { changes, output, summary: `would add to ${plural(toAdd.length, 'group')}${note}` };
  },
});
