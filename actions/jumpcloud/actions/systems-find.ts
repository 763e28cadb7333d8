import { AmbiguousError, NotFoundError, PermanentError } from '../../../engine/errors/action-errors.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../../engine/plugin-api/json-schema.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import { isJumpCloudId } from '../client/object-id.js';
import type { GraphConnection, GraphObjectWithPaths, System, SystemGroup, SystemUser } from '../types.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, refListProperty } from './common-params.js';
import { checkWindow, dateBoundProperty, daysBefore, daysSince, parseDateBound } from './find-params.js';
import { byName, plural } from './names.js';
import { readUserIfExists } from './read-user.js';
import { compareVersions, versionParts } from './version-compare.js';

const ACTION_ID = 'jumpcloud.systems.find';

const params = {
  type: 'object',
  description: 'Systems (devices) matching the filters, for a foreach.',
  properties: {
    os_family: { ...refListProperty, minItems: 1, description: 'Only systems of these OS families (osFamily: darwin, windows, linux, ...).' },
    os: { type: 'string', minLength: 1, description: 'Only systems with this OS name (os, exact), e.g. "Mac OS X".' },
    os_below: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { type: 'string', pattern: '^\\d+(\\.\\d+)*$' },
      description: 'Systems whose OS version is below the minimum given for their family, compared numerically, e.g. {"darwin": "14.0", "windows": "10.0.22631"}. Families not listed never match.',
    },
    not_seen_days: { type: 'integer', minimum: 1, maximum: 3650, description: 'Systems that have not checked in (lastContact) for this many days, or never.' },
    disk_encryption: { type: 'string', enum: ['off', 'on'], description: 'off: systems whose agent does not report full disk encryption as active (fde.active); on: those that do.' },
    policy_failing: { type: 'boolean', description: 'true: systems with at least one policy whose last result failed (named in matched.policy_failing).' },
    match: {
      type: 'string',
      enum: ['all', 'any'],
      default: 'all',
      description: 'How the conditions os_below, not_seen_days, disk_encryption and policy_failing combine: all must hold, or any one (a compliance check). The other filters always all apply.',
    },
    bound_to_user: { type: 'string', minLength: 1, pattern: '\\S', description: 'Only systems this user (id, username or email) is bound to, directly or through groups.' },
    in_group: { ...refListProperty, minItems: 1, description: 'Only systems in one of these system groups, each by id or exact name.' },
    added_after: { ...dateBoundProperty, description: 'Only systems added (created) after this date (2026-01-31) or time.' },
    added_before: { ...dateBoundProperty, description: 'Only systems added before this date or time.' },
    ...connectionProperties,
  },
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** A user bound to a found system. */
export interface BoundUser {
  id: string;
  username: string;
  email: string;
  manager_id: string | null;
}

/** Which filters a system matched, and with what values. */
export interface SystemMatch {
  os_family?: string;
  os?: string;
  os_below?: { family: string; minimum: string; version: string };
  not_seen_days?: { last_contact: string | null; days: number | null };
  disk_encryption?: { active: boolean; keyPresent: boolean };
  policy_failing?: Array<{ policy_id: string; policy: string; detail: string }>;
  bound_to_user?: { id: string; username: string };
  in_group?: Array<{ id: string; name: string }>;
  added?: string;
}

/** One system found. */
export interface FoundSystem {
  id: string;
  display_name: string;
  hostname: string;
  os: string;
  os_family: string;
  version: string;
  last_contact: string | null;
  created: string | null;
  fde: { active: boolean; keyPresent: boolean };
  users: BoundUser[];
  matched: SystemMatch;
}

/** What `jumpcloud.systems.find` returns. */
export interface SystemsFindOutput {
  count: number;
  systems: FoundSystem[];
  criteria: Record<string, unknown>;
}

