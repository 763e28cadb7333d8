import type { NamedRef } from './names.js';
import { markRunSnapshotStale } from './run-snapshots.js';
import { defineUserGroupMembershipAction } from './user-group-membership.js';

/** What `jumpcloud.user.groups.add` returns. */
export interface GroupsAddOutput {
  /** Groups this step added the user to (across attempts). */
  added: number;
  groups: NamedRef[];
  /** Groups the user was already a member of: nothing was changed for them. */
  already_member: NamedRef[];
}

/** `jumpcloud.user.groups.add`: adds one user to user groups given by name or id. */
export const userGroupsAddAction = defineUserGroupMembershipAction<GroupsAddOutput>({
  id: 'jumpcloud.user.groups.add',
  description: 'Add a JumpCloud user to user groups given by name or id (a member already is left as is; dynamic groups are refused)',
  paramsDescription: 'Adds the user to the user groups given by name or id; a group the user is already in is left as it is.',
  exampleDescription: 'Add the looked-up user to two groups',
  operation: 'add_member',
  memberAfter: true,
  changedKey: 'added',
  untouchedKey: 'already_member',
  output: (added, groups, already) => ({ added, groups, already_member: already }),
  untouchedNote: 'already a member: nothing to change',
  done: 'added',
  preposition: 'to',
  doing: 'Adding',
  verb: 'add',
  untouchedSummary: 'already in',
  call: (client, groupId, userId) => client.addUserToGroup(groupId, userId),
  // The user's memberships and what they reach through them changed: the run's later steps read them afresh.
  afterAll: markRunSnapshotStale,
});
