import type { NamedRef } from './names.js';
import { defineUserGroupMembershipAction } from './user-group-membership.js';

/** What `jumpcloud.user.groups.remove` returns. */
export interface GroupsRemoveOutput {
  /** Groups this step removed the user from (across attempts). */
  removed: number;
  groups: NamedRef[];
  /** Groups the user was not a member of: nothing was changed for them. */
  not_member: NamedRef[];
}

/** `jumpcloud.user.groups.remove`: removes one user from user groups given by name or id. */
export const userGroupsRemoveAction = defineUserGroupMembershipAction<GroupsRemoveOutput>({
  id: 'jumpcloud.user.groups.remove',
  description: 'Remove a JumpCloud user from user groups given by name or id (a non-member is left as is; dynamic groups are refused)',
  paramsDescription: 'Removes the user from the user groups given by name or id; a group the user is not in is left as it is.',
  exampleDescription: 'Remove the looked-up user from two groups',
  operation: 'remove_member',
  memberAfter: false,
  changedKey: 'removed',
  untouchedKey: 'not_member',
  output: (removed, groups, absent) => ({ removed, groups, not_member: absent }),
  untouchedNote: 'not a member: nothing to change',
  done: 'removed',
  preposition: 'from',
  doing: 'Removing',
  verb: 'remove',
  untouchedSummary: 'not in',
  call: (client, groupId, userId) => client.removeUserFromGroup(groupId, userId),
  // The run's later steps read the memberships, and what is reached through them, without this group.
  afterEach: (snapshot, group) => snapshot.markLeft(group.id),
});