const outputSchema = {
  type: 'object',
  properties: {
    count: { type: 'integer' },
    systems: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' }, display_name: { type: 'string' }, hostname: { type: 'string' }, os: { type: 'string' }, os_family: { type: 'string' }, version: { type: 'string' },
          last_contact: { type: ['string', 'null'] }, created: { type: ['string', 'null'] },
          fde: { type: 'object', properties: { active: { type: 'boolean' }, keyPresent: { type: 'boolean' } }, required: ['active', 'keyPresent'], additionalProperties: false },
          users: {
            type: 'array',
            items: { type: 'object', properties: { id: { type: 'string' }, username: { type: 'string' }, email: { type: 'string' }, manager_id: { type: ['string', 'null'] } }, required: ['id', 'username', 'email', 'manager_id'], additionalProperties: false },
          },
          matched: { type: 'object', description: 'Which filters matched, with the values that made them match.' },
        },
        required: ['id', 'display_name', 'hostname', 'os', 'os_family', 'version', 'last_contact', 'created', 'fde', 'users', 'matched'],
        additionalProperties: false,
      },
    },
    criteria: { type: 'object' },
  },
  required: ['count', 'systems', 'criteria'],
  additionalProperties: false,
} as const;

/** The parameters resolved against JumpCloud. */
interface Scope {
  user: SystemUser | undefined;
  /** Systems the user reaches (when `bound_to_user`). */
  userSystems: Set<string> | undefined;
  groups: Array<{ id: string; name: string }>;
  /** System id → the given groups it is in (when `in_group`). */
  groupMembers: Map<string, Array<{ id: string; name: string }>> | undefined;
  addedAfter: number | undefined;
  addedBefore: number | undefined;
}

async function findUser(client: JumpCloudClient, identifier: string): Promise<SystemUser> {
  const given = identifier.trim();
  const lower = given.toLowerCase();
  const [byId, byName] = await Promise.all([
    isJumpCloudId(lower) ? readUserIfExists(client, lower) : Promise.resolve(undefined),
    client.findUsers(given.includes('@') ? { username: given, email: given, match: 'any' } : { username: given }),
  ]);
  const found = new Map<string, SystemUser>();
  if (byId !== undefined) found.set(byId._id, byId);
  for (const user of byName) found.set(user._id, user);
  if (found.size === 0) throw new NotFoundError(`${ACTION_ID}: bound_to_user "${given}": no JumpCloud user has this id, username or email`, { details: { bound_to_user: given } });
  if (found.size > 1) {
    throw new AmbiguousError(`${ACTION_ID}: bound_to_user "${given}" names more than one JumpCloud user; give the id of the one meant`, [...found.values()].map((u) => `${u.username ?? ''} <${u.email ?? ''}> (${u._id})`));
  }
  return [...found.values()][0] as SystemUser;
}

