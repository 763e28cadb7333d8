import { alreadyExists, badRequest, conflict, notFound } from '../http/api-error.js';
import { DIRECTORY_EVENT_TYPES, type DirectoryEvent, type EventChange, type EventGraphEnd, type EventResource } from '../events/directory-event.js';
import type { AuthenticationEvent } from '../events/authentication-event.js';
import type { EventLog } from '../events/event-log.js';
import type { ObjectIdFactory } from '../object-id.js';
import { randomUuid, type Random } from '../random.js';
import type {
  Application, AssociationEdge, BuiltinCommand, EmulatedTargetType, IssuedCommand, JcSystem, LdapServer, MfaEnrollmentStatus, Policy, PolicyResult, PushEndpoint, RadiusServer, SshKey,
  SystemGroup, SystemUser, UserGroup, UserMfaEnrollment,
} from './records.js';

/** Where a change came from, for the Directory Insights event it produces. */
export interface ChangeOrigin {
  clientIp: string;
}

/** What to do with a deleted user's direct reports (`cascade_manager`). */
export type CascadeManager = { mode: 'none' } | { mode: 'clear' } | { mode: 'reassign'; managerId: string };

/** Whether an idempotent operation changed anything. */
export type ChangeOutcome = 'changed' | 'unchanged';

/** The settings an {@link OrgState} is created with. */
export interface OrgStateOptions {
  organizationId: string;
  organizationName: string;
  /** The administrator the API key belongs to (the `initiated_by` of every event). */
  admin: { id: string; email: string };
  ids: ObjectIdFactory;
  /** For event ids. */
  random: Random;
  events: EventLog;
  /** Remove of an absent membership or association answers 404 instead of 204. */
  strictRemove: boolean;
}

/** A plain-data copy of the whole organisation (`GET /__sandbox/state`). */
export interface OrgSnapshot {
  organization: { id: string; name: string };
  users: SystemUser[];
  pushEndpoints: Record<string, PushEndpoint[]>;
  usergroups: Array<UserGroup & { members: string[] }>;
  systems: JcSystem[];
  systemgroups: Array<SystemGroup & { members: string[] }>;
  applications: Application[];
  ldapservers: LdapServer[];
  radiusservers: RadiusServer[];
  policies: Policy[];
  /** System id → what each policy applied to it last reported. */
  policyresults: Record<string, PolicyResult[]>;
  associations: AssociationEdge[];
  eventCount: number;
}

const DYNAMIC_METHODS = new Set(['DYNAMIC_AUTOMATED', 'DYNAMIC_REVIEW_REQUIRED']);

/**
 * The emulated organisation: every object, the graph between them, and the operations the API
 * performs on them. Operations that change something record a Directory Insights event; the
 * `insert*` methods used for seeding do not (seeded objects are the starting point, not changes).
 *
 * @remarks
 * Operations throw {@link ApiError}s directly: the emulator is an HTTP API, and each failure has
 * exactly one status code, so a separate domain error layer would only be renamed back.
 */
export class OrgState {
  readonly organizationId: string;
  readonly organizationName: string;
  readonly admin: { id: string; email: string };
  readonly users = new Map<string, SystemUser>();
  readonly pushEndpoints = new Map<string, PushEndpoint[]>();
  readonly userGroups = new Map<string, UserGroup>();
  /** Group id → member user ids, in the order they were added. */
  readonly groupMembers = new Map<string, Set<string>>();
  readonly systems = new Map<string, JcSystem>();
  readonly systemGroups = new Map<string, SystemGroup>();
  /** System group id → member system ids. */
  readonly systemGroupMembers = new Map<string, Set<string>>();
  readonly applications = new Map<string, Application>();
  readonly ldapServers = new Map<string, LdapServer>();
  readonly radiusServers = new Map<string, RadiusServer>();
  /** The built-in commands accepted, oldest first (not part of the snapshot: they change no object). */
  readonly commands: IssuedCommand[] = [];
  readonly policies = new Map<string, Policy>();
  /** System id → its policy results. */
  readonly policyResults = new Map<string, PolicyResult[]>();
  readonly #edges = new Map<string, AssociationEdge>();
  readonly #ids: ObjectIdFactory;
  readonly #random: Random;
  readonly #events: EventLog;
  readonly #strictRemove: boolean;
  /** Every id handed out or seeded; ids are never reused, as on the real service. */
  readonly #usedIds = new Set<string>();
  readonly #usedUnixIds = new Set<number>();
  /** Lowercased unique field value → user id, so uniqueness checks stay O(1) in orgs of 10,000 users. */
  readonly #uniqueIndex = { username: new Map<string, string>(), email: new Map<string, string>(), employeeIdentifier: new Map<string, string>() };
  #nextUnixId = 5000;

