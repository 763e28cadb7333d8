import { AmbiguousError, NotFoundError, PermanentError } from '../../../engine/errors/action-errors.js';
import type { Change } from '../../../engine/plugin-api/action.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../../engine/plugin-api/json-schema.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import { isJumpCloudId } from '../client/object-id.js';
import type { UserGroup } from '../types.js';
import { namedRefSchema, REMOVAL_CONCURRENCY, refsOf } from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { changedObjects, objectState, recordReported } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { forEachLimit } from './for-each-limit.js';
import { byName, plural, targetLabel, type NamedRef } from './names.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { markRunSnapshotStale, onRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Adds the user to the user groups given by name or id; a group the user is already in is left as it is.',
  properties: {
    user_id: userIdProperty,
    groups: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1, pattern: '\\S' },
      description: 'The user groups, each by id (24 hex) or exact name. Dynamic groups are refused: their rule decides who is a member.',
    },
    allow_protected: allowProtectedProperty,
    ...connectionProperties,
  },
  required: ['user_id', 'groups'],
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

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

/** The change operation of an added membership. */
const ADD_MEMBER = 'add_member';

const DYNAMIC_METHODS: ReadonlySet<string> = new Set(['DYNAMIC_AUTOMATED', 'DYNAMIC_REVIEW_REQUIRED']);

/** A group the step was given, found in JumpCloud. */
interface GivenGroup extends NamedRef {
  membershipMethod: string;
}

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

/** One given group by id or exact name; a name that matches no group, or several, is an error naming the entry. */
async function findGroup(client: JumpCloudClient, entry: string, index: number): Promise<GivenGroup> {
  const given = entry.trim();
  const where = `jumpcloud.user.groups.add: groups[${index}] "${given}"`;
  if (given === '') throw new PermanentError(`${where} is blank`, { code: 'INVALID_PARAMS' });
  let found: UserGroup[];
  if (isJumpCloudId(given.toLowerCase())) {
    try {
      found = [await client.getUserGroup(given.toLowerCase())];
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // A group may be named like an id: look it up by name before saying it does not exist.
      found = await client.findUserGroupsByName(given);
    }
  } else {
    found = await client.findUserGroupsByName(given);
  }
  if (found.length === 0) throw new NotFoundError(`${where}: no JumpCloud user group has this id or name`, { details: { group: given } });
  // JumpCloud keeps user group names unique; should it not, the step refuses to guess.
  if (found.length > 1) {
    throw new AmbiguousError(`${where}: more than one JumpCloud user group has this name; give the id of the one meant`, found.map((g) => `${g.name} (${g.id})`));
  }
  const group = found[0] as UserGroup;
  return { id: group.id, name: group.name, membershipMethod: group.membershipMethod ?? 'NOTSET' };
}

/**
 * The groups given, each found once (a group given by name and by id counts once), by name.
 * @throws PermanentError `JUMPCLOUD_DYNAMIC_GROUP` naming every dynamic group given, before anything changes.
 */
async function findGroups(client: JumpCloudClient, p: Params): Promise<GivenGroup[]> {
  const found = await Promise.all(p.groups.map((entry, index) => findGroup(client, entry, index)));
  const unique = [...new Map(found.map((group) => [group.id, group])).values()].sort(byName);
  const dynamic = unique.filter((group) => DYNAMIC_METHODS.has(group.membershipMethod));
  if (dynamic.length > 0) {
    throw new PermanentError(
      `jumpcloud.user.groups.add: ${dynamic.map((g) => `user group "${g.name}" (${g.id}, ${g.membershipMethod})`).join(', ')} ${dynamic.length === 1 ? 'is a dynamic group' : 'are dynamic groups'}: ${dynamic.length === 1 ? 'its' : 'their'} rule decides who is a member, so a user cannot be added by hand; remove ${dynamic.length === 1 ? 'it' : 'them'} from "groups"`,
      { code: 'JUMPCLOUD_DYNAMIC_GROUP', details: { groups: dynamic.map(({ id, name, membershipMethod }) => ({ id, name, membership_method: membershipMethod })) } },
    );
  }
  return unique;
}

/** The given groups split by whether the user is already a member (from the snapshot's `memberof`). */
async function splitByMembership(client: JumpCloudClient, snapshot: UserSnapshot, groups: readonly GivenGroup[]): Promise<{ toAdd: GivenGroup[]; members: GivenGroup[] }> {
  const memberOf = new Set((await snapshot.memberships(client)).map((group) => group.id));
  return { toAdd: groups.filter((g) => !memberOf.has(g.id)), members: groups.filter((g) => memberOf.has(g.id)) };
}

const refOf = ({ id, name }: NamedRef): NamedRef => ({ id, name });

/** `jumpcloud.user.groups.add`: adds one user to user groups given by name or id. */
export const userGroupsAddAction = defineAction({
  id: 'jumpcloud.user.groups.add',
  description: 'Add a JumpCloud user to user groups given by name or id (a member already is left as is; dynamic groups are refused)',
  params,
  output: outputSchema,
  examples: [{ description: 'Add the looked-up user to two groups', with: { user_id: '{{steps.lookup.output.user.id}}', groups: ['Engineering', 'VPN Users'] } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (snapshot) => {
      await guardUserChange(ctx, session, snapshot, p.allow_protected, 'added to user groups');
      const groups = await findGroups(client, p);
      const { toAdd, members } = await splitByMembership(client, snapshot, groups);
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
    const groups = await findGroups(client, p);
    const { toAdd, members } = await splitByMembership(client, known, groups);
    const changes: Change[] = [...toAdd.map(membershipChange), ...members.map((g) => ({ ...alreadyMemberChange(g), result: 'reported' as const }))];
    const output: GroupsAddOutput = { added: toAdd.length, groups: toAdd.map(refOf), already_member: members.map(refOf) };
    const note = members.length > 0 ? `; already in ${plural(members.length, 'group')}` : '';
    return { changes, output, summary: `would add to ${plural(toAdd.length, 'group')}${note}` };
  },
});
