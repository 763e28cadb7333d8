import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../../engine/plugin-api/json-schema.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import { isJumpCloudId } from '../client/object-id.js';
import type { SystemUser } from '../types.js';
import { openJumpCloud, type JumpCloudSession } from './client-for-context.js';
import { connectionOf, connectionProperties, refListProperty } from './common-params.js';
import { checkWindow, dateBoundProperty, daysBefore, daysSince, isoOrNull, parseDateBound } from './find-params.js';
import { lastAuthenticationOf, readLastAuthentications, type AuthenticationVia, type LastAuthentications } from './last-authentications.js';
import { plural } from './names.js';
import { readUserIfExists } from './read-user.js';
import { findGroup, type GivenGroup } from './user-group-refs.js';

const ACTION_ID = 'jumpcloud.users.find';
/** How long JumpCloud keeps Directory Insights events (its documents: "90 days"). */
const INSIGHTS_RETENTION_DAYS = 90;

const params = {
  type: 'object',
  description: 'Users matching every filter given (none: every user), for a foreach.',
  properties: {
    state: { type: 'string', enum: ['ACTIVATED', 'SUSPENDED', 'STAGED'], description: 'Only users in this state.' },
    department: { type: 'string', minLength: 1, description: 'Only users of this department (exact).' },
    job_title: { type: 'string', minLength: 1, description: 'Only users with this job title (exact).' },
    employee_type: { type: 'string', minLength: 1, description: 'Only users of this employee type (exact), e.g. Contractor.' },
    attributes: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Only users whose custom attributes have these values, e.g. {"costCenterCode": "ENG-100"} (every one must match).',
    },
    member_of: { ...refListProperty, minItems: 1, description: 'Only members of one of these user groups, each by id or exact name.' },
    created_after: { ...dateBoundProperty, description: 'Only users created after this date (2026-01-31) or time (2026-01-31T09:00:00Z).' },
    created_before: { ...dateBoundProperty, description: 'Only users created before this date or time.' },
    inactive_days: {
      type: 'integer',
      minimum: 1,
      maximum: 3650,
      description:
        'Only users with no successful authentication of any kind (user portal, SSO, LDAP, RADIUS, device login) in Directory Insights for this many days, and created at least that long ago. JumpCloud keeps these events for 90 days, so more than 90 cannot tell older use from none.',
    },
    exclude_users: { ...refListProperty, description: 'Users never returned, each by id, username or email (exempt accounts).' },
    exclude_groups: { ...refListProperty, description: 'Members of these user groups (by id or exact name) are never returned (exempt groups).' },
    exclude_protected: { type: 'boolean', default: false, description: "Leave out the connection's protected_accounts." },
    ...connectionProperties,
  },
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** One user found. */
export interface FoundUser {
  id: string;
  username: string;
  email: string;
  displayname: string;
  state: string;
  department: string | null;
  job_title: string | null;
  employee_type: string | null;
  created: string | null;
  manager_id: string | null;
  /** The manager's username and email, when the user has a manager that exists. */
  manager: { username: string; email: string } | null;
  /** The latest successful authentication Directory Insights holds (within 90 days, or `inactive_days` when longer), or null. */
  last_authentication: string | null;
  /** How: `user_portal`, `sso`, `ldap`, `radius` or `system`; null when none. */
  last_authentication_via: AuthenticationVia | null;
  /**
   * With `inactive_days`: whole days since the last authentication; with none on record, since
   * the user was created or the start of the Directory Insights window read, whichever is later
   * (so, then, a lower bound: JumpCloud keeps 90 days of events).
   */
  inactive_for_days?: number;
}

/** A user that matched the filters but was left out, and why. */
export interface ExcludedUser {
  id: string;
  username: string;
  reason: string;
}

/** What `jumpcloud.users.find` returns. */
export interface UsersFindOutput {
  count: number;
  users: FoundUser[];
  /** Users that matched the filters but an exclusion left out (exempt users, groups, protected accounts). */
  excluded: ExcludedUser[];
  /** The filters applied, as resolved (groups by name and id, times as ISO). */
  criteria: Record<string, unknown>;
}

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, username: { type: 'string' }, email: { type: 'string' }, displayname: { type: 'string' }, state: { type: 'string' },
    department: { type: ['string', 'null'] }, job_title: { type: ['string', 'null'] }, employee_type: { type: ['string', 'null'] }, created: { type: ['string', 'null'] },
    manager_id: { type: ['string', 'null'] },
    manager: { anyOf: [{ type: 'null' }, { type: 'object', properties: { username: { type: 'string' }, email: { type: 'string' } }, required: ['username', 'email'], additionalProperties: false }] },
    last_authentication: { type: ['string', 'null'] },
    last_authentication_via: { type: ['string', 'null'] },
    inactive_for_days: { type: 'integer' },
  },
  required: ['id', 'username', 'email', 'displayname', 'state', 'department', 'job_title', 'employee_type', 'created', 'manager_id', 'manager', 'last_authentication', 'last_authentication_via'],
  additionalProperties: false,
} as const;