  constructor(options: OrgStateOptions) {
    this.organizationId = options.organizationId;
    this.organizationName = options.organizationName;
    this.admin = options.admin;
    this.#ids = options.ids;
    this.#random = options.random;
    this.#events = options.events;
    this.#strictRemove = options.strictRemove;
  }

  // ---------------------------------------------------------------- ids and lookups

  /** A fresh ObjectId no object uses yet. */
  newId(): string {
    for (;;) {
      const id = this.#ids.next();
      if (!this.#usedIds.has(id)) {
        this.#usedIds.add(id);
        return id;
      }
    }
  }

  /** True when any object (of any kind, including SSH keys and push endpoints) has or had this id. */
  isIdTaken(id: string): boolean {
    return this.#usedIds.has(id);
  }

  /** Every id handed out or seeded so far, including those of deleted objects (for the state file). */
  usedIds(): string[] {
    return [...this.#usedIds];
  }

  /** The last POSIX uid/gid handed out (for the state file). */
  get unixIdCursor(): number {
    return this.#nextUnixId;
  }

  /**
   * Marks ids as used and moves the uid/gid cursor, when continuing from a state file: ids of
   * objects deleted in an earlier session must still never be handed out again.
   */
  reserveIds(ids: Iterable<string>, unixIdCursor: number): void {
    for (const id of ids) this.#usedIds.add(id);
    this.#nextUnixId = Math.max(this.#nextUnixId, unixIdCursor);
  }

  /** The next free POSIX uid/gid for a new user. */
  nextUnixId(): number {
    do this.#nextUnixId += 1; while (this.#usedUnixIds.has(this.#nextUnixId));
    return this.#nextUnixId;
  }

  /** The user, or a 404. */
  requireUser(id: string): SystemUser {
    const user = this.users.get(id);
    if (user === undefined) throw notFound(`no system user with id "${id}"`);
    return user;
  }

  /** The user group, or a 404. */
  requireUserGroup(id: string): UserGroup {
    const group = this.userGroups.get(id);
    if (group === undefined) throw notFound(`no user group with id "${id}"`);
    return group;
  }

  /** The system, or a 404. */
  requireSystem(id: string): JcSystem {
    const system = this.systems.get(id);
    if (system === undefined) throw notFound(`no system with id "${id}"`);
    return system;
  }

  /** The system group, or a 404. */
  requireSystemGroup(id: string): SystemGroup {
    const group = this.systemGroups.get(id);
    if (group === undefined) throw notFound(`no system group with id "${id}"`);
    return group;
  }

  /** Ids of the system groups a system is a member of, in group order. */
  groupsOfSystem(systemId: string): string[] {
    return [...this.systemGroupMembers].filter(([, members]) => members.has(systemId)).map(([groupId]) => groupId);
  }

  /** The object a graph target id points at, or undefined. */
  findTarget(type: EmulatedTargetType, id: string): { id: string; name: string } | undefined {
    switch (type) {
      case 'system': { const s = this.systems.get(id); return s && { id, name: s.displayName }; }
      case 'system_group': { const g = this.systemGroups.get(id); return g && { id, name: g.name }; }
      case 'application': { const a = this.applications.get(id); return a && { id, name: a.displayLabel }; }
      case 'ldap_server': { const l = this.ldapServers.get(id); return l && { id, name: l.name }; }
      case 'radius_server': { const r = this.radiusServers.get(id); return r && { id, name: r.name }; }
    }
  }

  /** Users whose `manager` is `managerId`. */
  directReports(managerId: string): SystemUser[] {
    return [...this.users.values()].filter((u) => u.manager === managerId);
  }

  /** Ids of the user groups the user is a member of, in group order. */
  groupsOfUser(userId: string): string[] {
    return [...this.groupMembers].filter(([, members]) => members.has(userId)).map(([groupId]) => groupId);
  }

  /** Direct association edges leaving a user or group, optionally only to one target type. */
  edgesFrom(fromType: 'user' | 'user_group', fromId: string, toType?: EmulatedTargetType): AssociationEdge[] {
    return [...this.#edges.values()].filter((e) => e.fromType === fromType && e.fromId === fromId && (toType === undefined || e.toType === toType));
  }

  /** Every association edge. */
  allEdges(): AssociationEdge[] {
    return [...this.#edges.values()];
  }

  // ---------------------------------------------------------------- seeding (no events)

  /** Adds a user as it is (seeding). */
  insertUser(user: SystemUser): void {
    this.#putUser(user);
    this.#usedIds.add(user._id);
    for (const key of user.ssh_keys) this.#usedIds.add(key._id);
    const uid = user['unix_uid'];
    if (typeof uid === 'number') this.#usedUnixIds.add(uid);
  }

  /** Sets a user's push endpoints as they are (seeding). */
  insertPushEndpoints(userId: string, endpoints: PushEndpoint[]): void {
    this.pushEndpoints.set(userId, endpoints);
    for (const endpoint of endpoints) this.#usedIds.add(endpoint.id);
  }

  /** Adds a system, application, LDAP or RADIUS server as it is (seeding). */
  insertResource(kind: 'system', record: JcSystem): void;
  insertResource(kind: 'application', record: Application): void;
  insertResource(kind: 'ldap_server', record: LdapServer): void;
  insertResource(kind: 'radius_server', record: RadiusServer): void;
  insertResource(kind: 'system' | 'application' | 'ldap_server' | 'radius_server', record: JcSystem | Application | LdapServer | RadiusServer): void {
    const id = '_id' in record ? record._id : record.id;
    this.#usedIds.add(id);
    if (kind === 'system') this.systems.set(id, record as JcSystem);
    else if (kind === 'application') this.applications.set(id, record as Application);
    else if (kind === 'ldap_server') this.ldapServers.set(id, record as LdapServer);
    else this.radiusServers.set(id, record as RadiusServer);
  }

  /** Adds a policy as it is (seeding). */
  insertPolicy(policy: Policy): void {
    this.#usedIds.add(policy.id);
    this.policies.set(policy.id, policy);
  }

  /** Sets a system's policy results as they are (seeding). */
  insertPolicyResults(systemId: string, results: PolicyResult[]): void {
    for (const result of results) this.#usedIds.add(result.id);
    this.policyResults.set(systemId, results);
  }

  /** Adds an authentication of the org's past to Directory Insights (seeding: not a change the API made). */
  insertAuthentication(event: Omit<AuthenticationEvent, 'organization' | '@version' | 'id'>): void {
    this.#events.seed({ ...event, id: randomUuid(this.#random), organization: this.organizationId, '@version': '1' } as AuthenticationEvent);
  }

  /** Adds a user group as it is (seeding). */
  insertUserGroup(group: UserGroup): void {
    this.#usedIds.add(group.id);
    this.userGroups.set(group.id, group);
    if (!this.groupMembers.has(group.id)) this.groupMembers.set(group.id, new Set());
  }

  /** Adds a system group as it is (seeding). */
  insertSystemGroup(group: SystemGroup, members: readonly string[] = []): void {
    this.#usedIds.add(group.id);
    this.systemGroups.set(group.id, group);
    this.systemGroupMembers.set(group.id, new Set(members));
  }

  /** Adds a membership without an event (seeding). */
  insertMembership(groupId: string, userId: string): void {
    this.groupMembers.get(groupId)?.add(userId);
  }

  /** Adds an association edge without an event (seeding). */
  insertEdge(edge: AssociationEdge): void {
    this.#edges.set(edgeKey(edge.fromType, edge.fromId, edge.toType, edge.toId), edge);
  }

  // ---------------------------------------------------------------- users

  /** Creates a user (the record is complete and checked by the caller) and records `user_create`. */
  createUser(user: SystemUser, origin: ChangeOrigin): SystemUser {
    this.assertUnique(user);
    this.insertUser(user);
    this.#record(DIRECTORY_EVENT_TYPES.userCreated, userResource(user), origin);
    return user;
  }

  /** Checks that username, email and employeeIdentifier are unused by other users (case-insensitively). */
  assertUnique(candidate: { _id?: string; username?: unknown; email?: unknown; employeeIdentifier?: unknown }): void {
    for (const field of ['username', 'email', 'employeeIdentifier'] as const) {
      const value = candidate[field];
      if (typeof value !== 'string' || value === '') continue;
      const holder = this.#uniqueIndex[field].get(value.toLowerCase());
      if (holder !== undefined && holder !== candidate._id) throw conflict(`a user with ${field} "${value}" already exists (${holder})`);
    }
  }

  /** Stores a user record and keeps the uniqueness index in step with it. */
  #putUser(user: SystemUser): void {
    const previous = this.users.get(user._id);
    for (const field of ['username', 'email', 'employeeIdentifier'] as const) {
      const before = previous?.[field];
      if (typeof before === 'string' && before !== '') this.#uniqueIndex[field].delete(before.toLowerCase());
      const after = user[field];
      if (typeof after === 'string' && after !== '') this.#uniqueIndex[field].set(after.toLowerCase(), user._id);
    }
    this.users.set(user._id, user);
  }

  /** Forgets a user record and its index entries. */
  #dropUser(user: SystemUser): void {
    for (const field of ['username', 'email', 'employeeIdentifier'] as const) {
      const value = user[field];
      if (typeof value === 'string' && value !== '') this.#uniqueIndex[field].delete(value.toLowerCase());
    }
    this.users.delete(user._id);
  }

  /**
   * Applies an already-checked update to a user and records what changed: `user_suspended`,
   * `user_unsuspended` or `user_activated` for state changes, `user_update` (with `changes`) for
   * the rest, `user_password_change` (with the password dates, never the password) when a password
   * was set. A PUT that changes nothing records nothing.
   */
  updateUser(id: string, next: SystemUser, options: { passwordChanged: boolean }, origin: ChangeOrigin): SystemUser {
    const current = this.requireUser(id);
    this.assertUnique(next);
    const changes = diffRecords(current, next);
    this.#putUser(next);
    const stateFields = new Set(['state', 'suspended', 'activated']);
    const passwordFields = new Set(['password_date', 'password_expired', 'password_expiration_date']);
    const stateChanges = changes.filter((c) => stateFields.has(c.field));
    const passwordChanges = options.passwordChanged ? changes.filter((c) => passwordFields.has(c.field)) : [];
    const otherChanges = changes.filter((c) => !stateFields.has(c.field) && !passwordChanges.includes(c));
    if (current.state !== next.state) {
      const type = next.state === 'SUSPENDED' ? DIRECTORY_EVENT_TYPES.userSuspended
        : current.state === 'SUSPENDED' ? DIRECTORY_EVENT_TYPES.userUnsuspended : DIRECTORY_EVENT_TYPES.userActivated;
      this.#record(type, userResource(next), origin, { changes: stateChanges });
    } else if (stateChanges.length > 0) {
      otherChanges.push(...stateChanges);
    }
    if (otherChanges.length > 0) this.#record(DIRECTORY_EVENT_TYPES.userUpdated, userResource(next), origin, { changes: otherChanges });
    if (options.passwordChanged) this.#record(DIRECTORY_EVENT_TYPES.userPasswordChanged, userResource(next), origin, { changes: passwordChanges });
    return next;
  }

  /**
   * Deletes a user with everything hanging off it (memberships, associations, keys, push
   * endpoints) and records `user_delete`. Direct reports are handled per `cascade`: without
   * `cascade_manager` a manager cannot be deleted (409, see the emulator README); `clear` removes
   * their `manager`; `reassign` points them at another user. Returns the record as it was.
   */
  deleteUser(id: string, cascade: CascadeManager, origin: ChangeOrigin): SystemUser {
    const user = this.requireUser(id);
    const reports = this.directReports(id);
    if (cascade.mode === 'none' && reports.length > 0) {
      throw conflict(`user "${user.username}" is the manager of ${reports.length} user(s) (${reports.map((r) => r.username).join(', ')}); pass cascade_manager=null to clear their manager or cascade_manager=<user id> to reassign them`);
    }
    if (cascade.mode === 'reassign') {
      if (cascade.managerId === id) throw badRequest('cascade_manager cannot be the user being deleted', [{ field: 'cascade_manager', description: 'must be another user' }]);
      if (!this.users.has(cascade.managerId)) throw badRequest(`cascade_manager "${cascade.managerId}" is not an existing user`, [{ field: 'cascade_manager', description: 'no such user' }]);
    }
    for (const report of reports) {
      const next: SystemUser = { ...report };
      if (cascade.mode === 'reassign') next.manager = cascade.managerId;
      else delete next.manager;
      this.#putUser(next);
      this.#record(DIRECTORY_EVENT_TYPES.userUpdated, userResource(next), origin, { changes: [{ field: 'manager', from: id, to: next.manager ?? null }] });
    }
    this.#dropUser(user);
    this.pushEndpoints.delete(id);
    // Each membership and association that goes with the user is a removal of its own, recorded
    // as the graph call would record it, so a workflow on members leaving a group sees this way out too.
    const userEnd: EventGraphEnd = { type: 'user', object_id: id, name: user.username };
    for (const [groupId, members] of this.groupMembers) {
      if (!members.delete(id)) continue;
      const group = this.userGroups.get(groupId);
      this.#recordAssociation('remove', { type: 'user_group', object_id: groupId, ...(group ? { name: group.name } : {}) }, userEnd, origin);
    }
    for (const [key, edge] of this.#edges) {
      if (edge.fromType !== 'user' || edge.fromId !== id) continue;
      this.#edges.delete(key);
      const target = this.findTarget(edge.toType, edge.toId);
      this.#recordAssociation('remove', userEnd, { type: edge.toType, object_id: edge.toId, ...(target ? { name: target.name } : {}) }, origin);
    }
    this.#record(DIRECTORY_EVENT_TYPES.userDeleted, userResource(user), origin);
    return user;
  }

  /**
   * `POST /systemusers/{id}/resetmfa`: deletes the TOTP key and starts a new enrollment period.
   * The effect follows the contract's "suggested effect": `totp_enabled` and `mfa.configured`
   * become false, the exclusion window comes from the body, `totpStatus` becomes
   * `PRE_ENROLLMENT` (or `NOT_ENROLLED` without an exclusion) and `overallStatus` is recomputed.
   * The emulator behaves as an org with Unified MFA enabled, so push endpoints are deleted too.
   */
  resetMfa(id: string, body: { exclusion?: boolean; exclusionDays?: number; exclusionUntil?: string }, origin: ChangeOrigin, now = new Date()): void {
    const user = this.requireUser(id);
    const exclusion = body.exclusion ?? (body.exclusionDays !== undefined || body.exclusionUntil !== undefined);
    const until = body.exclusionUntil ?? (body.exclusionDays !== undefined ? new Date(now.getTime() + body.exclusionDays * 86_400_000).toISOString() : undefined);
    const pushCount = this.pushEndpoints.get(id)?.length ?? 0;
    const enrollment: UserMfaEnrollment = {
      ...user.mfaEnrollment,
      totpStatus: exclusion ? 'PRE_ENROLLMENT' : 'NOT_ENROLLED',
      pushStatus: 'NOT_ENROLLED',
    };
    enrollment.overallStatus = overallStatus(enrollment);
    const next: SystemUser = {
      ...user,
      totp_enabled: false,
      mfa: { configured: false, exclusion, ...(body.exclusionDays !== undefined ? { exclusionDays: body.exclusionDays } : {}), ...(until !== undefined ? { exclusionUntil: until } : {}) },
      mfaEnrollment: enrollment,
    };
    this.#putUser(next);
    this.pushEndpoints.delete(id);
    const changes = diffRecords(user, next);
    if (pushCount > 0) changes.push({ field: 'push_endpoints', from: pushCount, to: 0 });
    this.#record(DIRECTORY_EVENT_TYPES.totpDeleted, userResource(next), origin, { changes });
  }

  /** `POST /systemusers/{id}/expire`: marks the password expired now and records `user_password_expired`. */
  expirePassword(id: string, origin: ChangeOrigin, now = new Date()): void {
    const user = this.requireUser(id);
    const next: SystemUser = { ...user, password_expired: true, password_expiration_date: now.toISOString() };
    this.#putUser(next);
    this.#record(DIRECTORY_EVENT_TYPES.userPasswordExpired, userResource(next), origin, { changes: diffRecords(user, next) });
  }

  /**
   * `POST /systemusers/{id}/unlock`: clears the lockout that too many failed logins set
   * (`account_locked`, its date, the failed-attempt count), recorded as `user_update` with the
   * fields that changed. Unlocking a user that is not locked changes nothing and records nothing,
   * so a retried request is harmless (what JumpCloud answers then is not documented).
   */
  unlockUser(id: string, origin: ChangeOrigin): ChangeOutcome {
    const user = this.requireUser(id);
    const next: SystemUser = { ...user, account_locked: false, account_locked_date: null, badLoginAttempts: 0 };
    const changes = diffRecords(user, next);
    if (changes.length === 0) return 'unchanged';
    this.#putUser(next);
    this.#record(DIRECTORY_EVENT_TYPES.userUpdated, userResource(next), origin, { changes });
    return 'changed';
  }

  /**
   * `POST /systemusers/{id}/state/activate`: a `STAGED` user becomes `ACTIVATED`, recorded as
   * `user_activated`. The endpoint is documented for staged users only: an already activated
   * user is left as it is (so a retried request is harmless) and a suspended one is a 400 (the
   * reactivation of a suspended user is a `PUT` of `state`).
   */
  activateStagedUser(id: string, origin: ChangeOrigin): ChangeOutcome {
    const user = this.requireUser(id);
    if (user.state === 'SUSPENDED') {
      throw badRequest(`system user "${user.username}" is SUSPENDED; only a STAGED user can be activated here (restore a suspended user with PUT /api/systemusers/{id} {"state": "ACTIVATED"})`, [{ field: 'state', description: 'must be STAGED' }]);
    }
    if (user.state === 'ACTIVATED') return 'unchanged';
    this.updateUser(id, { ...structuredClone(user), state: 'ACTIVATED', activated: true, suspended: false }, { passwordChanged: false }, origin);
    return 'changed';
  }

  /** Adds a public SSH key to a user. */
  addSshKey(id: string, key: { name: string; public_key: string }, origin: ChangeOrigin, now = new Date()): SshKey {
    const user = this.requireUser(id);
    const created: SshKey = { _id: this.newId(), name: key.name, public_key: key.public_key, create_date: now.toISOString() };
    this.#putUser({ ...user, ssh_keys: [...user.ssh_keys, created] });
    this.#record(DIRECTORY_EVENT_TYPES.userUpdated, userResource(user), origin, { changes: [{ field: 'ssh_keys', from: user.ssh_keys.map((k) => k.name), to: [...user.ssh_keys, created].map((k) => k.name) }] });
    return created;
  }

  /** Removes one SSH key; 404 when the user or the key does not exist. */
  removeSshKey(id: string, keyId: string, origin: ChangeOrigin): SshKey {
    const user = this.requireUser(id);
    const key = user.ssh_keys.find((k) => k._id === keyId);
    if (key === undefined) throw notFound(`user "${user.username}" has no SSH key with id "${keyId}"`);
    const remaining = user.ssh_keys.filter((k) => k._id !== keyId);
    this.#putUser({ ...user, ssh_keys: remaining });
    this.#record(DIRECTORY_EVENT_TYPES.userUpdated, userResource(user), origin, { changes: [{ field: 'ssh_keys', from: user.ssh_keys.map((k) => k.name), to: remaining.map((k) => k.name) }] });
    return key;
  }

  /** Removes one push endpoint and recomputes the push enrollment; 404 when absent. */
  removePushEndpoint(userId: string, endpointId: string, origin: ChangeOrigin): PushEndpoint {
    const user = this.requireUser(userId);
    const list = this.pushEndpoints.get(userId) ?? [];
    const endpoint = list.find((p) => p.id === endpointId);
    if (endpoint === undefined) throw notFound(`user "${user.username}" has no push endpoint with id "${endpointId}"`);
    const remaining = list.filter((p) => p.id !== endpointId);
    this.pushEndpoints.set(userId, remaining);
    if (remaining.length === 0) {
      const enrollment: UserMfaEnrollment = { ...user.mfaEnrollment, pushStatus: 'NOT_ENROLLED' };
      enrollment.overallStatus = overallStatus(enrollment);
      this.#putUser({ ...user, mfaEnrollment: enrollment });
    }
    this.#record(DIRECTORY_EVENT_TYPES.userUpdated, userResource(user), origin, { changes: [{ field: 'push_endpoints', from: list.map((p) => p.name), to: remaining.map((p) => p.name) }] });
    return endpoint;
  }

  // ---------------------------------------------------------------- systems

  /**
   * Adds a system as the JumpCloud agent does when it is installed on a device (the API cannot
   * create systems) and records `system_create`. The record is complete and checked by the caller.
   */
  createSystem(system: JcSystem, origin: ChangeOrigin): JcSystem {
    if (this.systems.has(system._id)) throw conflict(`a system with id "${system._id}" already exists`);
    this.insertResource('system', system);
    this.#record(DIRECTORY_EVENT_TYPES.systemCreated, systemResource(system), origin);
    return system;
  }

  // ---------------------------------------------------------------- groups and the graph

  /** Creates a user group and records `group_create`. Names are unique (409 otherwise). */
  createUserGroup(group: UserGroup, origin: ChangeOrigin): UserGroup {
    for (const other of this.userGroups.values()) {
      if (other.name.toLowerCase() === group.name.toLowerCase()) throw conflict(`a user group named "${group.name}" already exists (${other.id})`);
    }
    this.insertUserGroup(group);
    this.#record(DIRECTORY_EVENT_TYPES.groupCreated, { type: 'user_group', id: group.id, name: group.name }, origin);
    return group;
  }

  /**
   * Deletes a user group and records `group_delete`. Its members and its own associations go with
   * it; each is recorded first as the removal the graph call records (with names), so a workflow
   * on members leaving a group sees this way out too. Returns the group as it was.
   */
  deleteUserGroup(id: string, origin: ChangeOrigin): UserGroup {
    const group = this.requireUserGroup(id);
    const groupEnd: EventGraphEnd = { type: 'user_group', object_id: id, name: group.name };
    for (const userId of this.groupMembers.get(id) ?? []) {
      const user = this.users.get(userId);
      this.#recordAssociation('remove', groupEnd, { type: 'user', object_id: userId, ...(user ? { name: user.username } : {}) }, origin);
    }
    for (const [key, edge] of this.#edges) {
      if (edge.fromType !== 'user_group' || edge.fromId !== id) continue;
      this.#edges.delete(key);
      const target = this.findTarget(edge.toType, edge.toId);
      this.#recordAssociation('remove', groupEnd, { type: edge.toType, object_id: edge.toId, ...(target ? { name: target.name } : {}) }, origin);
    }
    this.groupMembers.delete(id);
    this.userGroups.delete(id);
    this.#record(DIRECTORY_EVENT_TYPES.groupDeleted, { type: 'user_group', id, name: group.name }, origin);
    return group;
  }

  /**
   * Adds or removes a user in a user group. Adding an existing member is 409 "Already Exists";
   * removing a non-member is a no-op 204 (404 with `strictRemove`). Dynamic groups refuse
   * manual changes with a 400: their members come from `memberQuery` (see the emulator README).
   */
  changeMembership(op: 'add' | 'remove', groupId: string, userId: string, origin: ChangeOrigin): ChangeOutcome {
    const group = this.requireUserGroup(groupId);
    if (DYNAMIC_METHODS.has(group.membershipMethod)) {
      throw badRequest(`user group "${group.name}" has membershipMethod ${group.membershipMethod}: its members come from its member query and cannot be ${op === 'add' ? 'added' : 'removed'} by hand`);
    }
    const members = this.groupMembers.get(groupId) ?? new Set<string>();
    this.groupMembers.set(groupId, members);
    const user = this.users.get(userId);
    if (op === 'add') {
      if (user === undefined) throw notFound(`no system user with id "${userId}"`);
      if (members.has(userId)) throw alreadyExists(`user "${user.username}" is already a member of user group "${group.name}"`);
      members.add(userId);
    } else {
      if (!members.has(userId)) {
        if (this.#strictRemove) throw notFound(`user "${userId}" is not a member of user group "${group.name}"`);
        return 'unchanged';
      }
      members.delete(userId);
    }
    this.#recordAssociation(op, { type: 'user_group', object_id: groupId, name: group.name }, { type: 'user', object_id: userId, ...(user ? { name: user.username } : {}) }, origin);
    return 'changed';
  }

  /**
   * Adds or removes a system in a system group, as {@link changeMembership} does for users:
   * adding a member is 409 "Already Exists", removing a non-member a no-op 204 (404 with
   * `strictRemove`), a dynamic group refuses with a 400. Records `association_change` from the
   * group to the system.
   */
  changeSystemGroupMembership(op: 'add' | 'remove', groupId: string, systemId: string, origin: ChangeOrigin): ChangeOutcome {
    const group = this.requireSystemGroup(groupId);
    if (DYNAMIC_METHODS.has(group.membershipMethod)) {
      throw badRequest(`system group "${group.name}" has membershipMethod ${group.membershipMethod}: its members come from its member query and cannot be ${op === 'add' ? 'added' : 'removed'} by hand`);
    }
    const members = this.systemGroupMembers.get(groupId) ?? new Set<string>();
    this.systemGroupMembers.set(groupId, members);
    const system = this.systems.get(systemId);
    if (op === 'add') {
      if (system === undefined) throw notFound(`no system with id "${systemId}"`);
      if (members.has(systemId)) throw alreadyExists(`system "${system.displayName}" is already a member of system group "${group.name}"`);
      members.add(systemId);
    } else {
      if (!members.has(systemId)) {
        if (this.#strictRemove) throw notFound(`system "${systemId}" is not a member of system group "${group.name}"`);
        return 'unchanged';
      }
      members.delete(systemId);
    }
    this.#recordAssociation(op, { type: 'system_group', object_id: groupId, name: group.name }, { type: 'system', object_id: systemId, ...(system ? { name: system.displayName } : {}) }, origin);
    return 'changed';
  }

  /**
   * Accepts a built-in command for a system (`lock`, `restart`, `shutdown`, `erase`). JumpCloud
   * documents these for Linux and Windows devices only ("Use Apple MDM security commands for
   * macOS devices"), so any other system is refused with a 400 and nothing is recorded.
   */
  issueCommand(systemId: string, command: BuiltinCommand, now = new Date()): IssuedCommand {
    const system = this.requireSystem(systemId);
    const family = typeof system['osFamily'] === 'string' ? system['osFamily'].toLowerCase() : '';
    const supported = family === 'linux' || family === 'windows' || (family === '' && /windows|linux|ubuntu|debian|centos|red ?hat|rhel|fedora|amazon|suse|rocky|alma/i.test(system.os));
    if (!supported) {
      throw badRequest(`the ${command} command is only supported on Linux and Windows devices; system "${system.displayName}" runs ${system.os} (use Apple MDM security commands for macOS devices)`);
    }
    const issued: IssuedCommand = { id: this.newId(), systemId, command, at: now.toISOString() };
    this.commands.push(issued);
    return issued;
  }

  /**
   * Adds, updates or removes a direct association edge from a user or user group to a resource.
   * Add on an existing edge is 409 "Already Exists"; add or update to a missing target is 404;
   * update of a missing edge is 404; remove of a missing edge is a no-op (404 with `strictRemove`).
   */
  changeAssociation(
    op: 'add' | 'remove' | 'update',
    from: { type: 'user' | 'user_group'; id: string },
    to: { type: EmulatedTargetType; id: string },
    attributes: Record<string, unknown> | undefined,
    origin: ChangeOrigin,
  ): ChangeOutcome {
    const fromName = from.type === 'user' ? this.requireUser(from.id).username : this.requireUserGroup(from.id).name;
    const key = edgeKey(from.type, from.id, to.type, to.id);
    const existing = this.#edges.get(key);
    const target = this.findTarget(to.type, to.id);
    if (op === 'remove') {
      if (existing === undefined) {
        if (this.#strictRemove) throw notFound(`${from.type} "${fromName}" has no direct association with ${to.type} "${to.id}"`);
        return 'unchanged';
      }
      this.#edges.delete(key);
    } else {
      if (target === undefined) throw notFound(`no ${to.type} with id "${to.id}"`);
      if (op === 'add' && existing !== undefined) throw alreadyExists(`${from.type} "${fromName}" is already associated with ${to.type} "${target.name}"`);
      if (op === 'update' && existing === undefined) throw notFound(`${from.type} "${fromName}" has no direct association with ${to.type} "${target.name}" to update`);
      this.#edges.set(key, { fromType: from.type, fromId: from.id, toType: to.type, toId: to.id, ...(attributes !== undefined ? { attributes } : {}) });
    }
    this.#recordAssociation(op, { type: from.type, object_id: from.id, name: fromName }, { type: to.type, object_id: to.id, ...(target ? { name: target.name } : {}) }, origin);
    return 'changed';
  }

  /** Whether a group's membership is rule-driven. */
  static isDynamic(group: UserGroup): boolean {
    return DYNAMIC_METHODS.has(group.membershipMethod);
  }

  // ---------------------------------------------------------------- snapshot

  /** A deep copy of everything, for `GET /__sandbox/state` and tests. */
  snapshot(): OrgSnapshot {
    return structuredClone({
      organization: { id: this.organizationId, name: this.organizationName },
      users: [...this.users.values()],
      pushEndpoints: Object.fromEntries([...this.pushEndpoints].filter(([, list]) => list.length > 0)),
      usergroups: [...this.userGroups.values()].map((g) => ({ ...g, members: [...(this.groupMembers.get(g.id) ?? [])] })),
      systems: [...this.systems.values()],
      systemgroups: [...this.systemGroups.values()].map((g) => ({ ...g, members: [...(this.systemGroupMembers.get(g.id) ?? [])] })),
      applications: [...this.applications.values()],
      ldapservers: [...this.ldapServers.values()],
      radiusservers: [...this.radiusServers.values()],
      policies: [...this.policies.values()],
      policyresults: Object.fromEntries(this.policyResults),
      associations: this.allEdges(),
      eventCount: this.#events.size,
    });
  }

  // ---------------------------------------------------------------- events

  #recordAssociation(op: 'add' | 'remove' | 'update', from: EventGraphEnd, to: EventGraphEnd, origin: ChangeOrigin): void {
    this.#record(DIRECTORY_EVENT_TYPES.associationChanged, { type: from.type, id: from.object_id, ...(from.name !== undefined ? { name: from.name } : {}) }, origin, {
      association: { op, connection: { from, to } },
    });
  }

  #record(eventType: string, resource: EventResource, origin: ChangeOrigin, extra: Partial<Pick<DirectoryEvent, 'changes' | 'association'>> = {}): void {
    this.#events.append({
      id: randomUuid(this.#random),
      event_type: eventType,
      service: 'directory',
      organization: this.organizationId,
      '@version': '1',
      client_ip: origin.clientIp,
      auth_method: 'api-key',
      success: true,
      initiated_by: { type: 'admin', id: this.admin.id, email: this.admin.email },
      resource,
      ...extra,
    });
  }
}

