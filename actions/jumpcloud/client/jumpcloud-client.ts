import { ConflictError, NotFoundError, PermanentError } from '../../../engine/errors/action-errors.js';
import type {
  Application, DirectoryEvent, GraphAttributes, GraphConnection,
  GraphObjectWithPaths, LdapServer, PushEndpoint, RadiusServer, ResetMfaBody, SshKey, SshKeyCreate, System, SystemGroup,
  SystemUser, SystemUserCreate, SystemUserUpdate, UserAssociationTarget, UserGroup, UserGroupCreate,
} from '../types.js';
import { BatchLookup } from './batch-lookup.js';
import { directoryQueryBody, readSearchAfter, type DirectoryEventsQuery } from './directory-events-query.js';
import { LookupCache } from './name-cache.js';
import type { CallOptions, JumpCloudClientOptions } from './options.js';
import { collect, paginate, type PaginateRequest } from './pagination.js';
import { caseInsensitiveExact } from './search-filter.js';
import { DEFAULT_JUMPCLOUD_URL } from './settings.js';
import { createTransport, type JumpCloudRequest, type JumpCloudResponse, type Transport } from './transport.js';

/** Whether a write changed anything (`false`: the desired state already held). */
export interface ChangeOutcome {
  changed: boolean;
}

/** The traversals of {@link JumpCloudClient.traverseUser}: what a user reaches, directly or through groups. */
export type UserTraversal = 'systems' | 'systemgroups' | 'applications' | 'ldapservers' | 'radiusservers';

/** The graph types {@link JumpCloudClient.nameOf} can name. */
export type NameableType = 'user' | 'user_group' | 'system' | 'system_group' | 'application' | 'ldap_server' | 'radius_server';

export type { DirectoryEventsQuery } from './directory-events-query.js';

/** The built-in device commands (`/api/systems/{system_id}/command/builtin/{command}`). */
export const BUILTIN_COMMANDS = ['lock', 'restart', 'shutdown', 'erase'] as const;

/** One of {@link BUILTIN_COMMANDS}. */
export type BuiltinCommand = (typeof BUILTIN_COMMANDS)[number];

/** One page of Directory Insights events. */
export interface DirectoryEventsPage {
  events: DirectoryEvent[];
  /** `X-Search_after`: pass it as `searchAfter` to read the next page. */
  searchAfter: Array<string | number> | undefined;
  /** `X-Result-Count` (or the number of events). */
  resultCount: number;
  /** `X-Limit`: the most rows one page can hold. */
  limit: number;
  /** True when the page was full, so more events may follow (JumpCloud: compare X-Result-Count with X-Limit). */
  hasMore: boolean;
}

/**
 * A typed JumpCloud API client: one method per operation the offboarding needs (contract §2–§8).
 *
 * @remarks
 * Every method takes an optional last {@link CallOptions} (its `signal` stops the call, in
 * flight or while waiting to retry). Failures are the engine's typed errors: `NotFoundError`
 * (404), `ConflictError` (409), `PermanentError` (400, 401, 403, bad arguments),
 * `TransientError` (429, 5xx, network, after the client's own retries), `CancelledError`.
 * Writes that may find the desired state already in place return {@link ChangeOutcome} instead
 * of failing: a DELETE answered 404, an add answered 409 "Already Exists", a remove answered 404.
 */
export interface JumpCloudClient {
  /** The base URL requests go to. */
  readonly baseUrl: string;
  /** The organisation sent as `x-org-id`, if any. */
  readonly orgId: string | undefined;

