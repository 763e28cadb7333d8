import { badRequest, notFound } from '../http/api-error.js';
import { objectIdParam, pageOf, v1List } from '../http/list-response.js';
import { parseFields, project } from '../http/list-query.js';
import { parseV1Filter } from '../http/query-filters.js';
import type { Router } from '../http/router.js';
import { compileSearchBody } from '../http/search-filter.js';
import { isObjectId } from '../object-id.js';
import type { CascadeManager } from '../org/org-state.js';
import { isPlainObject } from '../org/user-fields.js';
import { isDateTime, userFromCreateBody, userFromUpdateBody } from '../org/user-input.js';

/**
 * v1 system users: list, search, get, create, update, delete, and the per-user actions
 * (`resetmfa`, `expire`, `unlock`, `state/activate`, SSH keys). Shapes: `systemuserslist`, `systemuserreturn`,
 * `systemUsersSearchlist`, `sshkeylist`.
 */
export function addSystemUserRoutes(router: Router): void {
  router.add('GET', '/api/systemusers', ({ state, query }) => {
    if (query.has('search')) {
      // The encoding of v1's `search` query object is undocumented; refusing is better than guessing.
      throw badRequest('the emulator does not support the v1 "search" query parameter (its encoding is undocumented); use POST /api/search/systemusers');
    }
    return v1List([...state.users.values()], query, { filter: parseV1Filter(query), idField: '_id' });
  });

  router.add('POST', '/api/systemusers', ({ state, json, origin }) => {
    const user = state.createUser(userFromCreateBody(state, json()), origin);
    return { status: 200, body: user };
  });

  router.add('GET', '/api/systemusers/:id', ({ state, params, query }) => {
    const user = state.requireUser(objectIdParam(params['id'], 'id'));
    const filter = parseV1Filter(query);
    if (filter !== undefined && !filter(user)) throw notFound(`system user "${user._id}" does not match the filter`);
    return { status: 200, body: project(user, parseFields(query.getAll('fields')), '_id') };
  });

  router.add('PUT', '/api/systemusers/:id', ({ state, params, json, origin }) => {
    const id = objectIdParam(params['id'], 'id');
    const current = state.requireUser(id);
    const { next, passwordChanged } = userFromUpdateBody(state, current, json());
    return { status: 200, body: state.updateUser(id, next, { passwordChanged }, origin) };
  });

  router.add('DELETE', '/api/systemusers/:id', ({ state, params, query, origin }) => {
    const id = objectIdParam(params['id'], 'id');
    return { status: 200, body: state.deleteUser(id, parseCascade(query.get('cascade_manager')), origin) };
  });

  router.add('POST', '/api/search/systemusers', ({ state, json, query }) => {
    const raw = json() ?? {};
    if (!isPlainObject(raw)) throw badRequest('the search body must be a JSON object', [{ field: 'body', description: 'must be an object' }]);
    const filter = compileSearchBody(raw);
    // PowerShell's Get-JCUser asks for 1000 per page here, so the 100 cap of list endpoints is
    // not applied; 1000 is (the real maximum is unconfirmed).
    const { total, page } = pageOf([...state.users.values()], {
      limit: raw['limit'] ?? query.get('limit'),
      skip: raw['skip'] ?? query.get('skip'),
      sort: query.getAll('sort'),
      fields: typeof raw['fields'] === 'string' ? [raw['fields']] : query.getAll('fields'),
      ignoreCase: [],
    }, { filter, idField: '_id', maxLimit: 1000, decorate: (u) => ({ ...u, memberof: state.groupsOfUser(u['_id'] as string) }) });
    return { status: 200, body: { totalCount: total, results: page } };
  });

  router.add('POST', '/api/systemusers/:id/resetmfa', ({ state, params, json, origin }) => {
    const id = objectIdParam(params['id'], 'id');
    state.requireUser(id);
    state.resetMfa(id, resetMfaBody(json()), origin);
    return { status: 200 };
  });

  router.add('POST', '/api/systemusers/:id/expire', ({ state, params, origin }) => {
    state.expirePassword(objectIdParam(params['id'], 'id'), origin);
    return { status: 200 };
  });

  router.add('POST', '/api/systemusers/:id/unlock', ({ state, params, origin }) => {
    state.unlockUser(objectIdParam(params['id'], 'id'), origin);
    return { status: 200 };
  });

  router.add('POST', '/api/systemusers/:id/state/activate', ({ state, params, json, origin }) => {
    const id = objectIdParam(params['id'], 'id');
    state.requireUser(id);
    activateBody(json());
    state.activateStagedUser(id, origin);
    return { status: 200 };
  });

  router.add('GET', '/api/systemusers/:id/sshkeys', ({ state, params }) => {
    return { status: 200, body: state.requireUser(objectIdParam(params['id'], 'id')).ssh_keys };
  });

  router.add('POST', '/api/systemusers/:id/sshkeys', ({ state, params, json, origin }) => {
    const id = objectIdParam(params['id'], 'id');
    state.requireUser(id);
    const body = json();
    if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object with name and public_key');
    const violations = ['name', 'public_key']
      .filter((f) => typeof body[f] !== 'string' || (body[f] as string).trim() === '')
      .map((field) => ({ field, description: 'required string' }));
    if (violations.length === 0 && !/^\S+ \S+/.test(body['public_key'] as string)) violations.push({ field: 'public_key', description: 'must be an OpenSSH public key ("<type> <base64> [comment]")' });
    if (violations.length > 0) throw badRequest(violations.map((v) => `${v.field} ${v.description}`).join('; '), violations);
    return { status: 200, body: state.addSshKey(id, { name: body['name'] as string, public_key: body['public_key'] as string }, origin) };
  });

  router.add('DELETE', '/api/systemusers/:systemuser_id/sshkeys/:id', ({ state, params, origin }) => {
    state.removeSshKey(objectIdParam(params['systemuser_id'], 'systemuser_id'), objectIdParam(params['id'], 'id'), origin);
    return { status: 200 };
  });
}

