import { notFound } from '../http/api-error.js';
import { objectIdParam, v2List } from '../http/list-response.js';
import { parseV2Filter } from '../http/query-filters.js';
import type { Router } from '../http/router.js';

/**
 * v2 policies and what applying them to each system reported (`openapi-v2.json`:
 * `Policies_List`, `Policies_Get`, `SystemPolicyStatus_List`): bare arrays with
 * `x-total-count`, `filter`, `limit`, `skip`, `sort`, `fields` as on every v2 list. Policies and
 * their results come from the org file; the API cannot change them here.
 */
export function addPolicyRoutes(router: Router): void {
  router.add('GET', '/api/v2/policies', ({ state, query }) => v2List([...state.policies.values()], query, { filter: parseV2Filter(query.getAll('filter')), idField: 'id' }));
  router.add('GET', '/api/v2/policies/:id', ({ state, params }) => {
    const id = objectIdParam(params['id'], 'id');
    const policy = state.policies.get(id);
    if (policy === undefined) throw notFound(`no policy with id "${id}"`);
    return { status: 200, body: policy };
  });
  router.add('GET', '/api/v2/systems/:id/policystatuses', ({ state, params, query }) => {
    const id = objectIdParam(params['id'], 'system_id');
    if (!state.systems.has(id)) throw notFound(`no system with id "${id}"`);
    return v2List(state.policyResults.get(id) ?? [], query, { filter: parseV2Filter(query.getAll('filter')), idField: 'id' });
  });
}
