import type { OrgState } from './org-state.js';
import type { AssociationEdge, EmulatedTargetType } from './records.js';

/** One hop of a path (`GraphConnection` without `from`, which the spec lets clients infer). */
export interface GraphHop {
  attributes?: Record<string, unknown>;
  to: { id: string; type: string };
}

/** `GraphObjectWithPaths`: a reachable object with every path that leads to it. */
export interface GraphObjectWithPaths {
  id: string;
  type: string;
  compiledAttributes: Record<string, unknown>;
  paths: GraphHop[][];
}

/**
 * What a user can reach of one resource type, and how (`GET /api/v2/users/{id}/<targets>`).
 *
 * @remarks
 * Paths follow the spec's description ("each path from this User to the corresponding System;
 * ... all grouping and/or associations that would have to be removed to deprovision"):
 * - `[target]`: a direct binding (one edge, removable with `POST /users/{id}/associations`);
 * - `[system_group, system]`: a direct binding to a system group holding the system;
 * - `[user_group, target]`: access through a user group bound to the target;
 * - `[user_group, system_group, system]`: a user group bound to a system group.
 * Objects appear in the order they are first reached; each path is listed once.
 */
export function traverseFromUser(state: OrgState, userId: string, target: EmulatedTargetType): GraphObjectWithPaths[] {
  const found = new Map<string, GraphObjectWithPaths>();
  const add = (id: string, path: GraphHop[]): void => {
    let entry = found.get(id);
    if (entry === undefined) {
      entry = { id, type: target, compiledAttributes: {}, paths: [] };
      found.set(id, entry);
    }
    entry.paths.push(path);
    entry.compiledAttributes = compile(entry.compiledAttributes, path.at(-1)?.attributes);
  };
  const viaSystemGroups = (prefix: GraphHop[], edges: AssociationEdge[]): void => {
    if (target !== 'system') return;
    for (const edge of edges) {
      if (edge.toType !== 'system_group') continue;
      for (const systemId of state.systemGroupMembers.get(edge.toId) ?? []) {
        add(systemId, [...prefix, hop(edge), { to: { id: systemId, type: 'system' } }]);
      }
    }
  };

  const direct = state.edgesFrom('user', userId);
  for (const edge of direct) if (edge.toType === target) add(edge.toId, [hop(edge)]);
  viaSystemGroups([], direct);
  for (const groupId of state.groupsOfUser(userId)) {
    const viaGroup = state.edgesFrom('user_group', groupId);
    const groupHop: GraphHop = { to: { id: groupId, type: 'user_group' } };
    for (const edge of viaGroup) if (edge.toType === target) add(edge.toId, [groupHop, hop(edge)]);
    viaSystemGroups([groupHop], viaGroup);
  }
  return [...found.values()];
}

/** The user groups a user belongs to (`GET /api/v2/users/{id}/memberof`), each with its one-edge path. */
export function memberOf(state: OrgState, userId: string): GraphObjectWithPaths[] {
  return state.groupsOfUser(userId).map((groupId) => ({
    id: groupId,
    type: 'user_group',
    compiledAttributes: {},
    paths: [[{ to: { id: groupId, type: 'user_group' } }]],
  }));
}

function hop(edge: AssociationEdge): GraphHop {
  return { ...(edge.attributes !== undefined ? { attributes: structuredClone(edge.attributes) } : {}), to: { id: edge.toId, type: edge.toType } };
}

/**
 * Folds one path's attributes into the compiled attributes: `sudo` is granted if any path grants
 * it (with `withoutPassword` likewise), other attributes are merged with the later path winning.
 */
function compile(compiled: Record<string, unknown>, attributes: Record<string, unknown> | undefined): Record<string, unknown> {
  if (attributes === undefined) return compiled;
  const next: Record<string, unknown> = { ...compiled, ...structuredClone(attributes) };
  const before = compiled['sudo'] as { enabled?: boolean; withoutPassword?: boolean } | undefined;
  const added = attributes['sudo'] as { enabled?: boolean; withoutPassword?: boolean } | undefined;
  if (before !== undefined && added !== undefined) {
    next['sudo'] = { enabled: Boolean(before.enabled) || Boolean(added.enabled), withoutPassword: Boolean(before.withoutPassword) || Boolean(added.withoutPassword) };
  }
  return next;
}
