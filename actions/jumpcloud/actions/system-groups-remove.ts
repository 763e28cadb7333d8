import { defineSystemGroupMembershipAction } from './system-group-membership.js';

/** `jumpcloud.system.groups.remove`: takes systems out of system groups given by name or id. */
export const systemGroupsRemoveAction = defineSystemGroupMembershipAction({
  id: 'jumpcloud.system.groups.remove',
  description: 'Take JumpCloud systems (by display name, hostname or id) out of system groups given by name or id, e.g. release them from quarantine (a non-member is left as is; dynamic groups are refused)',
  paramsDescription: 'Removes each system from each system group; a system not in a group is left as it is.',
  exampleDescription: 'Release two laptops from the quarantine group',
  operation: 'remove_member',
  memberAfter: false,
  untouchedNote: 'not a member: nothing to change',
  done: 'removed',
  preposition: 'from',
  doing: 'Removing',
  verb: 'remove',
  call: (client, groupId, systemId) => client.removeSystemFromGroup(groupId, systemId),
});