/** `cascade_manager`: absent, the literal `null`, or a user id. */
function parseCascade(value: string | null): CascadeManager {
  if (value === null) return { mode: 'none' };
  if (value === 'null') return { mode: 'clear' };
  if (isObjectId(value)) return { mode: 'reassign', managerId: value };
  throw badRequest(`cascade_manager must be "null" or a user id, not "${value}"`, [{ field: 'cascade_manager', description: 'must be "null" or a 24-character user id' }]);
}

/** The optional `resetmfa` body: `{ exclusion?, exclusionDays? (≥ 1), exclusionUntil? (date-time) }`. */
function resetMfaBody(body: unknown): { exclusion?: boolean; exclusionDays?: number; exclusionUntil?: string } {
  if (body === undefined) return {};
  if (!isPlainObject(body)) throw badRequest('the resetmfa body must be a JSON object', [{ field: 'body', description: 'must be an object' }]);
  const violations = [];
  const { exclusion, exclusionDays, exclusionUntil } = body;
  if (exclusion !== undefined && typeof exclusion !== 'boolean') violations.push({ field: 'exclusion', description: 'must be true or false' });
  if (exclusionDays !== undefined && (typeof exclusionDays !== 'number' || exclusionDays < 1)) violations.push({ field: 'exclusionDays', description: 'must be a number of at least 1' });
  if (exclusionUntil !== undefined && !isDateTime(exclusionUntil)) violations.push({ field: 'exclusionUntil', description: 'must be an RFC 3339 date-time' });
  if (violations.length > 0) throw badRequest(violations.map((v) => `${v.field} ${v.description}`).join('; '), violations);
  return {
    ...(typeof exclusion === 'boolean' ? { exclusion } : {}),
    ...(typeof exclusionDays === 'number' ? { exclusionDays } : {}),
    ...(typeof exclusionUntil === 'string' ? { exclusionUntil } : {}),
  };
}

/**
 * The optional `state/activate` body: `{ email? }`. The spec types `email` as a string, its
 * description also sends `true` and `false` (send or suppress the welcome or activation email),
 * so all three are accepted. The emulator sends no email either way.
 */
function activateBody(body: unknown): void {
  if (body === undefined) return;
  if (!isPlainObject(body)) throw badRequest('the activate body must be a JSON object', [{ field: 'body', description: 'must be an object' }]);
  const email = body['email'];
  if (email === undefined || typeof email === 'boolean') return;
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw badRequest('email must be true, false or an email address', [{ field: 'email', description: 'must be true, false or an email address' }]);
  }
}