  /** `GET /api/systemusers/{id}`. @throws NotFoundError when there is no such user. */
  getUser(id: string, options?: CallOptions): Promise<SystemUser>;
  /**
   * Users with this username (exact) and/or email (case-insensitive), via one `POST
   * /api/search/systemusers`; each match is re-checked here. Usually zero or one user.
   * With `match: 'any'` a user matching either criterion is returned (one search with an `or`
   * filter, e.g. to find a user by an identifier that may be a username or an email); the
   * default `'all'` requires both.
   * @throws PermanentError when neither is given.
   */
  findUsers(criteria: { username?: string; email?: string; match?: 'all' | 'any' }, options?: CallOptions): Promise<SystemUser[]>;
  /** Every user of the organisation, paged (`GET /api/systemusers`). */
  listUsers(options?: CallOptions & { filter?: readonly string[] }): Promise<SystemUser[]>;
  /** `PUT /api/systemusers/{id}` with the given fields. */
  updateUser(id: string, patch: SystemUserUpdate, options?: CallOptions): Promise<SystemUser>;
  /** Suspends: `PUT {state: 'SUSPENDED', suspended: true}` (what JumpCloud's PowerShell module sends). */
  suspendUser(id: string, options?: CallOptions): Promise<SystemUser>;
  /** Restores a suspended user: `PUT {state: 'ACTIVATED', suspended: false}`. */
  activateUser(id: string, options?: CallOptions): Promise<SystemUser>;
  /** `POST /api/systemusers/{id}/unlock`: clears the lockout after too many failed logins. */
  unlockUser(id: string, options?: CallOptions): Promise<void>;
  /**
   * `POST /api/systemusers/{id}/state/activate`: a `STAGED` user becomes `ACTIVATED`. `email`
   * as JumpCloud reads it: absent (its default welcome or activation email), `false` (none), or an
   * address to send it to instead.
   */
  activateStagedUser(id: string, options?: CallOptions & { email?: false | string }): Promise<void>;
  /**
   * `DELETE /api/systemusers/{id}`, with `cascade_manager` when given (`'null'` clears the
   * manager of the user's reports; a user id makes that user their manager).
   * @returns `{ changed: false }` when the user was already gone (404).
   */
  deleteUser(id: string, options?: CallOptions & { cascadeManager?: 'null' | string }): Promise<ChangeOutcome & { user?: SystemUser }>;
  /** `POST /api/systemusers/{id}/resetmfa`: new TOTP key, enrolment restarts (and push endpoints go, with Unified MFA). */
  resetMfa(id: string, body?: ResetMfaBody, options?: CallOptions): Promise<void>;
  /** `POST /api/systemusers/{id}/expire`: the password must be changed at next login. */
  expirePassword(id: string, options?: CallOptions): Promise<void>;

  /** The user groups the user belongs to (`GET /api/v2/users/{id}/memberof`, paged). */
  listUserGroupsOf(userId: string, options?: CallOptions): Promise<GraphObjectWithPaths[]>;
  /** `GET /api/v2/usergroups/{id}` (cached per client; look-ups made together are batched, see {@link JumpCloudClient.nameOf}). */
  getUserGroup(id: string, options?: CallOptions): Promise<UserGroup>;
  /**
   * The user groups named exactly `name` (`GET /api/v2/usergroups?filter=name:eq:…`, every
   * page): re-checked here, so a server that matches loosely never yields another group.
   */
  findUserGroupsByName(name: string, options?: CallOptions): Promise<UserGroup[]>;
  /** `POST /api/v2/usergroups/{groupId}/members` `{op: 'remove', type: 'user', id}`. */
  removeUserFromGroup(groupId: string, userId: string, options?: CallOptions): Promise<ChangeOutcome>;
  /** `POST /api/v2/usergroups/{groupId}/members` `{op: 'add', type: 'user', id}`. */
  addUserToGroup(groupId: string, userId: string, options?: CallOptions): Promise<ChangeOutcome>;

  /** The user's direct edges to one target type (`GET /api/v2/users/{id}/associations?targets=…`, paged). */
  listUserAssociations(userId: string, target: UserAssociationTarget, options?: CallOptions): Promise<GraphConnection[]>;
  /** `POST /api/v2/users/{userId}/associations` `{op: 'add', type, id}` (optionally with edge attributes, e.g. sudo). */
  addUserAssociation(userId: string, type: UserAssociationTarget, id: string, options?: CallOptions & { attributes?: GraphAttributes }): Promise<ChangeOutcome>;
  /** `POST /api/v2/users/{userId}/associations` `{op: 'remove', type, id}`. */
  removeUserAssociation(userId: string, type: UserAssociationTarget, id: string, options?: CallOptions): Promise<ChangeOutcome>;
  /**
   * `POST /api/v2/users/{userId}/associations` `{op: 'update', type, id, attributes}`: changes the
   * attributes (e.g. sudo) of an existing edge. @throws NotFoundError when there is no such edge.
   */
  updateUserAssociation(userId: string, type: UserAssociationTarget, id: string, attributes: GraphAttributes, options?: CallOptions): Promise<void>;
  /** What the user reaches of one kind, with every path (direct or through groups); paged. */
  traverseUser(userId: string, kind: UserTraversal, options?: CallOptions): Promise<GraphObjectWithPaths[]>;

