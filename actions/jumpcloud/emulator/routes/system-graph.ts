import { notFound } from '../http/api-error.js';
import { objectIdParam, v2List } from '../http/list-response.js';
import { parseV2Filter } from '../http/query-filters.js';
import type { ApiResponse, Router } from '../http/router.js';
import { BUILTIN_COMMANDS } from '../org/records.js';
import { parseGraphOperation } from './graph-operation.js';

/**
 * v2 system-group membership (`/systemgroups/{group_id}/members`, `GraphOperation-SystemGroup-Member`),
 * the groups a system belongs to (`/systems/{system_id}/memberof`), and v1's built-in device
 * commands (`POST /systems/{system_id}/command/builtin/{erase|lock|restart|shutdown}`, 201 with
 * no body: "Command created").
 */
export function addSystemGraphRoutes(router: Router): void {
  router.add('GET', '/api/v2/systemgroups/:group_id/members', ({ state, params, query }) => {
    const groupId = objectIdParam(params['group_id'], 'group_id');
    state.requireSystemGroup(groupId);
    const members = [...(state.systemGroupMembers.get(groupId) ?? [])].map((id) => ({ to: { id, type: 'system' } }));
    return v2List(members, query, { idField: 'to' });
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