async function findSystemGroup(client: JumpCloudClient, entry: string, index: number): Promise<{ id: string; name: string }> {
  const given = entry.trim();
  const where = `${ACTION_ID}: in_group[${index}] "${given}"`;
  if (given === '') throw new PermanentError(`${where} is blank`, { code: 'INVALID_PARAMS' });
  let found: SystemGroup[] = [];
  if (isJumpCloudId(given.toLowerCase())) {
    try {
      found = [await client.getSystemGroup(given.toLowerCase())];
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  if (found.length === 0) {
    const listed: SystemGroup[] = [];
    for await (const group of client.paginate<SystemGroup>({ path: '/api/v2/systemgroups', style: 'v2', query: { filter: [`name:eq:${given}`] }, what: `system groups named "${given}"` })) listed.push(group);
    found = listed.filter((g) => g.name === given);
  }
  if (found.length === 0) throw new NotFoundError(`${where}: no JumpCloud system group has this id or name`, { details: { group: given } });
  if (found.length > 1) throw new AmbiguousError(`${where}: more than one JumpCloud system group has this name; give the id of the one meant`, found.map((g) => `${g.name} (${g.id})`));
  const group = found[0] as SystemGroup;
  return { id: group.id, name: group.name };
}

async function resolveScope(client: JumpCloudClient, p: Params): Promise<Scope> {
  const addedAfter = parseDateBound(ACTION_ID, 'added_after', p.added_after);
  const addedBefore = parseDateBound(ACTION_ID, 'added_before', p.added_before);
  checkWindow(ACTION_ID, ['added_after', addedAfter], ['added_before', addedBefore]);
  if (p.bound_to_user !== undefined && p.bound_to_user.trim() === '') throw new PermanentError(`${ACTION_ID}: "bound_to_user" is blank`, { code: 'INVALID_PARAMS' });
  const [user, groups] = await Promise.all([
    p.bound_to_user === undefined ? Promise.resolve(undefined) : findUser(client, p.bound_to_user),
    Promise.all((p.in_group ?? []).map((entry, i) => findSystemGroup(client, entry, i))),
  ]);
  let userSystems: Set<string> | undefined;
  if (user !== undefined) userSystems = new Set((await client.traverseUser(user._id, 'systems')).map((s: GraphObjectWithPaths) => s.id));
  let groupMembers: Map<string, Array<{ id: string; name: string }>> | undefined;
  if (groups.length > 0) {
    groupMembers = new Map();
    const members = await Promise.all(groups.map(async (group) => {
      const systems: string[] = [];
      for await (const edge of client.paginate<GraphConnection>({ path: `/api/v2/systemgroups/${encodeURIComponent(group.id)}/members`, style: 'v2', what: `members of system group "${group.name}"` })) {
        if (edge.to.type === 'system') systems.push(edge.to.id);
      }
      return [group, systems] as const;
    }));
    for (const [group, systems] of members) for (const id of systems) groupMembers.set(id, [...(groupMembers.get(id) ?? []), group]);
  }
  return { user, userSystems, groups: [...new Map(groups.map((g) => [g.id, g])).values()].sort(byName), groupMembers, addedAfter, addedBefore };
}

/** v1 `filter`s for what `GET /api/systems` can match server-side (re-checked on every system). */
function serverFilters(p: Params, scope: Scope): string[] {
  const filters: string[] = [];
  if (p.os_family?.length === 1) filters.push(`osFamily:$eq:${p.os_family[0] as string}`);
  if (p.os !== undefined) filters.push(`os:$eq:${p.os}`);
  if (scope.addedAfter !== undefined) filters.push(`created:$gt:${new Date(scope.addedAfter).toISOString()}`);
  if (scope.addedBefore !== undefined) filters.push(`created:$lt:${new Date(scope.addedBefore).toISOString()}`);
  // Conditions narrow the list server-side only when every one must hold; with "any" each is
  // checked here. not_seen_days always is: a system that never checked in has no lastContact to compare.
  if ((p.match ?? 'all') === 'all') {
    if (p.disk_encryption === 'off') filters.push('fde.active:$ne:true');
    if (p.disk_encryption === 'on') filters.push('fde.active:$eq:true');
    if (p.policy_failing === true) filters.push('policyStats.failed:$gt:0');
  }
  return filters;
}

/** The conditions a system meets, each with its values (policy results read only where needed). */
async function conditions(client: JumpCloudClient, p: Params, system: System, now: number, policyName: (id: string) => Promise<string>): Promise<{ met: SystemMatch; asked: number }> {
  const met: SystemMatch = {};
  let asked = 0;
  if (p.os_below !== undefined) {
    asked++;
    const family = system.osFamily ?? '';
    const minimum = (p.os_below as Record<string, string>)[family];
    const version = versionParts(system.version ?? '');
    const floor = minimum === undefined ? undefined : versionParts(minimum);
    if (minimum !== undefined && version !== undefined && floor !== undefined && compareVersions(version, floor) < 0) met.os_below = { family, minimum, version: system.version ?? '' };
  }
  if (p.not_seen_days !== undefined) {
    asked++;
    const last = typeof system.lastContact === 'string' ? Date.parse(system.lastContact) : Number.NaN;
    if (Number.isNaN(last) || last < daysBefore(now, p.not_seen_days)) {
      met.not_seen_days = { last_contact: typeof system.lastContact === 'string' ? system.lastContact : null, days: Number.isNaN(last) ? null : daysSince(last, now) };
    }
  }
  if (p.disk_encryption !== undefined) {
    asked++;
    const active = system.fde?.active === true;
    if (active === (p.disk_encryption === 'on')) met.disk_encryption = { active, keyPresent: system.fde?.keyPresent === true };
  }
  if (p.policy_failing === true) {
    asked++;
    const stats = system['policyStats'] as { failed?: number } | undefined;
    // Without policyStats the statuses are read to be sure; with them, only when some failed.
    if (stats === undefined || (stats.failed ?? 0) > 0) {
      const failed: Array<{ policy_id: string; policy: string; detail: string }> = [];
      for await (const result of client.paginate<{ id: string; policyID?: string; success?: boolean; state?: string; detail?: string }>({
        path: `/api/v2/systems/${encodeURIComponent(system._id)}/policystatuses`, style: 'v2', query: { filter: ['success:eq:false'] }, what: `policy statuses of system ${system._id}`,
      })) {
        if (result.success === false && result.policyID !== undefined) failed.push({ policy_id: result.policyID, policy: await policyName(result.policyID), detail: result.detail ?? '' });
      }
      if (failed.length > 0) met.policy_failing = failed.sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0));
    }
  }
  return { met, asked };
}

