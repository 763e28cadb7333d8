import { notFound } from '../http/api-error.js';
import { objectIdParam, v1List, v2List } from '../http/list-response.js';
import { parseFields, project } from '../http/list-query.js';
import { parseV1Filter, parseV2Filter } from '../http/query-filters.js';
import type { Router } from '../http/router.js';

/**
 * Read endpoints for the resources users are bound to (the API cannot create these; they come
 * from the org file or `POST /__sandbox/seed`): v1 systems, applications and RADIUS servers
 * (`_id`, `{ totalCount, results }`), v2 system groups and LDAP servers (`id`, bare arrays).
 */
export function addResourceRoutes(router: Router): void {
  router.add('GET', '/api/systems', ({ state, query }) => v1List([...state.systems.values()], query, { filter: parseV1Filter(query), idField: '_id' }));
  router.add('GET', '/api/systems/:id', ({ state, params, query }) => {
    const id = objectIdParam(params['id'], 'id');
    const system = state.systems.get(id);
    if (system === undefined) throw notFound(`no system with id "${id}"`);
    return { status: 200, body: project(system, parseFields(query.getAll('fields')), '_id') };
  });

  router.add('GET', '/api/applications', ({ state, query }) => v1List([...state.applications.values()], query, { filter: parseV1Filter(query), idField: '_id' }));
  router.add('GET', '/api/applications/:id', ({ state, params }) => {
    const id = objectIdParam(params['id'], 'id');
    const application = state.applications.get(id);
    if (application === undefined) throw notFound(`no application with id "${id}"`);
    return { status: 200, body: application };
  });

  router.add('GET', '/api/radiusservers', ({ state, query }) => v1List([...state.radiusServers.values()], query, { filter: parseV1Filter(query), idField: '_id' }));
  router.add('GET', '/api/radiusservers/:id', ({ state, params }) => {
    const id = objectIdParam(params['id'], 'id');
    const server = state.radiusServers.get(id);
    if (server === undefined) throw notFound(`no RADIUS server with id "${id}"`);
    return { status: 200, body: server };
  });

  router.add('GET', '/api/v2/systemgroups', ({ state, query }) => v2List([...state.systemGroups.values()], query, { filter: parseV2Filter(query.getAll('filter')), idField: 'id' }));
  router.add('GET', '/api/v2/systemgroups/:id', ({ state, params }) => {
    const id = objectIdParam(params['id'], 'id');
    const group = state.systemGroups.get(id);
    if (group === undefined) throw notFound(`no system group with id "${id}"`);
    return { status: 200, body: group };
  });

  router.add('GET', '/api/v2/ldapservers', ({ state, query }) => v2List([...state.ldapServers.values()], query, { filter: parseV2Filter(query.getAll('filter')), idField: 'id' }));
  router.add('GET', '/api/v2/ldapservers/:id', ({ state, params }) => {
    const id = objectIdParam(params['id'], 'id');
    const server = state.ldapServers.get(id);
    if (server === undefined) throw notFound(`no LDAP server with id "${id}"`);
    return { status: 200, body: server };
  });
}