  /** `GET /api/systems/{id}` (cached per client). */
  getSystem(id: string, options?: CallOptions): Promise<System>;
  /**
   * The systems whose display name or hostname is exactly `name` (`GET /api/systems` with
   * `filter[or]` on both, every page): re-checked here, so a loose match never yields another.
   */
  findSystemsByName(name: string, options?: CallOptions): Promise<System[]>;
  /** `GET /api/v2/systemgroups/{id}` (cached per client). */
  getSystemGroup(id: string, options?: CallOptions): Promise<SystemGroup>;
  /** The system groups named exactly `name` (`GET /api/v2/systemgroups?filter=name:eq:…`, every page, re-checked here). */
  findSystemGroupsByName(name: string, options?: CallOptions): Promise<SystemGroup[]>;
  /** The system groups a system belongs to (`GET /api/v2/systems/{id}/memberof`, paged). */
  listSystemGroupsOf(systemId: string, options?: CallOptions): Promise<GraphObjectWithPaths[]>;
  /** `POST /api/v2/systemgroups/{groupId}/members` `{op: 'add', type: 'system', id}`. */
  addSystemToGroup(groupId: string, systemId: string, options?: CallOptions): Promise<ChangeOutcome>;
  /** `POST /api/v2/systemgroups/{groupId}/members` `{op: 'remove', type: 'system', id}`. */
  removeSystemFromGroup(groupId: string, systemId: string, options?: CallOptions): Promise<ChangeOutcome>;
  /**
   * `POST /api/systems/{systemId}/command/builtin/{command}` (201 "Command created"). Never
   * retried: a command is not a state, and a lost answer may mean it was sent. Returns the status
   * and whatever body JumpCloud answered (the documents describe none: undefined when empty).
   */
  runBuiltinCommand(systemId: string, command: BuiltinCommand, options?: CallOptions): Promise<{ status: number; body: unknown }>;
  /** `GET /api/applications/{id}` (cached per client). */
  getApplication(id: string, options?: CallOptions): Promise<Application>;
  /** `GET /api/v2/ldapservers/{id}` (cached per client). */
  getLdapServer(id: string, options?: CallOptions): Promise<LdapServer>;
  /** `GET /api/radiusservers/{id}` (cached per client). */
  getRadiusServer(id: string, options?: CallOptions): Promise<RadiusServer>;
  /**
   * A human name for a graph object (system display name or hostname, application label,
   * group or server name, username), from the cached look-ups; undefined when it no longer exists.
   *
   * @remarks
   * Look-ups by id (this and the `get…` methods of groups, systems, applications and servers)
   * asked for in the same turn of the event loop are read together: one list read per type,
   * `filter=id:in:a|b|c` on v2 lists and `filter[or][N]=_id:$eq:…` on v1 lists, so naming a
   * user's 8 systems costs one call, not 8 (see `batch-lookup.ts`).
   */
  nameOf(type: NameableType, id: string, options?: CallOptions): Promise<string | undefined>;

  /** `GET /api/systemusers/{id}/sshkeys` (a bare array; public keys only). */
  listSshKeys(userId: string, options?: CallOptions): Promise<SshKey[]>;
  /** `POST /api/systemusers/{id}/sshkeys` (a create: never retried). */
  addSshKey(userId: string, key: SshKeyCreate, options?: CallOptions): Promise<SshKey>;
  /** `DELETE /api/systemusers/{userId}/sshkeys/{keyId}`; `{ changed: false }` when the key was already gone. */
  deleteSshKey(userId: string, keyId: string, options?: CallOptions): Promise<ChangeOutcome>;
  /** `GET /api/v2/users/{id}/pushendpoints`. */
  listPushEndpoints(userId: string, options?: CallOptions): Promise<PushEndpoint[]>;
  /** `DELETE /api/v2/users/{userId}/pushendpoints/{id}`; `{ changed: false }` when it was already gone. */
  deletePushEndpoint(userId: string, endpointId: string, options?: CallOptions): Promise<ChangeOutcome>;

  /** `POST /api/systemusers` (a create: never retried). */
  createUser(user: SystemUserCreate, options?: CallOptions): Promise<SystemUser>;
  /** `POST /api/v2/usergroups` (a create: never retried). */
  createUserGroup(group: UserGroupCreate, options?: CallOptions): Promise<UserGroup>;
  /** `POST /api/v2/usergroups/{groupId}/associations` `{op: 'add', type, id}`: binds a resource to a group. */
  addGroupAssociation(groupId: string, type: UserAssociationTarget, id: string, options?: CallOptions & { attributes?: GraphAttributes }): Promise<ChangeOutcome>;

  /** One page of Directory Insights events (`POST /insights/directory/v1/events`). */
  queryDirectoryEvents(query: DirectoryEventsQuery, options?: CallOptions): Promise<DirectoryEventsPage>;

  /** Every item of a list endpoint, exactly once (see {@link paginate}). */
  paginate<T>(request: PaginateRequest<T>): AsyncGenerator<T, void, undefined>;
  /** One raw request through the client's headers, cap, retries and error mapping. */
  request<T = unknown>(request: JumpCloudRequest): Promise<JumpCloudResponse<T>>;
}

const TRAVERSALS: ReadonlySet<string> = new Set<UserTraversal>(['systems', 'systemgroups', 'applications', 'ldapservers', 'radiusservers']);
const ASSOCIATION_TARGETS: ReadonlySet<string> = new Set<UserAssociationTarget>([
  'active_directory', 'application', 'g_suite', 'idp_routing_policy', 'ldap_server', 'office_365', 'password_manager_item', 'radius_server', 'system', 'system_group',
]);
// Directory Insights' documented host for the US data centre; other regions (and emulators)
// serve it from the same host as the rest of the API.
const US_INSIGHTS_URL = 'https://api.jumpcloud.com';
// Rows per Directory Insights page when the query names no limit (documented default).
const DEFAULT_INSIGHTS_LIMIT = 1000;

