import { NotFoundError } from '../../../engine/errors/action-errors.js';
import type { JumpCloudClient, NameableType, UserTraversal } from '../client/jumpcloud-client.js';
import type { GraphAttributes, GroupMembershipMethod, UserAssociationTarget } from '../types.js';
import { byName, kindLabel, nameAll, UNNAMED, type NamedRef } from './names.js';
import type { UserSnapshot } from './user-snapshot.js';

/** A user group the user is a member of. */
export interface Membership extends NamedRef {
  /** `STATIC`, `NOTSET` or one of the `DYNAMIC_*` methods. */
  membership_method: GroupMembershipMethod;
  /** True for `DYNAMIC_*` groups: their members follow a rule and cannot be removed by hand. */
  dynamic: boolean;
}

/** The resource types the offboarding unbinds directly (and can name). */
export type EdgeTarget = UserAssociationTarget & NameableType;

/** A direct edge from the user to a resource (what `…/associations?targets=` lists). */
export interface DirectEdge extends NamedRef {
  type: EdgeTarget;
  /** Edge attributes, e.g. sudo on a system. */
  attributes?: GraphAttributes | null;
}

/** Access to a resource that comes through a user group (a traversal path longer than one edge). */
export interface GroupAccess {
  object: NamedRef;
  group: NamedRef & { dynamic: boolean };
  /** The hops after the group, by name (e.g. a system group between the group and a system). */
  through: string[];
}

/** Everything one traversal says about a resource the user reaches. */
export interface ReachedObject extends NamedRef {
  /** True when one of its paths is a single edge (a direct binding). */
  direct: boolean;
  /** Each path, as the names of its hops (the last hop is the object itself). */
  paths: string[][];
}

/** The graph type behind each traversal. */
export const TRAVERSAL_TYPES: Readonly<Record<UserTraversal, NameableType>> = {
  systems: 'system',
  systemgroups: 'system_group',
  applications: 'application',
  ldapservers: 'ldap_server',
  radiusservers: 'radius_server',
};

/**
 * The traversal that lists each kind of direct edge: a direct binding is a path of one edge in
 * it (`GET /api/v2/users/{id}/systems` lists direct and inherited systems with their paths), so
 * the edges need no `…/associations?targets=` read of their own.
 */
export const EDGE_TRAVERSALS: Readonly<Record<EdgeTarget, UserTraversal>> = {
  system: 'systems',
  system_group: 'systemgroups',
  application: 'applications',
  ldap_server: 'ldapservers',
  radius_server: 'radiusservers',
};

const DYNAMIC_METHODS: ReadonlySet<string> = new Set(['DYNAMIC_AUTOMATED', 'DYNAMIC_REVIEW_REQUIRED']);

/** True for a rule-driven group (`DYNAMIC_AUTOMATED`, `DYNAMIC_REVIEW_REQUIRED`). */
function isDynamicMethod(method: string | undefined): boolean {
  return method !== undefined && DYNAMIC_METHODS.has(method);
}

/**
 * The user groups the user belongs to (every page of `memberof`, from the snapshot), each named
 * and with its membership method, through the client's cached group look-ups; by name.
 */
export async function readMemberships(client: JumpCloudClient, snapshot: UserSnapshot): Promise<Membership[]> {
  const groups = await snapshot.memberships(client);
  return (await Promise.all(groups.map((group) => describeGroup(client, group.id)))).sort(byName);
}

/** One user group by id, named, with its membership method (`NOTSET` when it vanished). */
async function describeGroup(client: JumpCloudClient, groupId: string): Promise<Membership> {
  try {
    const group = await client.getUserGroup(groupId);
    const method: GroupMembershipMethod = group.membershipMethod ?? 'NOTSET';
    return { id: groupId, name: group.name || UNNAMED, membership_method: method, dynamic: isDynamicMethod(method) };
  } catch (error) {
    if (error instanceof NotFoundError) return { id: groupId, name: UNNAMED, membership_method: 'NOTSET', dynamic: false };
    throw error;
  }
}

/**
 * The user's direct edges to one kind of resource, each named, with the edge's attributes (e.g.
 * sudo on a system); by name. They are the one-edge paths of the kind's traversal (from the
 * snapshot), so reading them costs nothing once the traversal is read.
 */
