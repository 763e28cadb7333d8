import { defineSystemGroupMembershipAction } from './system-group-membership.js';

/** `jumpcloud.system.groups.add`: puts systems into system groups given by name or id. */
export const systemGroupsAddAction = defineSystemGroupMembershipAction({
  id: 'jumpcloud.system.groups.add',
  description: 'Put JumpCloud systems (by display name, hostname or id) into system groups given by name or id, e.g. a quarantine group (a member already is left as is; dynamic groups are refused)',
  paramsDescription: 'Adds each system to each system group; a system already in a group is left as it is.',
  exampleDescription: 'Move two laptops into the quarantine group',
  operation: 'add_member',
  memberAfter: true,
  untouchedNote: 'already a member: nothing to change',
  done: 'added',
  preposition: 'to',
  doing: 'Adding',
  verb: 'add',
  call: (client, groupId, systemId) => client.addSystemToGroup(groupId, systemId),
});