/**
 * Creates a JumpCloud client. Nothing is sent until a method is called.
 *
 * @example
 * ```ts
 * const settings = resolveJumpCloudSettings(ctx.connections.get('jumpcloud'), process.env, vars.jumpcloud_org_id);
 * const jc = createJumpCloudClient({ ...settings, signal: ctx.signal, logger: ctx.logger });
 * const [user] = await jc.findUsers({ email: 'John.Smith@company.com' });
 * ```
 * @throws PermanentError for a bad base URL (not HTTPS and not loopback), an empty key, or bad options.
 */
export function createJumpCloudClient(options: JumpCloudClientOptions): JumpCloudClient {
  const transport = createTransport(options);
  let insights: Transport | undefined;
  const insightsTransport = (): Transport => {
    insights ??=
      options.insightsBaseUrl === undefined && transport.baseUrl !== DEFAULT_JUMPCLOUD_URL
        ? transport
        : createTransport({ ...options, baseUrl: options.insightsBaseUrl ?? US_INSIGHTS_URL });
    return insights;
  };
  const cache = options.lookupCache ?? new LookupCache();
  const lookups = new BatchLookup(transport, cache);
  const log = transport.logger;

  const call = <T>(request: JumpCloudRequest, callOptions: CallOptions | undefined): Promise<T> =>
    transport.request<T>(withSignal(request, callOptions)).then((response) => response.data);

  const graphOp = async (path: string, body: Record<string, unknown>, what: string, callOptions: CallOptions | undefined): Promise<ChangeOutcome> => {
    try {
      // Graph operations are idempotent (adding an edge twice or removing an absent one leaves
      // the same graph), so they are retried like GETs.
      await transport.request(withSignal({ method: 'POST', path, body, idempotent: true, what }, callOptions));
      return { changed: true };
    } catch (error) {
      if (error instanceof ConflictError && error.code === 'JUMPCLOUD_ALREADY_EXISTS') {
        log.debug(`JumpCloud says ${what} already exists; nothing to change`, { path });
        return { changed: false };
      }
      if (body['op'] === 'remove' && error instanceof NotFoundError) {
        log.debug(`JumpCloud answered 404 to removing ${what}; it is already absent`, { path });
        return { changed: false };
      }
      throw error;
    }
  };

  const deleteIfPresent = async (path: string, what: string, callOptions: CallOptions | undefined, query?: JumpCloudRequest['query']): Promise<ChangeOutcome & { data?: unknown }> => {
    try {
      const data = await call<unknown>({ method: 'DELETE', path, ...(query === undefined ? {} : { query }), what }, callOptions);
      return { changed: true, data };
    } catch (error) {
      if (error instanceof NotFoundError) {
        log.debug(`JumpCloud answered 404 to deleting ${what}; it is already gone`, { path });
        return { changed: false };
      }
      throw error;
    }
  };

  const list = <T>(request: PaginateRequest<T>, callOptions: CallOptions | undefined): Promise<T[]> =>
    collect(transport, { ...request, ...(callOptions?.signal === undefined ? {} : { signal: callOptions.signal }) });

  const expectArray = <T>(data: unknown, where: string): T[] => {
    if (!Array.isArray(data)) {
      throw new PermanentError(`JumpCloud's answer for ${where} is not a JSON array`, { code: 'JUMPCLOUD_BAD_RESPONSE' });
    }
    return data as T[];
  };

  const client: JumpCloudClient = {
    baseUrl: transport.baseUrl,
    orgId: transport.orgId,

    getUser: async (id, callOptions) => {
      const userId = requireId('getUser', 'user id', id);
      return call<SystemUser>({ method: 'GET', path: `/api/systemusers/${enc(userId)}`, what: `user ${userId}` }, callOptions);
    },

    async findUsers(criteria, callOptions) {
      const username = optionalText(criteria?.username);
      const email = optionalText(criteria?.email);
      if (username === undefined && email === undefined) {
        throw new PermanentError('findUsers needs a username or an email to search for', { code: 'INVALID_ARGUMENT' });
      }
      const any = criteria.match === 'any';
      if (criteria.match !== undefined && criteria.match !== 'all' && !any) {
        throw new PermanentError(`findUsers: match must be "all" or "any", got ${JSON.stringify(criteria.match)}`, { code: 'INVALID_ARGUMENT' });
      }
      const expressions: Array<Record<string, unknown>> = [];
      if (username !== undefined) expressions.push({ username });
      if (email !== undefined) expressions.push({ email: caseInsensitiveExact(email) });
      const described = describeCriteria(username, email, any ? 'or' : 'and');
      const found = await list<SystemUser>(
        { path: '/api/search/systemusers', style: 'search', body: { filter: any ? { or: expressions } : { and: expressions } }, what: `users matching ${described}` },
        callOptions,
      );
      // The server interprets the regex; re-check every match so a dialect difference can never
      // widen the result (an offboarding must act on exactly the user that was named).
      const byUsername = (user: SystemUser): boolean => user.username === username;
      const byEmail = (user: SystemUser): boolean => email !== undefined && (user.email ?? '').toLowerCase() === email.toLowerCase();
      const matches = found.filter((user) =>
        any ? byUsername(user) || byEmail(user) : (username === undefined || byUsername(user)) && (email === undefined || byEmail(user)),
      );
      if (matches.length !== found.length) {
        log.warn(`JumpCloud's search for ${described} returned ${found.length - matches.length} user(s) that do not match exactly; they were left out`, {
          returned: found.length,
          kept: matches.length,
        });
      }
      return matches;
    },

    listUsers: async (callOptions) =>
      list<SystemUser>({ path: '/api/systemusers', style: 'v1', ...(callOptions?.filter === undefined ? {} : { query: { filter: callOptions.filter } }), what: 'users' }, callOptions),

    updateUser: async (id, patch, callOptions) => {
      const userId = requireId('updateUser', 'user id', id);
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
        throw new PermanentError('updateUser needs an object of the fields to change', { code: 'INVALID_ARGUMENT' });
      }
      return call<SystemUser>({ method: 'PUT', path: `/api/systemusers/${enc(userId)}`, body: patch, what: `user ${userId}` }, callOptions);
    },

    suspendUser: async (id, callOptions) => client.updateUser(id, { state: 'SUSPENDED', suspended: true }, callOptions),

    activateUser: async (id, callOptions) => client.updateUser(id, { state: 'ACTIVATED', suspended: false }, callOptions),

    async deleteUser(id, callOptions) {
      const userId = requireId('deleteUser', 'user id', id);
      const cascade = callOptions?.cascadeManager;
      if (cascade !== undefined && (typeof cascade !== 'string' || cascade.trim() === '')) {
        throw new PermanentError('deleteUser: cascadeManager must be "null" or a user id', { code: 'INVALID_ARGUMENT' });
      }
      const outcome = await deleteIfPresent(`/api/systemusers/${enc(userId)}`, `user ${userId}`, callOptions, cascade === undefined ? undefined : { cascade_manager: cascade.trim() });
      cache.forget(`user:${userId}`);
      return outcome.changed && isRecord(outcome.data) ? { changed: true, user: outcome.data as unknown as SystemUser } : { changed: outcome.changed };
    },

    async unlockUser(id, callOptions) {
      const userId = requireId('unlockUser', 'user id', id);
      // Unlocking twice leaves the same state as unlocking once, so a lost answer may be retried.
      await call({ method: 'POST', path: `/api/systemusers/${enc(userId)}/unlock`, idempotent: true, what: `user ${userId}` }, callOptions);
    },

    async activateStagedUser(id, callOptions) {
      const userId = requireId('activateStagedUser', 'user id', id);
      const email = callOptions?.email;
      if (email !== undefined && email !== false && (typeof email !== 'string' || !email.includes('@'))) {
        throw new PermanentError(`activateStagedUser: email must be false or an email address, got ${JSON.stringify(email)}`, { code: 'INVALID_ARGUMENT' });
      }
      // Not retried: a lost answer followed by a second request could send a second activation email.
      await call({ method: 'POST', path: `/api/systemusers/${enc(userId)}/state/activate`, body: email === undefined ? {} : { email }, idempotent: false, what: `user ${userId}` }, callOptions);
    },

    async resetMfa(id, body, callOptions) {
      const userId = requireId('resetMfa', 'user id', id);
      // Resetting twice leaves the same state as resetting once, so a lost answer may be retried.
      await call({ method: 'POST', path: `/api/systemusers/${enc(userId)}/resetmfa`, body: body ?? {}, idempotent: true, what: `user ${userId}` }, callOptions);
    },

    async expirePassword(id, callOptions) {
      const userId = requireId('expirePassword', 'user id', id);
      await call({ method: 'POST', path: `/api/systemusers/${enc(userId)}/expire`, idempotent: true, what: `user ${userId}` }, callOptions);
    },

    listUserGroupsOf: async (userId, callOptions) => {
      const id = requireId('listUserGroupsOf', 'user id', userId);
      return list<GraphObjectWithPaths>({ path: `/api/v2/users/${enc(id)}/memberof`, style: 'v2', what: `groups of user ${id}` }, callOptions);
    },

    getUserGroup: async (id, callOptions) => {
      const groupId = requireId('getUserGroup', 'group id', id);
      return lookups.get<UserGroup>('user_group', groupId, callOptions?.signal);
    },

    async findUserGroupsByName(name, callOptions) {
      const found = await list<UserGroup>({ path: '/api/v2/usergroups', style: 'v2', query: { filter: [`name:eq:${name}`] }, what: `user groups named "${name}"` }, callOptions);
      return found.filter((group) => group.name === name);
    },

    removeUserFromGroup: async (groupId, userId, callOptions) => {
      const group = requireId('removeUserFromGroup', 'group id', groupId);
      const user = requireId('removeUserFromGroup', 'user id', userId);
      return graphOp(`/api/v2/usergroups/${enc(group)}/members`, { op: 'remove', type: 'user', id: user }, `membership of user ${user} in group ${group}`, callOptions);
    },

    addUserToGroup: async (groupId, userId, callOptions) => {
      const group = requireId('addUserToGroup', 'group id', groupId);
      const user = requireId('addUserToGroup', 'user id', userId);
      return graphOp(`/api/v2/usergroups/${enc(group)}/members`, { op: 'add', type: 'user', id: user }, `membership of user ${user} in group ${group}`, callOptions);
    },

    listUserAssociations: async (userId, target, callOptions) => {
      const id = requireId('listUserAssociations', 'user id', userId);
      checkTarget('listUserAssociations', target);
      return list<GraphConnection>(
        { path: `/api/v2/users/${enc(id)}/associations`, style: 'v2', query: { targets: target }, what: `${target} associations of user ${id}` },
        callOptions,
      );
    },

    addUserAssociation: async (userId, type, id, callOptions) => {
      const user = requireId('addUserAssociation', 'user id', userId);
      checkTarget('addUserAssociation', type);
      const target = requireId('addUserAssociation', `${type} id`, id);
      const body = { op: 'add', type, id: target, ...(callOptions?.attributes === undefined ? {} : { attributes: callOptions.attributes }) };
      return graphOp(`/api/v2/users/${enc(user)}/associations`, body, `association of user ${user} with ${type} ${target}`, callOptions);
    },

    removeUserAssociation: async (userId, type, id, callOptions) => {
      const user = requireId('removeUserAssociation', 'user id', userId);
      checkTarget('removeUserAssociation', type);
      const target = requireId('removeUserAssociation', `${type} id`, id);
      return graphOp(`/api/v2/users/${enc(user)}/associations`, { op: 'remove', type, id: target }, `association of user ${user} with ${type} ${target}`, callOptions);
    },

    updateUserAssociation: async (userId, type, id, attributes, callOptions) => {
      const user = requireId('updateUserAssociation', 'user id', userId);
      checkTarget('updateUserAssociation', type);
      const target = requireId('updateUserAssociation', `${type} id`, id);
      // Setting the same attributes twice leaves the same edge: safe to repeat.
      await transport.request(
        withSignal({ method: 'POST', path: `/api/v2/users/${enc(user)}/associations`, body: { op: 'update', type, id: target, attributes }, idempotent: true, what: `association of user ${user} with ${type} ${target}` }, callOptions),
      );
    },

    traverseUser: async (userId, kind, callOptions) => {
      const id = requireId('traverseUser', 'user id', userId);
      if (!TRAVERSALS.has(kind)) {
        throw new PermanentError(`traverseUser: "${String(kind)}" is not a traversal; use one of ${[...TRAVERSALS].join(', ')}`, { code: 'INVALID_ARGUMENT' });
      }
      return list<GraphObjectWithPaths>({ path: `/api/v2/users/${enc(id)}/${kind}`, style: 'v2', what: `${kind} of user ${id}` }, callOptions);
    },

    getSystem: async (id, callOptions) => {
      const systemId = requireId('getSystem', 'system id', id);
      return lookups.get<System>('system', systemId, callOptions?.signal);
    },

    getSystemGroup: async (id, callOptions) => {
      const groupId = requireId('getSystemGroup', 'system group id', id);
      return lookups.get<SystemGroup>('system_group', groupId, callOptions?.signal);
    },

    async findSystemsByName(name, callOptions) {
      const found = await list<System>(
        { path: '/api/systems', style: 'v1', query: { 'filter[or][0]': `displayName:$eq:${name}`, 'filter[or][1]': `hostname:$eq:${name}` }, what: `systems named "${name}"` },
        callOptions,
      );
      return found.filter((system) => system.displayName === name || system.hostname === name);
    },

    async findSystemGroupsByName(name, callOptions) {
      const found = await list<SystemGroup>({ path: '/api/v2/systemgroups', style: 'v2', query: { filter: [`name:eq:${name}`] }, what: `system groups named "${name}"` }, callOptions);
      return found.filter((group) => group.name === name);
    },

    listSystemGroupsOf: async (systemId, callOptions) => {
      const id = requireId('listSystemGroupsOf', 'system id', systemId);
      return list<GraphObjectWithPaths>({ path: `/api/v2/systems/${enc(id)}/memberof`, style: 'v2', what: `groups of system ${id}` }, callOptions);
    },

    addSystemToGroup: async (groupId, systemId, callOptions) => {
      const group = requireId('addSystemToGroup', 'system group id', groupId);
      const system = requireId('addSystemToGroup', 'system id', systemId);
      return graphOp(`/api/v2/systemgroups/${enc(group)}/members`, { op: 'add', type: 'system', id: system }, `membership of system ${system} in system group ${group}`, callOptions);
    },

    removeSystemFromGroup: async (groupId, systemId, callOptions) => {
      const group = requireId('removeSystemFromGroup', 'system group id', groupId);
      const system = requireId('removeSystemFromGroup', 'system id', systemId);
      return graphOp(`/api/v2/systemgroups/${enc(group)}/members`, { op: 'remove', type: 'system', id: system }, `membership of system ${system} in system group ${group}`, callOptions);
    },

    async runBuiltinCommand(systemId, command, callOptions) {
      const system = requireId('runBuiltinCommand', 'system id', systemId);
      if (!(BUILTIN_COMMANDS as readonly string[]).includes(command)) {
        throw new PermanentError(`runBuiltinCommand: "${String(command)}" is not a built-in command; use one of ${BUILTIN_COMMANDS.join(', ')}`, { code: 'INVALID_ARGUMENT' });
      }
      const response = await transport.request<unknown>(
        withSignal({ method: 'POST', path: `/api/systems/${enc(system)}/command/builtin/${command}`, body: {}, idempotent: false, what: `system ${system}` }, callOptions),
      );
      return { status: response.status, body: response.data };
    },

    getApplication: async (id, callOptions) => {
      const appId = requireId('getApplication', 'application id', id);
      return lookups.get<Application>('application', appId, callOptions?.signal);
    },

    getLdapServer: async (id, callOptions) => {
      const serverId = requireId('getLdapServer', 'LDAP server id', id);
      return lookups.get<LdapServer>('ldap_server', serverId, callOptions?.signal);
    },

    getRadiusServer: async (id, callOptions) => {
      const serverId = requireId('getRadiusServer', 'RADIUS server id', id);
      return lookups.get<RadiusServer>('radius_server', serverId, callOptions?.signal);
    },

    async nameOf(type, id, callOptions) {
      try {
        switch (type) {
          case 'user': {
            const user = await lookups.get<SystemUser>('user', requireId('nameOf', 'user id', id), callOptions?.signal);
            return user.username ?? user.email;
          }
          case 'user_group':
            return (await client.getUserGroup(id, callOptions)).name;
          case 'system': {
            const system = await client.getSystem(id, callOptions);
            return system.displayName ?? system.hostname;
          }
          case 'system_group':
            return (await client.getSystemGroup(id, callOptions)).name;
          case 'application': {
            const app = await client.getApplication(id, callOptions);
            return app.displayLabel ?? app.displayName ?? app.name;
          }
          case 'ldap_server':
            return (await client.getLdapServer(id, callOptions)).name;
          case 'radius_server':
            return (await client.getRadiusServer(id, callOptions)).name;
          default:
            throw new PermanentError(`nameOf: cannot name objects of type "${String(type)}"`, { code: 'INVALID_ARGUMENT' });
        }
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },

    async listSshKeys(userId, callOptions) {
      const id = requireId('listSshKeys', 'user id', userId);
      const data = await call<unknown>({ method: 'GET', path: `/api/systemusers/${enc(id)}/sshkeys`, what: `user ${id}` }, callOptions);
      return expectArray<SshKey>(data, `the SSH keys of user ${id}`);
    },

    addSshKey: async (userId, key, callOptions) => {
      const id = requireId('addSshKey', 'user id', userId);
      if (typeof key?.name !== 'string' || key.name.trim() === '' || typeof key.public_key !== 'string' || key.public_key.trim() === '') {
        throw new PermanentError('addSshKey needs both a "name" and a "public_key"', { code: 'INVALID_ARGUMENT' });
      }
      return call<SshKey>({ method: 'POST', path: `/api/systemusers/${enc(id)}/sshkeys`, body: { name: key.name, public_key: key.public_key }, what: `user ${id}` }, callOptions);
    },

    async deleteSshKey(userId, keyId, callOptions) {
      const user = requireId('deleteSshKey', 'user id', userId);
      const key = requireId('deleteSshKey', 'SSH key id', keyId);
      const { changed } = await deleteIfPresent(`/api/systemusers/${enc(user)}/sshkeys/${enc(key)}`, `SSH key ${key} of user ${user}`, callOptions);
      return { changed };
    },

    async listPushEndpoints(userId, callOptions) {
      const id = requireId('listPushEndpoints', 'user id', userId);
      const data = await call<unknown>({ method: 'GET', path: `/api/v2/users/${enc(id)}/pushendpoints`, what: `user ${id}` }, callOptions);
      return expectArray<PushEndpoint>(data, `the push endpoints of user ${id}`);
    },

    async deletePushEndpoint(userId, endpointId, callOptions) {
      const user = requireId('deletePushEndpoint', 'user id', userId);
      const endpoint = requireId('deletePushEndpoint', 'push endpoint id', endpointId);
      const { changed } = await deleteIfPresent(`/api/v2/users/${enc(user)}/pushendpoints/${enc(endpoint)}`, `push endpoint ${endpoint} of user ${user}`, callOptions);
      return { changed };
    },

    createUser: async (user, callOptions) => {
      if (typeof user?.username !== 'string' || user.username.trim() === '' || typeof user.email !== 'string' || user.email.trim() === '') {
        throw new PermanentError('createUser needs a "username" and an "email"', { code: 'INVALID_ARGUMENT' });
      }
      return call<SystemUser>({ method: 'POST', path: '/api/systemusers', body: user, idempotent: false }, callOptions);
    },

    createUserGroup: async (group, callOptions) => {
      if (typeof group?.name !== 'string' || group.name.trim() === '') {
        throw new PermanentError('createUserGroup needs a "name"', { code: 'INVALID_ARGUMENT' });
      }
      return call<UserGroup>({ method: 'POST', path: '/api/v2/usergroups', body: group, idempotent: false }, callOptions);
    },

    addGroupAssociation: async (groupId, type, id, callOptions) => {
      const group = requireId('addGroupAssociation', 'group id', groupId);
      checkTarget('addGroupAssociation', type);
      const target = requireId('addGroupAssociation', `${type} id`, id);
      const body = { op: 'add', type, id: target, ...(callOptions?.attributes === undefined ? {} : { attributes: callOptions.attributes }) };
      return graphOp(`/api/v2/usergroups/${enc(group)}/associations`, body, `association of group ${group} with ${type} ${target}`, callOptions);
    },

    async queryDirectoryEvents(query, callOptions) {
      const body = directoryQueryBody(query);
      const response = await insightsTransport().request<unknown>(
        withSignal({ method: 'POST', path: '/insights/directory/v1/events', body, idempotent: true, what: 'Directory Insights events' }, callOptions),
      );
      const events = expectArray<DirectoryEvent>(response.data ?? [], 'the Directory Insights events query');
      const resultCount = readIntHeader(response.headers, 'x-result-count') ?? events.length;
      const limit = readIntHeader(response.headers, 'x-limit') ?? body.limit ?? DEFAULT_INSIGHTS_LIMIT;
      const searchAfter = readSearchAfter(response.headers.get('x-search_after'));
      const full = limit !== undefined && resultCount >= limit && events.length > 0;
      if (full && searchAfter === undefined) {
        log.warn('Directory Insights returned a full page without a readable X-Search_after header; later events cannot be read', { resultCount, limit });
      }
      return { events, searchAfter, resultCount, limit, hasMore: full && searchAfter !== undefined };
    },

    paginate: (request) => paginate(transport, request),

    request: async (request) => transport.request(request),
  };
  return client;
}