export async function readDirectEdges(client: JumpCloudClient, snapshot: UserSnapshot, target: EdgeTarget): Promise<DirectEdge[]> {
  const edges: Array<{ id: string; attributes: GraphAttributes | null | undefined }> = [];
  const seen = new Set<string>();
  for (const object of await snapshot.reached(client, EDGE_TRAVERSALS[target])) {
    const edge = (object.paths ?? []).find((path) => path.length === 1 && path[0]?.to.type === target && path[0].to.id === object.id)?.[0];
    if (edge === undefined || seen.has(object.id)) continue;
    seen.add(object.id);
    edges.push({ id: object.id, attributes: edge.attributes });
  }
  const names = await nameAll(client, target, edges.map((edge) => edge.id));
  return edges.map((edge) => ({
    id: edge.id,
    name: names.get(edge.id) ?? UNNAMED,
    type: target,
    ...(edge.attributes === undefined ? {} : { attributes: edge.attributes }),
  })).sort(byName);
}

/**
 * What the user reaches of one kind (every page of the traversal, from the snapshot), with each path by name.
 * Hop names come from the cached look-ups; hops of kinds that cannot be named are shown by type and id.
 */
export async function readReached(client: JumpCloudClient, snapshot: UserSnapshot, traversal: UserTraversal): Promise<ReachedObject[]> {
  const objects = await snapshot.reached(client, traversal);
  const [names, label] = await Promise.all([
    nameAll(client, TRAVERSAL_TYPES[traversal], objects.map((o) => o.id)),
    labelHops(client, objects.flatMap((object) => (object.paths ?? []).flat().map((hop) => hop.to))),
  ]);
  return objects.map((object) => ({
    id: object.id,
    name: names.get(object.id) ?? UNNAMED,
    direct: (object.paths ?? []).some((path) => path.length <= 1),
    paths: (object.paths ?? []).map((path) => path.map((hop) => label(hop.to))),
  })).sort(byName);
}

/**
 * Access to resources of one kind that comes through user groups: every traversal path whose
 * first hop is a user group, one entry per (resource, group). Removing the group membership
 * ends it, so the removal steps report it rather than count it.
 */
export async function readGroupAccess(client: JumpCloudClient, snapshot: UserSnapshot, traversal: UserTraversal): Promise<GroupAccess[]> {
  const objects = await snapshot.reached(client, traversal);
  const pairs = new Map<string, { objectId: string; groupId: string; through: GraphHop[] }>();
  for (const object of objects) {
    for (const path of object.paths ?? []) {
      const first = path[0];
      if (path.length <= 1 || first === undefined || first.to.type !== 'user_group') continue;
      const key = `${object.id}\u0000${first.to.id}`;
      if (!pairs.has(key)) pairs.set(key, { objectId: object.id, groupId: first.to.id, through: path.slice(1, -1).map((hop) => hop.to) });
    }
  }
  if (pairs.size === 0) return [];
  const found = [...pairs.values()];
  const [objectNames, groups, label] = await Promise.all([
    nameAll(client, TRAVERSAL_TYPES[traversal], found.map((p) => p.objectId)),
    Promise.all([...new Set(found.map((p) => p.groupId))].map(async (id) => [id, await describeGroup(client, id)] as const)).then((entries) => new Map(entries)),
    labelHops(client, found.flatMap((p) => p.through)),
  ]);
  return found.map((pair) => {
    const group = groups.get(pair.groupId) as Membership;
    return {
      object: { id: pair.objectId, name: objectNames.get(pair.objectId) ?? UNNAMED },
      group: { id: group.id, name: group.name, dynamic: group.dynamic },
      through: pair.through.map(label),
    };
  }).sort((a, b) => byName(a.object, b.object) || byName(a.group, b.group));
}

/** One hop of a traversal path: the object it reaches. */
interface GraphHop {
  id: string;
  type: string;
}

/**
 * Names the hops of traversal paths for humans, with one cached look-up per object: a function
 * giving `system group "Web"`, or `g_suite 64a0…` for kinds that cannot be named.
 */
async function labelHops(client: JumpCloudClient, hops: readonly GraphHop[]): Promise<(hop: GraphHop) => string> {
  const idsByType = new Map<NameableType, string[]>();
  for (const hop of hops) {
    const type = nameableType(hop.type);
    if (type !== undefined) idsByType.set(type, [...(idsByType.get(type) ?? []), hop.id]);
  }
  const names = new Map<string, string>();
  await Promise.all(
    [...idsByType].map(async ([type, ids]) => {
      for (const [id, name] of await nameAll(client, type, ids)) names.set(`${type}:${id}`, name);
    }),
  );
  return (hop) => {
    const type = nameableType(hop.type);
    return type === undefined ? `${hop.type} ${hop.id}` : `${kindLabel(type)} "${names.get(`${type}:${hop.id}`) ?? UNNAMED}"`;
  };
}

const NAMEABLE: ReadonlySet<string> = new Set<NameableType>(['user', 'user_group', 'system', 'system_group', 'application', 'ldap_server', 'radius_server']);

function nameableType(type: string): NameableType | undefined {
  return NAMEABLE.has(type) ? (type as NameableType) : undefined;
}