const outputSchema = {
  type: 'object',
  properties: {
    count: { type: 'integer' },
    users: { type: 'array', items: userSchema },
    excluded: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, username: { type: 'string' }, reason: { type: 'string' } }, required: ['id', 'username', 'reason'], additionalProperties: false },
    },
    criteria: { type: 'object' },
  },
  required: ['count', 'users', 'excluded', 'criteria'],
  additionalProperties: false,
} as const;

/** The parameters checked and resolved against JumpCloud. */
interface Criteria {
  memberOf: GivenGroup[];
  excludeGroups: GivenGroup[];
  createdAfter: number | undefined;
  createdBefore: number | undefined;
}

/** The `POST /api/search/systemusers` filter for what the API can match itself. */
function searchFilter(p: Params, criteria: Criteria): Array<Record<string, unknown>> {
  const and: Array<Record<string, unknown>> = [];
  if (p.state !== undefined) and.push({ state: p.state });
  if (p.department !== undefined) and.push({ department: p.department });
  if (p.job_title !== undefined) and.push({ jobTitle: p.job_title });
  if (p.employee_type !== undefined) and.push({ employeeType: p.employee_type });
  if (criteria.createdAfter !== undefined) and.push({ created: { $gt: new Date(criteria.createdAfter).toISOString() } });
  if (criteria.createdBefore !== undefined) and.push({ created: { $lt: new Date(criteria.createdBefore).toISOString() } });
  return and;
}

/** Every user the search returns, paged; re-checked here against the same filters so a server that matches loosely never widens the result. */
async function searchUsers(client: JumpCloudClient, and: Array<Record<string, unknown>>, signal: AbortSignal | undefined): Promise<SystemUser[]> {
  const users: SystemUser[] = [];
  for await (const user of client.paginate<SystemUser>({
    path: '/api/search/systemusers',
    style: 'search',
    body: and.length === 0 ? {} : { filter: { and } },
    what: 'users matching the filters',
    ...(signal === undefined ? {} : { signal }),
  })) users.push(user);
  return users;
}

/** True when the user has every custom attribute value asked for. */
function hasAttributes(user: SystemUser, wanted: Readonly<Record<string, string>>): boolean {
  return Object.entries(wanted).every(([name, value]) => (user.attributes ?? []).some((a) => a.name === name && a.value === value));
}

/** Whether the record really matches the filters the search was asked (JumpCloud compares `created` as a date). */
function matchesSearch(user: SystemUser, p: Params, criteria: Criteria): boolean {
  const created = user.created === undefined ? Number.NaN : Date.parse(user.created);
  return (
    (p.state === undefined || user.state === p.state) &&
    (p.department === undefined || user.department === p.department) &&
    (p.job_title === undefined || user.jobTitle === p.job_title) &&
    (p.employee_type === undefined || user.employeeType === p.employee_type) &&
    (criteria.createdAfter === undefined || created > criteria.createdAfter) &&
    (criteria.createdBefore === undefined || created < criteria.createdBefore)
  );
}

/** The users an exclusion list names (by id, username or email, case-insensitively for names). */
function excludedBy(entries: readonly string[]): (user: SystemUser) => string | undefined {
  const wanted = entries.map((e) => e.trim().toLowerCase());
  return (user) => wanted.find((w) => w === user._id || w === user.username?.toLowerCase() || w === user.email?.toLowerCase());
}

/** Reads and checks every group the parameters name (in parallel), before any search. */
async function resolveCriteria(client: JumpCloudClient, p: Params): Promise<Criteria> {
  const createdAfter = parseDateBound(ACTION_ID, 'created_after', p.created_after);
  const createdBefore = parseDateBound(ACTION_ID, 'created_before', p.created_before);
  checkWindow(ACTION_ID, ['created_after', createdAfter], ['created_before', createdBefore]);
  for (const [param, list] of [['member_of', p.member_of], ['exclude_users', p.exclude_users], ['exclude_groups', p.exclude_groups]] as const) {
    list?.forEach((entry, i) => {
      if (entry.trim() === '') throw new PermanentError(`${ACTION_ID}: ${param}[${i}] is blank`, { code: 'INVALID_PARAMS' });
    });
  }
  const [memberOf, excludeGroups] = await Promise.all([
    Promise.all((p.member_of ?? []).map((entry, i) => findGroup(client, ACTION_ID, entry, i, 'member_of'))),
    Promise.all((p.exclude_groups ?? []).map((entry, i) => findGroup(client, ACTION_ID, entry, i, 'exclude_groups'))),
  ]);
  return { memberOf, excludeGroups, createdAfter, createdBefore };
}