async function find(ctx: ActionContext, client: JumpCloudClient, p: Params): Promise<SystemsFindOutput> {
  const scope = await resolveScope(client, p);
  const now = Date.now();
  const listed: System[] = [];
  const filters = serverFilters(p, scope);
  for await (const system of client.paginate<System>({ path: '/api/systems', style: 'v1', ...(filters.length === 0 ? {} : { query: { filter: filters } }), what: 'systems matching the filters', ...(ctx.signal === undefined ? {} : { signal: ctx.signal }) })) {
    listed.push(system);
  }
  const policies = new Map<string, Promise<string>>();
  const policyName = (id: string): Promise<string> => {
    let name = policies.get(id);
    if (name === undefined) {
      name = client.request<{ name?: string }>({ method: 'GET', path: `/api/v2/policies/${encodeURIComponent(id)}`, what: `policy ${id}` })
        .then((r) => r.data?.name ?? id)
        .catch((error: unknown) => {
          if (error instanceof NotFoundError) return id;
          throw error;
        });
      policies.set(id, name);
    }
    return name;
  };
  const all = (p.match ?? 'all') === 'all';
  const found: Array<{ system: System; matched: SystemMatch }> = [];
  for (const system of listed) {
    const matched = scoped(system, p, scope);
    if (matched === undefined) continue;
    const { met, asked } = await conditions(client, p, system, now, policyName);
    const count = Object.keys(met).length;
    if (asked > 0 && (all ? count < asked : count === 0)) continue;
    found.push({ system, matched: { ...matched, ...met } });
  }
  const users = new Map<string, Promise<SystemUser | undefined>>();
  const userOf = (id: string) => {
    let user = users.get(id);
    if (user === undefined) users.set(id, (user = readUserIfExists(client, id)));
    return user;
  };
  const systems = await Promise.all(found.map(async ({ system, matched }) => foundSystem(system, matched, await boundUsers(client, system._id, userOf))));
  systems.sort((a, b) => byName({ id: a.id, name: a.display_name }, { id: b.id, name: b.display_name }));
  ctx.logger.info(`${ACTION_ID}: ${plural(systems.length, 'system')} match${systems.length === 1 ? 'es' : ''} (${listed.length} listed)`);
  return { count: systems.length, systems, criteria: describeCriteria(p, scope) };
}

/** The scoping filters (always all apply), with what they matched; undefined when one fails. */
function scoped(system: System, p: Params, scope: Scope): SystemMatch | undefined {
  const matched: SystemMatch = {};
  if (p.os_family !== undefined) {
    if (!p.os_family.includes(system.osFamily ?? '')) return undefined;
    matched.os_family = system.osFamily ?? '';
  }
  if (p.os !== undefined) {
    if (system.os !== p.os) return undefined;
    matched.os = p.os;
  }
  const created = typeof system.created === 'string' ? Date.parse(system.created) : Number.NaN;
  if (scope.addedAfter !== undefined || scope.addedBefore !== undefined) {
    if (Number.isNaN(created) || (scope.addedAfter !== undefined && created <= scope.addedAfter) || (scope.addedBefore !== undefined && created >= scope.addedBefore)) return undefined;
    matched.added = system.created as string;
  }
  if (scope.userSystems !== undefined && scope.user !== undefined) {
    if (!scope.userSystems.has(system._id)) return undefined;
    matched.bound_to_user = { id: scope.user._id, username: scope.user.username ?? '' };
  }
  if (scope.groupMembers !== undefined) {
    const groups = scope.groupMembers.get(system._id);
    if (groups === undefined) return undefined;
    matched.in_group = [...groups].sort(byName);
  }
  return matched;
}

