import { badRequest, notFound, type FieldViolation } from '../http/api-error.js';
import { objectIdParam, v2List } from '../http/list-response.js';
import { parseV2Filter } from '../http/query-filters.js';
import type { ApiRequest, ApiResponse, Router } from '../http/router.js';
import { ASSOCIATION_TARGET_TYPES, isEmulatedTargetType, type MembershipMethod, type UserGroup } from '../org/records.js';
import { isPlainObject } from '../org/user-fields.js';
import { parseGraphOperation, parseTargets } from './graph-operation.js';

const MEMBERSHIP_METHODS: readonly MembershipMethod[] = ['NOTSET', 'STATIC', 'DYNAMIC_REVIEW_REQUIRED', 'DYNAMIC_AUTOMATED'];

/**
 * v2 user groups: list, create, get, delete, members (list, add, remove) and the group's own
 * associations (so access can come "through a group"). Graph POSTs answer 204 with no body.
 */
export function addUserGroupRoutes(router: Router): void {
  router.add('GET', '/api/v2/usergroups', ({ state, query }) => v2List([...state.userGroups.values()], query, { filter: parseV2Filter(query.getAll('filter')), idField: 'id' }));

  router.add('POST', '/api/v2/usergroups', ({ state, json, origin }) => {
    const group = userGroupFromBody(json(), state.newId(), state.organizationId);
    return { status: 201, body: state.createUserGroup(group, origin) };
  });

  router.add('GET', '/api/v2/usergroups/:id', ({ state, params }) => ({ status: 200, body: state.requireUserGroup(objectIdParam(params['id'], 'id')) }));

  // The spec allows 200 with the group or 204; the group is returned, as DELETE /systemusers/{id} returns the user.
  router.add('DELETE', '/api/v2/usergroups/:id', ({ state, params, origin }) => ({ status: 200, body: state.deleteUserGroup(objectIdParam(params['id'], 'id'), origin) }));

  router.add('GET', '/api/v2/usergroups/:group_id/members', ({ state, params, query }) => {
    const groupId = objectIdParam(params['group_id'], 'group_id');
    state.requireUserGroup(groupId);
    const members = [...(state.groupMembers.get(groupId) ?? [])].map((id) => ({ to: { id, type: 'user' } }));
    return v2List(members, query, { idField: 'to' });
  });

  router.add('POST', '/api/v2/usergroups/:group_id/members', ({ state, params, json, origin }) => {
    const groupId = objectIdParam(params['group_id'], 'group_id');
    const group = state.requireUserGroup(groupId);
    const operation = parseGraphOperation(json(), ['user']);
    if (operation.op === 'update') {
      // Memberships carry no attributes in the emulator: an update of an existing one changes nothing.
      if (!state.groupMembers.get(groupId)?.has(operation.id)) throw notFound(`user "${operation.id}" is not a member of user group "${group.name}"`);
      return noContent();
    }
    state.changeMembership(operation.op, groupId, operation.id, origin);
    return noContent();
  });

  router.add('GET', '/api/v2/usergroups/:group_id/associations', ({ state, params, query }) => {
    const groupId = objectIdParam(params['group_id'], 'group_id');
    state.requireUserGroup(groupId);
    return associationList(state.edgesFrom('user_group', groupId), parseTargets(query.getAll('targets'), ASSOCIATION_TARGET_TYPES), query);
  });

  router.add('POST', '/api/v2/usergroups/:group_id/associations', (request) => {
    const groupId = objectIdParam(request.params['group_id'], 'group_id');
    request.state.requireUserGroup(groupId);
    return applyAssociation(request, { type: 'user_group', id: groupId });
  });
}

/** Lists direct edges to the given target types as `GraphConnection`s. */
export function associationList(
  edges: ReadonlyArray<{ toType: string; toId: string; attributes?: Record<string, unknown> }>,
  targets: readonly string[],
  query: URLSearchParams,
): ApiResponse {
  const connections = edges
    .filter((e) => targets.includes(e.toType))
    .map((e) => ({ ...(e.attributes !== undefined ? { attributes: e.attributes } : {}), to: { id: e.toId, type: e.toType } }));
  return v2List(connections, query, { idField: 'to' });
}

/**
 * Applies a `GraphOperation` on a user's or group's associations. Target types the emulator has
 * no objects for (g_suite, office_365, …) can never be found: add/update is 404, remove a no-op.
 */
export function applyAssociation(request: ApiRequest, from: { type: 'user' | 'user_group'; id: string }): ApiResponse {
  const operation = parseGraphOperation(request.json(), ASSOCIATION_TARGET_TYPES);
  if (!isEmulatedTargetType(operation.type)) {
    if (operation.op === 'remove') return noContent();
    throw notFound(`no ${operation.type} with id "${operation.id}" (the emulator holds no ${operation.type} objects)`);
  }
  request.state.changeAssociation(operation.op, from, { type: operation.type, id: operation.id }, operation.attributes, request.origin);
  return noContent();
}

function noContent(): ApiResponse {
  return { status: 204 };
}

/** Checks a `UserGroupPost` body and builds the group. */
function userGroupFromBody(body: unknown, id: string, organizationId: string): UserGroup {
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object with at least "name"', [{ field: 'body', description: 'must be an object' }]);
  const violations: FieldViolation[] = [];
  const name = body['name'];
  if (typeof name !== 'string' || name.trim() === '') violations.push({ field: 'name', description: 'required string' });
  for (const field of ['description', 'email']) if (body[field] !== undefined && typeof body[field] !== 'string') violations.push({ field, description: 'must be a string' });
  const method = body['membershipMethod'];
  if (method !== undefined && !MEMBERSHIP_METHODS.includes(method as MembershipMethod)) violations.push({ field: 'membershipMethod', description: `must be one of ${MEMBERSHIP_METHODS.join(', ')}` });
  for (const field of ['memberQuery', 'attributes']) if (body[field] !== undefined && body[field] !== null && !isPlainObject(body[field])) violations.push({ field, description: 'must be an object' });
  if (body['memberQueryExemptions'] !== undefined && !Array.isArray(body['memberQueryExemptions'])) violations.push({ field: 'memberQueryExemptions', description: 'must be an array' });
  if (body['memberSuggestionsNotify'] !== undefined && typeof body['memberSuggestionsNotify'] !== 'boolean') violations.push({ field: 'memberSuggestionsNotify', description: 'must be true or false' });
  if (violations.length > 0) throw badRequest(violations.map((v) => `${v.field} ${v.description}`).join('; '), violations);
  const group: UserGroup = {
    id,
    name: (name as string).trim(),
    type: 'user_group',
    membershipMethod: (method as MembershipMethod | undefined) ?? 'STATIC',
    organizationObjectId: organizationId,
  };
  for (const field of ['description', 'email', 'memberQuery', 'memberQueryExemptions', 'attributes', 'memberSuggestionsNotify']) {
    if (body[field] !== undefined && body[field] !== null) group[field] = body[field];
  }
  return group;
}