/** The managers' usernames and emails, one cached read per distinct manager. */
async function readManagers(client: JumpCloudClient, users: readonly SystemUser[]): Promise<Map<string, SystemUser | undefined>> {
  const ids = [...new Set(users.map((u) => u.manager).filter((m): m is string => typeof m === 'string' && isJumpCloudId(m)))];
  return new Map(await Promise.all(ids.map(async (id) => [id, await readUserIfExists(client, id)] as const)));
}

/**
 * Finds the users. The search (`POST /api/search/systemusers`) filters by state, department,
 * job title, employee type and creation time server-side; custom attributes, group membership
 * (from the `memberof` ids the search returns), exclusions and inactivity (from Directory
 * Insights, which the user API cannot query) are filtered here.
 */
async function find(ctx: ActionContext, session: JumpCloudSession, p: Params): Promise<UsersFindOutput> {
  const { client } = session;
  const criteria = await resolveCriteria(client, p);
  const now = Date.now();
  const inactiveDays = p.inactive_days;
  if (inactiveDays !== undefined && inactiveDays > INSIGHTS_RETENTION_DAYS) {
    ctx.logger.warn(`${ACTION_ID}: inactive_days is ${inactiveDays}, but JumpCloud keeps Directory Insights events for ${INSIGHTS_RETENTION_DAYS} days; a user last seen between ${INSIGHTS_RETENTION_DAYS} and ${inactiveDays} days ago will be reported inactive`);
  }
  const historyDays = Math.max(inactiveDays ?? 0, INSIGHTS_RETENTION_DAYS);
  const [found, auths] = await Promise.all([
    searchUsers(client, searchFilter(p, criteria), ctx.signal),
    readLastAuthentications(client, daysBefore(now, historyDays), ctx.signal),
  ]);
  const wantedGroups = new Set(criteria.memberOf.map((g) => g.id));
  const matched = found.filter((user) =>
    matchesSearch(user, p, criteria) &&
    (p.attributes === undefined || hasAttributes(user, p.attributes as Readonly<Record<string, string>>)) &&
    (wantedGroups.size === 0 || (user.memberof ?? []).some((id) => wantedGroups.has(id))) &&
    (inactiveDays === undefined || isInactive(user, auths, now, inactiveDays)),
  );
  const excluded: ExcludedUser[] = [];
  const exemptUser = excludedBy(p.exclude_users ?? []);
  const exemptGroups = new Map(criteria.excludeGroups.map((g) => [g.id, g.name]));
  const kept = matched.filter((user) => {
    const reason = exclusionOf(user, exemptUser, exemptGroups, p.exclude_protected === true ? session.protectedAccounts.match(user) : undefined);
    if (reason !== undefined) excluded.push({ id: user._id, username: user.username ?? '', reason });
    return reason === undefined;
  });
  const managers = await readManagers(client, kept);
  const users = kept.map((user) => foundUser(user, managers, auths, now, inactiveDays, daysBefore(now, historyDays))).sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  excluded.sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  ctx.logger.info(`${ACTION_ID}: ${plural(users.length, 'user')} match${users.length === 1 ? 'es' : ''} (${found.length} returned by the search, ${auths.events} authentication event(s) read, ${excluded.length} excluded)`);
  return { count: users.length, users, excluded, criteria: describeCriteria(p, criteria) };
}

/** Inactive: created at least `days` ago, with no successful authentication since `days` ago. */
function isInactive(user: SystemUser, auths: LastAuthentications, now: number, days: number): boolean {
  const cutoff = daysBefore(now, days);
  const created = user.created === undefined ? Number.NaN : Date.parse(user.created);
  // A user created within the window has not had the time to be inactive for it.
  if (!Number.isNaN(created) && created > cutoff) return false;
  const last = lastAuthenticationOf(auths, user);
  return last === undefined || last.at < cutoff;
}

function exclusionOf(user: SystemUser, exemptUser: (user: SystemUser) => string | undefined, exemptGroups: ReadonlyMap<string, string>, protectedBy: string | undefined): string | undefined {
  const entry = exemptUser(user);
  if (entry !== undefined) return `exclude_users lists "${entry}"`;
  const group = (user.memberof ?? []).find((id) => exemptGroups.has(id));
  if (group !== undefined) return `member of excluded group "${exemptGroups.get(group) ?? group}"`;
  if (protectedBy !== undefined) return `protected account ("${protectedBy}")`;
  return undefined;
}

