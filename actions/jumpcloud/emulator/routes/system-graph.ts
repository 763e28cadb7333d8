import { notFound } from '../http/api-error.js';
import { objectIdParam, v2List } from '../http/list-response.js';
import { parseV2Filter } from '../http/query-filters.js';
import type { Router } from '../http/router.js';
import { traverseFromUser, type GraphHop, type GraphObjectWithPaths } from '../org/graph-paths.js';
import type { OrgState } from '../org/org-state.js';

/**
 * The graph seen from systems and system groups (`openapi-v2.json`): `GET
 * /api/v2/systems/{system_id}/users` (`SystemTraverseUser_Get`: the users bound to a system,
 * with every path) and `GET /api/v2/systemgroups/{group_id}/members` (`SystemGroupMembers_Get`:
 * the member systems as `GraphConnection`s).
 */
export function addSystemGraphRoutes(router: Router): void {
  router.add('GET', '/api/v2/systems/:system_id/users', ({ state, params, query }) => {
    const id = objectIdParam(params['system_id'], 'system_id');
    if (!state.systems.has(id)) throw notFound(`no system with id "${id}"`);
    return v2List(usersOfSystem(state, id), query, { filter: parseV2Filter(query.getAll('filter')), idField: 'id' });
  });
  router.add('GET', '/api/v2/systemgroups/:group_id/members', ({ state, params, query }) => {
    const id = objectIdParam(params['group_id'], 'group_id');
    if (!state.systemGroups.has(id)) throw notFound(`no system group with id "${id}"`);
    const members = [...(state.systemGroupMembers.get(id) ?? [])].map((systemId) => ({ from: { id, type: 'system_group' }, to: { id: systemId, type: 'system' } }));
    return v2List(members, query, { filter: parseV2Filter(query.getAll('filter')), idField: 'to' });
  });
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
