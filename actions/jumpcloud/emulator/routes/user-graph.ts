import { notFound } from '../http/api-error.js';
import { objectIdParam, v2List } from '../http/list-response.js';
import { parseV2Filter } from '../http/query-filters.js';
import type { Router } from '../http/router.js';
import { memberOf, traverseFromUser } from '../org/graph-paths.js';
import { ASSOCIATION_TARGET_TYPES, type EmulatedTargetType } from '../org/records.js';
import { parseTargets } from './graph-operation.js';
import { applyAssociation, associationList } from './user-groups.js';

/** Traversal endpoints and the target type each returns. */
const TRAVERSALS: ReadonlyArray<[string, EmulatedTargetType]> = [
  ['systems', 'system'],
  ['systemgroups', 'system_group'],
  ['applications', 'application'],
  ['ldapservers', 'ldap_server'],
  ['radiusservers', 'radius_server'],
];

/** Traversals for directory types the emulator holds no objects of: always empty, but real endpoints. */
const EMPTY_TRAVERSALS = ['directories', 'gsuites', 'office365s', 'activedirectories'];

/**
 * v2 graph endpoints of one user: group memberships (`memberof`), direct associations (list and
 * change), traversals with their `paths`, and push endpoints.
 */
export function addUserGraphRoutes(router: Router): void {
  router.add('GET', '/api/v2/users/:user_id/memberof', ({ state, params, query }) => {
    const userId = objectIdParam(params['user_id'], 'user_id');
    state.requireUser(userId);
    // The spec allows filtering memberof on `object_id` and `type` only.
    const filter = parseV2Filter(query.getAll('filter'));
    const groups = memberOf(state, userId).filter((g) => filter === undefined || filter({ object_id: g.id, type: g.type }));
    return v2List(groups, query, { idField: 'id' });
  });

  router.add('GET', '/api/v2/users/:user_id/associations', ({ state, params, query }) => {
    const userId = objectIdParam(params['user_id'], 'user_id');
    state.requireUser(userId);
    return associationList(state.edgesFrom('user', userId), parseTargets(query.getAll('targets'), ASSOCIATION_TARGET_TYPES), query);
  });

  router.add('POST', '/api/v2/users/:user_id/associations', (request) => {
    const userId = objectIdParam(request.params['user_id'], 'user_id');
    request.state.requireUser(userId);
    return applyAssociation(request, { type: 'user', id: userId });
  });

  for (const [segment, target] of TRAVERSALS) {
    router.add('GET', `/api/v2/users/:user_id/${segment}`, ({ state, params, query }) => {
      const userId = objectIdParam(params['user_id'], 'user_id');
      state.requireUser(userId);
      return v2List(traverseFromUser(state, userId, target), query, { filter: parseV2Filter(query.getAll('filter')), idField: 'id' });
    });
  }
  for (const segment of EMPTY_TRAVERSALS) {
    router.add('GET', `/api/v2/users/:user_id/${segment}`, ({ state, params, query }) => {
      state.requireUser(objectIdParam(params['user_id'], 'user_id'));
      return v2List([], query, { idField: 'id' });
    });
  }

  router.add('GET', '/api/v2/users/:user_id/pushendpoints', ({ state, params }) => {
    const userId = objectIdParam(params['user_id'], 'user_id');
    state.requireUser(userId);
    const endpoints = state.pushEndpoints.get(userId) ?? [];
    // Not paged in the spec (no limit/skip), but the total is sent like every other v2 list's.
    return { status: 200, body: endpoints, headers: { 'x-total-count': String(endpoints.length) } };
  });

  router.add('GET', '/api/v2/users/:user_id/pushendpoints/:push_endpoint_id', ({ state, params }) => {
    const userId = objectIdParam(params['user_id'], 'user_id');
    const user = state.requireUser(userId);
    const endpointId = objectIdParam(params['push_endpoint_id'], 'push_endpoint_id');
    const endpoint = (state.pushEndpoints.get(userId) ?? []).find((p) => p.id === endpointId);
    if (endpoint === undefined) throw notFound(`user "${user.username}" has no push endpoint with id "${endpointId}"`);
    return { status: 200, body: endpoint };
  });

  router.add('DELETE', '/api/v2/users/:user_id/pushendpoints/:push_endpoint_id', ({ state, params, origin }) => {
    const userId = objectIdParam(params['user_id'], 'user_id');
    const endpointId = objectIdParam(params['push_endpoint_id'], 'push_endpoint_id');
    return { status: 200, body: state.removePushEndpoint(userId, endpointId, origin) };
  });
}