/** `overallStatus` from the per-factor statuses: enrolled if any factor is, else the most advanced pending state. */
export function overallStatus(enrollment: Omit<UserMfaEnrollment, 'overallStatus'>): MfaEnrollmentStatus {
  const statuses = [enrollment.totpStatus, enrollment.pushStatus, enrollment.webAuthnStatus, enrollment.jcGoStatus];
  for (const candidate of ['ENROLLED', 'IN_ENROLLMENT', 'PRE_ENROLLMENT', 'PENDING_ACTIVATION', 'ENROLLMENT_EXPIRED'] as const) {
    if (statuses.includes(candidate)) return candidate;
  }
  return 'NOT_ENROLLED';
}

function edgeKey(fromType: string, fromId: string, toType: string, toId: string): string {
  return `${fromType}:${fromId}->${toType}:${toId}`;
}

/** A system as the spec's examples show one in event details. */
function systemResource(system: JcSystem): EventResource {
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const os = text(system.os);
  const version = text(system['version']);
  return { type: 'system', id: system._id, displayName: system.displayName, hostname: system.hostname, ...(os ? { os } : {}), ...(version ? { version } : {}) };
}

function userResource(user: SystemUser): EventResource {
  return { type: 'systemuser', id: user._id, username: user.username, email: user.email };
}

/** Top-level fields whose JSON differs between two records (values included, never passwords: records hold none). */
function diffRecords(before: Record<string, unknown>, after: Record<string, unknown>): EventChange[] {
  const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changes: EventChange[] = [];
  for (const field of fields) {
    const from = before[field];
    const to = after[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from: from ?? null, to: to ?? null });
  }
  return changes;
}