function withSignal(request: JumpCloudRequest, callOptions: CallOptions | undefined): JumpCloudRequest {
  return callOptions?.signal === undefined ? request : { ...request, signal: callOptions.signal };
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

/**
 * Checks an id argument: a non-empty string without whitespace (JumpCloud ids are 24-hex
 * ObjectIds; anything blank is a caller's bug and must not become `/api/systemusers/`).
 */
function requireId(method: string, what: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value.trim())) {
    throw new PermanentError(`${method}: the ${what} must be a non-empty string without spaces, got ${JSON.stringify(value) ?? String(value)}`, { code: 'INVALID_ARGUMENT' });
  }
  return value.trim();
}

function checkTarget(method: string, target: unknown): void {
  if (typeof target !== 'string' || !ASSOCIATION_TARGETS.has(target)) {
    throw new PermanentError(`${method}: "${String(target)}" is not an association target; use one of ${[...ASSOCIATION_TARGETS].join(', ')}`, { code: 'INVALID_ARGUMENT' });
  }
}

function optionalText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new PermanentError(`findUsers: username and email must be strings, got ${typeof value}`, { code: 'INVALID_ARGUMENT' });
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function describeCriteria(username: string | undefined, email: string | undefined, joiner: 'and' | 'or'): string {
  return [username === undefined ? undefined : `username "${username}"`, email === undefined ? undefined : `email "${email}"`].filter((x) => x !== undefined).join(` ${joiner} `);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readIntHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}
