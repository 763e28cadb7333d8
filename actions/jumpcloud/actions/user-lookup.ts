import { AmbiguousError, NotFoundError, PermanentError } from '../../../engine/errors/action-errors.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../../engine/plugin-api/json-schema.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import { isJumpCloudId } from '../client/object-id.js';
import type { SystemUser } from '../types.js';
import { readMemberships } from './access-snapshot.js';
import { openJumpCloud, type JumpCloudSession } from './client-for-context.js';
import { connectionOf, connectionProperties } from './common-params.js';
import { describeDeletion, findDeletion, type Deletion } from './deleted-user.js';
import { refuseProtected } from './protected-accounts.js';
import { readUserIfExists } from './read-user.js';
import { openRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';
import { deletedUserSummary, userSummary, userSummarySchema, type UserSummary } from './user-summary.js';

const params = {
  type: 'object',
  description: 'Finds the JumpCloud user to offboard by id, username or email.',
  properties: {
    identifier: { type: 'string', minLength: 1, pattern: '\\S', description: 'A JumpCloud user id (24 hex), a username, or an email (matched without regard to case).' },
    refuse_protected: {
      type: 'boolean',
      default: false,
      description: "Stop the run at the lookup when the user is on the connection's protected_accounts (every action that changes a user refuses one anyway, unless it sets allow_protected).",
    },
    when_deleted: {
      type: 'string',
      enum: ['fail', 'end_run'],
      default: 'fail',
      description: 'When nobody matches but Directory Insights shows the user was deleted: fail (JUMPCLOUD_USER_DELETED), or end the run as done, since there is nothing left to offboard.',
    },
    ...connectionProperties,
  },
  required: ['identifier'],
  additionalProperties: false,
} as const;

/** How the user was found. */
export type MatchedBy = 'id' | 'username' | 'email';

/** What `jumpcloud.user.lookup` returns. */
export interface LookupOutput {
  user: UserSummary;
  matched_by: MatchedBy;
  /** True when the user is on the connection's `protected_accounts`. */
  protected: boolean;
  /**
   * The user groups the user is a member of (static and dynamic), by name: `names[i]` is the
   * name of the group `ids[i]`. A condition tests membership with
   * `{"in": ["Contractors", {"var": "steps.lookup.output.groups.names"}]}`. Empty for a user
   * already deleted.
   */
  groups: LookupGroups;
  /** With `when_deleted: end_run`: the user had already been deleted (then `user.state` is `DELETED`). */
  deleted?: { at: string; by: string | null };
}

/** The user's groups as two aligned lists, ordered by name. */
export interface LookupGroups {
  names: string[];
  ids: string[];
}

const outputSchema = {
  type: 'object',
  properties: {
    user: userSummarySchema,
    matched_by: { type: 'string', enum: ['id', 'username', 'email'] },
    protected: { type: 'boolean' },
    groups: {
      type: 'object',
      description: "The user groups the user is a member of, ordered by name: names[i] names the group ids[i] (empty for a user already deleted).",
      properties: { names: { type: 'array', items: { type: 'string' } }, ids: { type: 'array', items: { type: 'string' } } },
      required: ['names', 'ids'],
      additionalProperties: false,
    },
    deleted: { type: 'object', properties: { at: { type: 'string' }, by: { type: ['string', 'null'] } }, required: ['at', 'by'], additionalProperties: false },
  },
  required: ['user', 'matched_by', 'protected', 'groups'],
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** The one user an identifier names, and how. */
interface Found {
  user: SystemUser;
  matchedBy: MatchedBy;
}

/**
 * Every user the identifier names: by id (when it looks like one), by username (exact), and by
 * email (without regard to case, when it contains "@"). The same user found several ways counts
 * once, under the first way (id, then username, then email).
 *
 * Username and email are asked in one search (an `or` of the two), not two: the client
 * re-checks every match, so each user found is sorted by what it really matched.
 */
async function findCandidates(client: JumpCloudClient, identifier: string): Promise<Found[]> {
  const found = new Map<string, Found>();
  const add = (users: readonly SystemUser[], matchedBy: MatchedBy): void => {
    for (const user of users) if (!found.has(user._id)) found.set(user._id, { user, matchedBy });
  };
  const lower = identifier.toLowerCase();
  const byEmail = identifier.includes('@');
  const [byId, byName] = await Promise.all([
    isJumpCloudId(lower) ? readUserIfExists(client, lower).then((user) => (user === undefined ? [] : [user])) : Promise.resolve([]),
    client.findUsers(byEmail ? { username: identifier, email: identifier, match: 'any' } : { username: identifier }),
  ]);
  add(byId, 'id');
  add(byName.filter((user) => user.username === identifier), 'username');
  if (byEmail) add(byName.filter((user) => (user.email ?? '').toLowerCase() === lower), 'email');
  return [...found.values()];
}

/** How an identifier named a deleted user, from what its deletion event records. */
function matchedByOf(identifier: string, deletion: Deletion): MatchedBy {
  const lower = identifier.toLowerCase();
  if (deletion.user_id.toLowerCase() === lower) return 'id';
  return deletion.username?.toLowerCase() === lower ? 'username' : 'email';
}

/** The run ends here: there is nothing left to offboard. */
function endRunFor(output: LookupOutput): { reason: string } | undefined {
  if (output.deleted === undefined) return undefined;
  return { reason: `JumpCloud user "${output.user.username || output.user.email || output.user.id}" was already deleted at ${output.deleted.at}${output.deleted.by === null ? '' : ` by ${output.deleted.by}`}: nothing left to offboard` };
}

/** `username <email> (id)`, how candidates are listed. */
function candidateLabel(user: SystemUser): string {
  return `${user.username ?? '(no username)'} <${user.email ?? 'no email'}> (${user._id})`;
}

/** What the lookup found: its output (groups still empty), and the records it read (for the run's snapshot). */
interface LookedUp {
  output: LookupOutput;
  /** The user's record, as the search (or the read by id) returned it; absent for a deleted user. */
  user?: SystemUser;
  /** The manager's record when the user names one (undefined when it no longer exists). */
  manager?: { id: string; user: SystemUser | undefined };
}

/**
 * Finds exactly one user, with its manager's username and email, and whether it is protected.
 * @throws NotFoundError when nobody matches (code `JUMPCLOUD_USER_DELETED`, saying when and by whom,
 *   when Directory Insights shows that the user was deleted); AmbiguousError listing the candidates when several do;
 *   PermanentError `PROTECTED_ACCOUNT` when `refuse_protected` is set and the user is protected.
 */
async function lookUp(ctx: ActionContext, session: JumpCloudSession, p: Params): Promise<LookedUp> {
  const identifier = p.identifier.trim();
  if (identifier === '') throw new PermanentError('jumpcloud.user.lookup: "identifier" is blank', { code: 'INVALID_PARAMS' });
  const candidates = await findCandidates(session.client, identifier);
  if (candidates.length === 0) {
    const deletion = await findDeletion(session.client, identifier, ctx.logger);
    if (deletion !== undefined && p.when_deleted === 'end_run') {
      return { output: { user: deletedUserSummary(deletion), matched_by: matchedByOf(identifier, deletion), protected: false, groups: { names: [], ids: [] }, deleted: { at: deletion.deleted_at, by: deletion.deleted_by } } };
    }
    if (deletion !== undefined) {
      throw new NotFoundError(`JumpCloud user "${identifier}" no longer exists: ${describeDeletion(deletion)} (Directory Insights); there is nothing left to offboard`, {
        code: 'JUMPCLOUD_USER_DELETED',
        details: { identifier, ...deletion },
      });
    }
    throw new NotFoundError(`No JumpCloud user matches "${identifier}" (looked up by id, username and email)`, { details: { identifier } });
  }
  if (candidates.length > 1) {
    throw new AmbiguousError(
      `More than one JumpCloud user matches "${identifier}"; use the id of the one to offboard`,
      candidates.map((c) => `${candidateLabel(c.user)} by ${c.matchedBy}`),
    );
  }
  const { user, matchedBy } = candidates[0] as Found;
  const isProtected = session.protectedAccounts.match(user) !== undefined;
  if (p.refuse_protected) refuseProtected(session.protectedAccounts, user, session.connectionName, 'offboarded (the lookup sets refuse_protected)');
  const managerId = typeof user.manager === 'string' && user.manager !== '' ? user.manager : undefined;
  let manager: SystemUser | undefined;
  if (managerId !== undefined) {
    manager = await readUserIfExists(session.client, managerId);
    if (manager === undefined) ctx.logger.warn(`The manager of JumpCloud user "${user.username ?? user._id}" (${managerId}) no longer exists`);
  }
  return {
    output: { user: userSummary(user, manager), matched_by: matchedBy, protected: isProtected, groups: { names: [], ids: [] } },
    user,
    ...(managerId === undefined ? {} : { manager: { id: managerId, user: manager } }),
  };
}

/**
 * The user's groups, named and ordered by name, from the snapshot: one read of `memberof`
 * (every page) and one cached look-up per group. On the run's snapshot, the steps after the
 * lookup (the removal from groups) reuse both rather than read them again.
 */
async function readGroups(client: JumpCloudClient, snapshot: UserSnapshot): Promise<LookupGroups> {
  const memberships = await readMemberships(client, snapshot);
  return { names: memberships.map((group) => group.name), ids: memberships.map((group) => group.id) };
}

/** `jumpcloud.user.lookup`: finds the user by id, username or email; none or several is an error. */
export const userLookupAction = defineAction({
  id: 'jumpcloud.user.lookup',
  description: "Find a JumpCloud user by id, username or email (exactly one, or the run stops), with the names and ids of the user's groups",
  params,
  output: outputSchema,
  examples: [{ description: 'Look up the user named by the input', with: { identifier: '{{inputs.user_identifier}}', refuse_protected: true, org_id: '{{vars.jumpcloud_org_id}}' } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const found = await lookUp(ctx, session, p);
    const { output } = found;
    const endRun = endRunFor(output);
    if (endRun !== undefined) {
      ctx.logger.info(endRun.reason);
      return { changed: false, output, summary: `already deleted at ${output.deleted?.at ?? ''}`, endRun };
    }
    await ctx.claimSubject(`jumpcloud:user:${output.user.id}`);
    // The steps after this one start from the record just read (one search) rather than each
    // reading the user again; the groups are read on it once the user is this run's alone.
    if (found.user !== undefined) output.groups = await readGroups(session.client, openRunSnapshot(ctx, session.client, found.user, found.manager));
    ctx.logger.info(`Found JumpCloud user "${output.user.username}" <${output.user.email}> (${output.user.id}) by ${output.matched_by}, state ${output.user.state}${output.protected ? ', protected account' : ''}`);
    return { changed: false, output, summary: `found ${output.user.username} <${output.user.email}> by ${output.matched_by}` };
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const found = await lookUp(ctx, session, p);
    const { output } = found;
    const endRun = endRunFor(output);
    if (endRun !== undefined) return { changes: [], output, summary: `already deleted at ${output.deleted?.at ?? ''}`, endRun };
    if (found.user !== undefined) output.groups = await readGroups(session.client, new UserSnapshot(found.user._id, found.user));
    return {
      changes: [
        {
          target: `user "${output.user.username}" (${output.user.id})`,
          operation: 'lookup',
          result: 'reported',
          note: `matched by ${output.matched_by}; state ${output.user.state}${output.protected ? '; protected account' : ''}`,
        },
      ],
      output,
      summary: `would offboard ${output.user.username} <${output.user.email}>`,
    };
  },
});
