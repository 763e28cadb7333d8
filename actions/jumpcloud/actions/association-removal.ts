import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import type { JumpCloudClient, UserTraversal } from '../client/jumpcloud-client.js';
import { readDirectEdges, readGroupAccess, TRAVERSAL_TYPES, type DirectEdge, type EdgeTarget, type GroupAccess } from './access-snapshot.js';
import { makeChange, settleIntents } from './change-intent.js';
import { changedObjects, objectState, recordReported, type ChangedObject } from './change-tally.js';
import { forEachLimit } from './for-each-limit.js';
import { kindLabel, targetLabel, type NamedRef } from './names.js';
import type { UserSnapshot } from './user-snapshot.js';

/** Removals in flight at once (the client caps requests per organisation anyway). */
export const REMOVAL_CONCURRENCY = 4;

/** Which direct edges one removal step removes, and which traversal shows access through groups. */
export interface AssociationRemovalSpec {
  /** The direct edge types removed, e.g. `system` and `system_group`. */
  targets: readonly EdgeTarget[];
  /** The traversal whose paths through user groups are reported. */
  traversal: UserTraversal;
  /** The change operation, e.g. `unbind`, `revoke`, `remove`. */
  operation: string;
  /** The verb for logs, e.g. `Unbinding`. */
  doing: string;
}

/** What one removal step finds: the direct edges it removes and the access through groups it reports. */
export interface AssociationSnapshot {
  edges: DirectEdge[];
  viaGroups: GroupAccess[];
}

/** One entry of a step's `via_groups` output, under the resource's own key (e.g. `system`). */
export type ViaGroupEntry<K extends string> = { [key in K]: NamedRef } & { group: NamedRef & { dynamic: boolean } };

/**
 * The user's direct edges of the spec's types and the access to them through groups, from the
 * snapshot's traversals (read-only; each traversal is read once, whichever needs it first).
 */
export async function readAssociations(client: JumpCloudClient, snapshot: UserSnapshot, spec: AssociationRemovalSpec): Promise<AssociationSnapshot> {
  const [edgeLists, viaGroups] = await Promise.all([
    Promise.all(spec.targets.map((target) => readDirectEdges(client, snapshot, target))),
    readGroupAccess(client, snapshot, spec.traversal),
  ]);
  return { edges: edgeLists.flat(), viaGroups };
}

/** The change that removes one edge (before: bound; after: not). */
function edgeChange(spec: AssociationRemovalSpec, edge: DirectEdge): Change {
  return {
    target: targetLabel(edge.type, edge),
    operation: spec.operation,
    before: objectState(edge.type, edge, { bound: true, ...(edge.attributes ? { attributes: edge.attributes } : {}) }),
    after: objectState(edge.type, edge, { bound: false }),
  };
}

/** The `reported` note for access through a group. */
function viaGroupChange(spec: AssociationRemovalSpec, access: GroupAccess): Omit<Change, 'result'> {
  const type = TRAVERSAL_TYPES[spec.traversal];
  const through = access.through.length > 0 ? ` via ${access.through.join(', ')}` : '';
  return {
    target: `${targetLabel(type, access.object)} through ${targetLabel('user_group', access.group)}`,
    operation: 'report',
    note: access.group.dynamic
      ? `access through a dynamic group${through}: its rule decides the membership, so it is not removed here (the account is suspended or deleted)`
      : `access through the group${through}: removing the group membership ends it`,
  };
}

/** The changes a plan lists: each edge to remove, then each access through a group, reported. */
export function plannedAssociationChanges(spec: AssociationRemovalSpec, snapshot: AssociationSnapshot): Change[] {
  return [
    ...snapshot.edges.map((edge) => edgeChange(spec, edge)),
    ...snapshot.viaGroups.map((access) => ({ ...viaGroupChange(spec, access), result: 'reported' as const })),
  ];
}

/**
 * Removes every direct edge found, each with a write-ahead intent (see `change-intent.ts`), and
 * marks it gone in the user's snapshot; counts as made an edge an interrupted attempt removed
 * (its intent open, the edge no longer found); and records the access through groups as
 * `reported`. Returns every object this step unbound, across attempts (from `ctx.changes.all()`).
 */
export async function removeAssociations(ctx: ActionContext, client: JumpCloudClient, user: UserSnapshot, spec: AssociationRemovalSpec, found: AssociationSnapshot): Promise<ChangedObject[]> {
  await forEachLimit(found.edges, REMOVAL_CONCURRENCY, async (edge) => {
    ctx.logger.info(`${spec.doing} ${kindLabel(edge.type)} "${edge.name}" (${edge.id}) from user ${user.userId}`);
    await makeChange(ctx, edgeChange(spec, edge), async () => (await client.removeUserAssociation(user.userId, edge.type, edge.id)).changed);
    user.markUnbound(edge.type, edge.id);
  });
  settleIntents(ctx, [spec.operation]);
  for (const access of found.viaGroups) recordReported(ctx, viaGroupChange(spec, access));
  return changedObjects(ctx, [spec.operation]).filter((object) => (spec.targets as readonly string[]).includes(object.type));
}

/** `via_groups` entries under the resource's key (`system`, `application`, `server`). */
export function viaGroupEntries<K extends string>(key: K, viaGroups: readonly GroupAccess[]): Array<ViaGroupEntry<K>> {
  return viaGroups.map((access) => ({ [key]: access.object, group: access.group }) as ViaGroupEntry<K>);
}

/** JSON Schema of a `via_groups` list keyed by `key`. */
export function viaGroupsSchema<K extends string>(key: K) {
  return {
    type: 'array',
    description: 'Access through user groups: reported, not removed by this step (removing the group membership ends it; dynamic groups follow their rule).',
    items: {
      type: 'object',
      properties: {
        [key]: namedRefSchema,
        group: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, dynamic: { type: 'boolean' } }, required: ['id', 'name', 'dynamic'], additionalProperties: false },
      },
      required: [key, 'group'],
      additionalProperties: false,
    },
  } as const;
}

/** JSON Schema of `{ id, name }`. */
export const namedRefSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' } },
  required: ['id', 'name'],
  additionalProperties: false,
} as const;

/** `{ id, name }` of changed objects. */
export function refsOf(objects: readonly ChangedObject[]): NamedRef[] {
  return objects.map(({ id, name }) => ({ id, name }));
}