function foundUser(user: SystemUser, managers: ReadonlyMap<string, SystemUser | undefined>, auths: LastAuthentications, now: number, inactiveDays: number | undefined, windowStart: number): FoundUser {
  const managerId = typeof user.manager === 'string' && user.manager !== '' ? user.manager : null;
  const manager = managerId === null ? undefined : managers.get(managerId);
  const last = lastAuthenticationOf(auths, user);
  const created = user.created === undefined ? Number.NaN : Date.parse(user.created);
  // Without an authentication on record, nothing is known before the window read began.
  const since = last?.at ?? (Number.isNaN(created) ? windowStart : Math.max(created, windowStart));
  return {
    id: user._id,
    username: user.username ?? '',
    email: user.email ?? '',
    displayname: user.displayname || [user.firstname, user.lastname].filter(Boolean).join(' '),
    state: user.state ?? 'ACTIVATED',
    department: user.department || null,
    job_title: user.jobTitle || null,
    employee_type: user.employeeType || null,
    created: user.created ?? null,
    manager_id: managerId,
    manager: manager === undefined ? null : { username: manager.username ?? '', email: manager.email ?? '' },
    last_authentication: isoOrNull(last?.at),
    last_authentication_via: last?.via ?? null,
    ...(inactiveDays === undefined ? {} : { inactive_for_days: daysSince(since, now) }),
  };
}

function describeCriteria(p: Params, criteria: Criteria): Record<string, unknown> {
  const named = (groups: readonly GivenGroup[]) => groups.map(({ id, name }) => ({ id, name }));
  return {
    ...(p.state === undefined ? {} : { state: p.state }),
    ...(p.department === undefined ? {} : { department: p.department }),
    ...(p.job_title === undefined ? {} : { job_title: p.job_title }),
    ...(p.employee_type === undefined ? {} : { employee_type: p.employee_type }),
    ...(p.attributes === undefined ? {} : { attributes: p.attributes }),
    ...(criteria.memberOf.length === 0 ? {} : { member_of: named(criteria.memberOf) }),
    ...(criteria.createdAfter === undefined ? {} : { created_after: new Date(criteria.createdAfter).toISOString() }),
    ...(criteria.createdBefore === undefined ? {} : { created_before: new Date(criteria.createdBefore).toISOString() }),
    ...(p.inactive_days === undefined ? {} : { inactive_days: p.inactive_days }),
    ...(p.exclude_users === undefined ? {} : { exclude_users: p.exclude_users }),
    ...(criteria.excludeGroups.length === 0 ? {} : { exclude_groups: named(criteria.excludeGroups) }),
    ...(p.exclude_protected === true ? { exclude_protected: true } : {}),
  };
}

function summaryOf(output: UsersFindOutput): string {
  const names = output.users.slice(0, 5).map((u) => u.username).join(', ');
  return `${plural(output.count, 'user')} found${output.count === 0 ? '' : `: ${names}${output.count > 5 ? ', …' : ''}`}${output.excluded.length === 0 ? '' : ` (${output.excluded.length} excluded)`}`;
}

/** `jumpcloud.users.find`: the users matching filters (and, for inactivity, Directory Insights), for a foreach. Read-only. */
export const usersFindAction = defineAction({
  id: ACTION_ID,
  description:
    'Find JumpCloud users by state, department, job title, employee type, custom attributes, group, creation date and inactivity (no authentication of any kind in Directory Insights for N days), with exempt users and groups; returns the list for a foreach. Changes nothing.',
  params,
  output: outputSchema,
  examples: [
    {
      description: 'Active users who have not signed in for 90 days, except the exempt ones',
      with: { state: 'ACTIVATED', inactive_days: 90, exclude_groups: ['Inactivity Exempt'], exclude_users: ['admin'] },
    },
    { description: 'Contractors in engineering', with: { department: 'Engineering', employee_type: 'Contractor' } },
  ],
  async run(ctx, p) {
    const output = await find(ctx, openJumpCloud(ctx, connectionOf(p), { readOnly: true }), p);
    return { changed: false, output, summary: summaryOf(output) };
  },
  async plan(ctx, p) {
    // Reading is safe in a plan, and the plan must name exactly who the steps after it act on.
    const output = await find(ctx, openJumpCloud(ctx, connectionOf(p), { readOnly: true }), p);
    return {
      changes: output.users.map((u) => ({ target: `user "${u.username}" (${u.id})`, operation: 'find', result: 'reported' as const, note: noteOf(u) })),
      output,
      summary: summaryOf(output),
    };
  },
});

function noteOf(user: FoundUser): string {
  const last = user.last_authentication === null ? 'no authentication on record' : `last authenticated ${user.last_authentication} (${user.last_authentication_via ?? ''})`;
  const inactive = user.inactive_for_days === undefined ? '' : `; inactive for ${user.last_authentication === null ? 'at least ' : ''}${user.inactive_for_days} days`;
  return `${user.state}; ${last}${inactive}`;
}
