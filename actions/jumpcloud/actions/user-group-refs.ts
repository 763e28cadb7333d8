import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import { refListProperty } from './common-params.js';
import { findGivenGroups, findOneGroup, type GivenGroup, type GroupKind } from './group-refs.js';
import type { UserSnapshot } from './user-snapshot.js';

export { refOf, type GivenGroup } from './group-refs.js';

/** The `groups` parameter of the steps that add a user to, or remove one from, given groups. */
export const givenGroupsProperty = {
  ...refListProperty,
  minItems: 1,
  description: 'The user groups, each by id (24 hex) or exact name. Dynamic groups are refused: their rule decides who is a member.',
} as const;

const USER_GROUPS: GroupKind = {
  label: 'user group',
  member: 'user',
  byId: (client, id) => client.getUserGroup(id),
  byName: (client, name) => client.findUserGroupsByName(name),
};

/**
 * One user group by id or exact name, for a step's parameter other than `groups` (e.g.
 * `member_of[1]`); errors name the entry as `<param>[<index>]`.
 */
export function findGroup(client: JumpCloudClient, actionId: string, entry: string, index: number, param = 'groups'): Promise<GivenGroup> {
  return findOneGroup(client, USER_GROUPS, actionId, entry, index, param);
}

/**
 * The user groups a step was given (its `groups` parameter), each found once, by name.
 * @param doing - what the step would do to a dynamic group's members, e.g. `added`.
 * @throws as {@link findGivenGroups}: an entry that matches no group, or several; a dynamic group.
 */
export function findGroups(client: JumpCloudClient, actionId: string, entries: readonly string[], doing: string): Promise<GivenGroup[]> {
  return findGivenGroups(client, USER_GROUPS, actionId, entries, doing);
}

/** The given groups split by whether the user is a member (from the snapshot's `memberof`). */
export async function splitByMembership(client: JumpCloudClient, snapshot: UserSnapshot, groups: readonly GivenGroup[]): Promise<{ nonMembers: GivenGroup[]; members: GivenGroup[] }> {
  const memberOf = new Set((await snapshot.memberships(client)).map((group) => group.id));
  return { nonMembers: groups.filter((g) => !memberOf.has(g.id)), members: groups.filter((g) => memberOf.has(g.id)) };
}