async function boundUsers(client: JumpCloudClient, systemId: string, userOf: (id: string) => Promise<SystemUser | undefined>): Promise<BoundUser[]> {
  const ids: string[] = [];
  for await (const reached of client.paginate<GraphObjectWithPaths>({ path: `/api/v2/systems/${encodeURIComponent(systemId)}/users`, style: 'v2', what: `users of system ${systemId}` })) ids.push(reached.id);
  const users = await Promise.all(ids.map(async (id) => [id, await userOf(id)] as const));
  return users
    .filter((entry): entry is readonly [string, SystemUser] => entry[1] !== undefined)
    .map(([id, user]) => ({ id, username: user.username ?? '', email: user.email ?? '', manager_id: typeof user.manager === 'string' && user.manager !== '' ? user.manager : null }))
    .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
}

function foundSystem(system: System, matched: SystemMatch, users: BoundUser[]): FoundSystem {
  return {
    id: system._id,
    display_name: system.displayName ?? system.hostname ?? '',
    hostname: system.hostname ?? '',
    os: system.os ?? '',
    os_family: system.osFamily ?? '',
    version: system.version ?? '',
    last_contact: typeof system.lastContact === 'string' ? system.lastContact : null,
    created: typeof system.created === 'string' ? system.created : null,
    fde: { active: system.fde?.active === true, keyPresent: system.fde?.keyPresent === true },
    users,
    matched,
  };
}

function describeCriteria(p: Params, scope: Scope): Record<string, unknown> {
  return {
    ...(p.os_family === undefined ? {} : { os_family: p.os_family }),
    ...(p.os === undefined ? {} : { os: p.os }),
    ...(p.os_below === undefined ? {} : { os_below: p.os_below }),
    ...(p.not_seen_days === undefined ? {} : { not_seen_days: p.not_seen_days }),
    ...(p.disk_encryption === undefined ? {} : { disk_encryption: p.disk_encryption }),
    ...(p.policy_failing === undefined ? {} : { policy_failing: p.policy_failing }),
    match: p.match ?? 'all',
    ...(scope.user === undefined ? {} : { bound_to_user: { id: scope.user._id, username: scope.user.username ?? '' } }),
    ...(scope.groups.length === 0 ? {} : { in_group: scope.groups }),
    ...(scope.addedAfter === undefined ? {} : { added_after: new Date(scope.addedAfter).toISOString() }),
    ...(scope.addedBefore === undefined ? {} : { added_before: new Date(scope.addedBefore).toISOString() }),
  };
}

function summaryOf(output: SystemsFindOutput): string {
  const names = output.systems.slice(0, 5).map((s) => s.display_name).join(', ');
  return `${plural(output.count, 'system')} found${output.count === 0 ? '' : `: ${names}${output.count > 5 ? ', …' : ''}`}`;
}

/** `jumpcloud.systems.find`: systems (devices) matching filters, with the users bound to each, for a foreach. Read-only. */
export const systemsFindAction = defineAction({
  id: ACTION_ID,
  description:
    'Find JumpCloud systems by OS family, OS version below a minimum, not seen for N days, disk encryption off, failing policies, bound user, system group and date added; each with its bound users and what matched. Changes nothing.',
  params,
  output: outputSchema,
  examples: [
    { description: 'Devices not seen for 30 days', with: { not_seen_days: 30 } },
    {
      description: 'Devices that break the compliance rules',
      with: { match: 'any', disk_encryption: 'off', os_below: { darwin: '14.0', windows: '10.0.22631' }, policy_failing: true },
    },
  ],
  async run(ctx, p) {
    const output = await find(ctx, openJumpCloud(ctx, connectionOf(p), { readOnly: true }).client, p);
    return { changed: false, output, summary: summaryOf(output) };
  },
  async plan(ctx, p) {
    // Reading is safe in a plan, and the plan must name exactly what the steps after it act on.
    const output = await find(ctx, openJumpCloud(ctx, connectionOf(p), { readOnly: true }).client, p);
    return {
      changes: output.systems.map((s) => ({ target: `system "${s.display_name}" (${s.id})`, operation: 'find', result: 'reported' as const, note: `matched ${Object.keys(s.matched).join(', ') || 'no filter'}` })),
      output,
      summary: summaryOf(output),
    };
  },
});
