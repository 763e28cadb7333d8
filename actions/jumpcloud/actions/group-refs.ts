import { AmbiguousError, NotFoundError, PermanentError } from '../../../engine/errors/action-errors.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import { isJumpCloudId } from '../client/object-id.js';
import { byName, type NamedRef } from './names.js';

/** `{ id, name }` of a named object, without its other fields. */
export const refOf = ({ id, name }: NamedRef): NamedRef => ({ id, name });

const DYNAMIC_METHODS: ReadonlySet<string> = new Set(['DYNAMIC_AUTOMATED', 'DYNAMIC_REVIEW_REQUIRED']);

/** A group the step was given, found in JumpCloud. */
export interface GivenGroup extends NamedRef {
  membershipMethod: string;
}

/** How to find one kind of group (user groups, system groups) by id or exact name. */
export interface GroupKind {
  /** How the kind is written in messages: `user group`, `system group`. */
  label: string;
  /** What a member of this kind of group is, in messages: `user`, `system`. */
  member: string;
  byId(client: JumpCloudClient, id: string): Promise<{ id: string; name: string; membershipMethod?: string }>;
  byName(client: JumpCloudClient, name: string): Promise<Array<{ id: string; name: string; membershipMethod?: string }>>;
}

/**
 * One given group by id or exact name; a name that matches no group, or several, is an error
 * naming the entry (as `<param>[<index>]`).
 */
export async function findOneGroup(client: JumpCloudClient, kind: GroupKind, actionId: string, entry: string, index: number, param = 'groups'): Promise<GivenGroup> {
  const given = entry.trim();
  const where = `${actionId}: ${param}[${index}] "${given}"`;
  if (given === '') throw new PermanentError(`${where} is blank`, { code: 'INVALID_PARAMS' });
  let found: Array<{ id: string; name: string; membershipMethod?: string }>;
  if (isJumpCloudId(given.toLowerCase())) {
    try {
      found = [await kind.byId(client, given.toLowerCase())];
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // A group may be named like an id: look it up by name before saying it does not exist.
      found = await kind.byName(client, given);
    }
  } else {
    found = await kind.byName(client, given);
  }
  if (found.length === 0) throw new NotFoundError(`${where}: no JumpCloud ${kind.label} has this id or name`, { details: { group: given } });
  // JumpCloud keeps group names unique; should it not, the step refuses to guess.
  if (found.length > 1) {
    throw new AmbiguousError(`${where}: more than one JumpCloud ${kind.label} has this name; give the id of the one meant`, found.map((g) => `${g.name} (${g.id})`));
  }
  const group = found[0] as { id: string; name: string; membershipMethod?: string };
  return { id: group.id, name: group.name, membershipMethod: group.membershipMethod ?? 'NOTSET' };
}

/**
 * The groups a step was given (its `groups` parameter), each found once (a group given by name
 * and by id counts once), by name.
 * @param doing - what the step would do to a dynamic group's members, e.g. `added`.
 * @throws NotFoundError naming the entry that matches no group; AmbiguousError for a name several
 *   groups have; PermanentError `JUMPCLOUD_DYNAMIC_GROUP` naming every dynamic group given; all
 *   before anything changes.
 */
export async function findGivenGroups(client: JumpCloudClient, kind: GroupKind, actionId: string, entries: readonly string[], doing: string): Promise<GivenGroup[]> {
  const found = await Promise.all(entries.map((entry, index) => findOneGroup(client, kind, actionId, entry, index)));
  const unique = [...new Map(found.map((group) => [group.id, group])).values()].sort(byName);
  const dynamic = unique.filter((group) => DYNAMIC_METHODS.has(group.membershipMethod));
  if (dynamic.length > 0) {
    throw new PermanentError(
      `${actionId}: ${dynamic.map((g) => `${kind.label} "${g.name}" (${g.id}, ${g.membershipMethod})`).join(', ')} ${dynamic.length === 1 ? 'is a dynamic group' : 'are dynamic groups'}: ${dynamic.length === 1 ? 'its' : 'their'} rule decides who is a member, so a ${kind.member} cannot be ${doing} by hand; remove ${dynamic.length === 1 ? 'it' : 'them'} from "groups"`,
      { code: 'JUMPCLOUD_DYNAMIC_GROUP', details: { groups: dynamic.map(({ id, name, membershipMethod }) => ({ id, name, membership_method: membershipMethod })) } },
    );
  }
  return unique;
}
