import { notFound } from '../http/api-error.js';
import { objectIdParam, v2List } from '../http/list-response.js';
import { parseV2Filter } from '../http/query-filters.js';
import type { ApiResponse, Router } from '../http/router.js';
import { traverseFromUser, type GraphHop, type GraphObjectWithPaths } from '../org/graph-paths.js';
import type { OrgState } from '../org/org-state.js';
import { BUILTIN_COMMANDS } from '../org/records.js';
import { parseGraphOperation } from './graph-operation.js';

/**
 * The graph seen from systems and system groups (`openapi-v2.json`): system-group membership
 * (`/systemgroups/{group_id}/members`: `SystemGroupMembers_Get` as `GraphConnection`s, and
 * `GraphOperation-SystemGroup-Member`), the groups a system belongs to
 * (`/systems/{system_id}/memberof`), the users bound to a system with every path
 * (`/systems/{system_id}/users`, `SystemTraverseUser_Get`), and v1's built-in device commands
 * (`POST /systems/{system_id}/command/builtin/{erase|lock|restart|shutdown}`, 201 with no body:
 * "Command created").
 */
export function addSystemGraphRoutes(router: Router): void {
  router.add('GET', '/api/v2/systemgroups/:group_id/members', ({ state, params, query }) => {
    const groupId = objectIdParam(params['group_id'], 'group_id');
    state.requireSystemGroup(groupId);
    // As a user group's members: the member end only (`from` is optional in `GraphConnection`).
    const members = [...(state.systemGroupMembers.get(groupId) ?? [])].map((systemId) => ({ to: { id: systemId, type: 'system' } }));
    return v2List(members, query, { filter: parseV2Filter(query.getAll('filter')), idField: 'to' });
  });

  router.add('POST', '/api/v2/systemgroups/:group_id/members', ({ state, params, json, origin }) => {
    const groupId = objectIdParam(params['group_id'], 'group_id');
    const group = state.requireSystemGroup(groupId);
    const operation = parseGraphOperation(json(), ['system']);
    if (operation.op === 'update') {
      // Memberships carry no attributes in the emulator: an update of an existing one changes nothing.
      if (!state.systemGroupMembers.get(groupId)?.has(operation.id)) throw notFound(`system "${operation.id}" is not a member of system group "${group.name}"`);
      return noContent();
    }
    state.changeSystemGroupMembership(operation.op, groupId, operation.id, origin);
    return noContent();
  });

  router.add('GET', '/api/v2/systems/:system_id/memberof', ({ state, params, query }) => {
    const systemId = objectIdParam(params['system_id'], 'system_id');
    state.requireSystem(systemId);
    // As for a user's memberof, each group is reached in one hop.
    const groups = state.groupsOfSystem(systemId).map((id) => ({ id, type: 'system_group', compiledAttributes: {}, paths: [[{ to: { id, type: 'system_group' } }]] }));
    const filter = parseV2Filter(query.getAll('filter'));
    return v2List(groups.filter((g) => filter === undefined || filter({ object_id: g.id, type: g.type })), query, { idField: 'id' });
  });

  router.add('GET', '/api/v2/systems/:system_id/users', ({ state, params, query }) => {
    const id = objectIdParam(params['system_id'], 'system_id');
    state.requireSystem(id);
    return v2List(usersOfSystem(state, id), query, { filter: parseV2Filter(query.getAll('filter')), idField: 'id' });
  });

  for (const command of BUILTIN_COMMANDS) {
    router.add('POST', `/api/systems/:system_id/command/builtin/${command}`, ({ state, params }) => {
      state.issueCommand(objectIdParam(params['system_id'], 'system_id'), command);
      return { status: 201 };
    });
  }
}

function noContent(): ApiResponse {
  return { status: 204 };
}

/**
 * The users who reach a system, each with the paths from the system to them: the user's own
 * paths to the system (see {@link traverseFromUser}) walked backwards, so a direct binding is
 * `[user]`, one through a user group `[user_group, user]`, through a system group
 * `[system_group, user]`, and both `[system_group, user_group, user]`.
 */
function usersOfSystem(state: OrgState, systemId: string): GraphObjectWithPaths[] {
  const found: GraphObjectWithPaths[] = [];
  for (const userId of state.users.keys()) {
    const reached = traverseFromUser(state, userId, 'system').find((o) => o.id === systemId);
    if (reached === undefined) continue;
    const paths = reached.paths.map((path): GraphHop[] => [
      ...path.slice(0, -1).reverse().map((h) => ({ to: h.to })),
      { ...(path.at(-1)?.attributes !== undefined ? { attributes: path.at(-1)?.attributes } : {}), to: { id: userId, type: 'user' } },
    ]);
    found.push({ id: userId, type: 'user', compiledAttributes: reached.compiledAttributes, paths });
  }
  return found;
}
