import { ValidationError } from '../../../../engine/errors/index.js';
import { validateSandboxData } from '../data/load-sandbox-data.js';
import type { SandboxData } from '../data/sandbox-data.js';
import type { FaultSettings } from '../faults.js';
import { ApiError, badRequest, conflict, type FieldViolation } from '../http/api-error.js';
import type { ApiResponse, Router } from '../http/router.js';
import { isObjectId } from '../object-id.js';
import type { OrgSnapshot, OrgState } from '../org/org-state.js';
import type { Application, IssuedCommand, JcSystem, LdapServer, RadiusServer, SystemGroup, SystemUser, UserGroup } from '../org/records.js';
import { systemFromAgentBody } from '../org/system-input.js';
import { isPlainObject } from '../org/user-fields.js';
import { userFromCreateBody } from '../org/user-input.js';
import type { RequestLogEntry } from '../request-log.js';

/** What the admin endpoints may do to the running emulator. */
export interface AdminControls {
  /** Called after a seed added objects (seeding records no event, so the state file must be told). */
  seeded(): void;
  snapshot(): OrgSnapshot;
  requests(): RequestLogEntry[];
  /** The built-in device commands accepted (JumpCloud answers them with no body; tests read them here). */
  commands(): IssuedCommand[];
  reset(data?: SandboxData): void;
  faults(): FaultSettings;
  setFaults(partial: Partial<FaultSettings>): FaultSettings;
}

/**
 * Admin endpoints outside the JumpCloud namespace (`/__sandbox/*`). They need the API key like
 * the API does, are never subject to faults, and are not written to the request log.
 * `POST /__sandbox/systems` stands in for the JumpCloud agent enrolling a device (systems cannot
 * be created through the API): it adds one system and records `system_create`.
 */
export function addAdminRoutes(router: Router, controls: AdminControls): void {
  router.add('POST', '/__sandbox/seed', ({ state, json }) => {
    const created = seed(state, json());
    controls.seeded();
    return { status: 200, body: created };
  });
  // A device enrolling, as the agent does it: unlike a seed this is a change in the organisation,
  // so it records `system_create` (and the state file notices it through that event).
  router.add('POST', '/__sandbox/systems', ({ state, json, origin }) => ({ status: 201, body: state.createSystem(systemFromAgentBody(state, json()), origin) }));
  router.add('GET', '/__sandbox/state', () => ({ status: 200, body: controls.snapshot() }));
  router.add('GET', '/__sandbox/requests', () => ({ status: 200, body: controls.requests() }));
  router.add('GET', '/__sandbox/commands', () => ({ status: 200, body: controls.commands() }));
  router.add('POST', '/__sandbox/reset', ({ json }) => {
    const body = json();
    if (body === undefined) controls.reset();
    else {
      try {
        controls.reset(validateSandboxData(body, 'POST /__sandbox/reset body'));
      } catch (error) {
        if (error instanceof ValidationError) throw badRequest(error.message, error.problems.map((p) => ({ field: p.path || '/', description: p.message })));
        throw error;
      }
    }
    return counts(controls.snapshot());
  });
  router.add('GET', '/__sandbox/faults', () => ({ status: 200, body: controls.faults() }));
  router.add('PATCH', '/__sandbox/faults', ({ json }) => {
    const body = json();
    if (!isPlainObject(body)) throw badRequest('the body must be an object with any of latencyMs, failRate, rateLimit, dropRate');
    const known = ['latencyMs', 'failRate', 'rateLimit', 'dropRate'];
    const unknown = Object.keys(body).filter((k) => !known.includes(k));
    if (unknown.length > 0) throw badRequest(`unknown fault setting(s) ${unknown.join(', ')}; known: ${known.join(', ')}`, unknown.map((field) => ({ field, description: 'unknown setting' })));
    const partial: Partial<FaultSettings> = {};
    for (const key of known as Array<keyof FaultSettings>) {
      const value = body[key];
      if (value === undefined) continue;
      if (typeof value !== 'number') throw badRequest(`${key} must be a number`, [{ field: key, description: 'must be a number' }]);
      partial[key] = value;
    }
    try {
      return { status: 200, body: controls.setFaults(partial) };
    } catch (error) {
      if (error instanceof RangeError) throw badRequest(error.message);
      throw error;
    }
  });
}

function counts(snapshot: OrgSnapshot): ApiResponse {
  return {
    status: 200,
    body: {
      organization: snapshot.organization,
      users: snapshot.users.length,
      usergroups: snapshot.usergroups.length,
      systems: snapshot.systems.length,
      systemgroups: snapshot.systemgroups.length,
      applications: snapshot.applications.length,
      ldapservers: snapshot.ldapservers.length,
      radiusservers: snapshot.radiusservers.length,
    },
  };
}

const SEED_KINDS = ['systems', 'applications', 'ldapservers', 'radiusservers', 'systemgroups', 'users', 'usergroups'] as const;

/**
 * `POST /__sandbox/seed`: objects in the API's own shapes (`JcSystem`, `application`,
 * `ldap-server`, `radiusserver`, `SystemGroup`, and for bulk setups `systemuserputpost` and
 * `UserGroupPost`), with or without ids. Extensions: `systemgroups[].members` (system ids) and
 * `usergroups[].members` (user ids). All or nothing: every item is checked before any is added.
 * No events are recorded (seeded objects are fixtures, not changes). Answers the created objects.
 */
function seed(state: OrgState, body: unknown): Record<string, unknown[]> {
  if (!isPlainObject(body)) throw badRequest(`the seed body must be an object with any of ${SEED_KINDS.join(', ')}`);
  const unknown = Object.keys(body).filter((k) => !(SEED_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw badRequest(`unknown seed list(s) ${unknown.join(', ')}; known: ${SEED_KINDS.join(', ')}`, unknown.map((field) => ({ field, description: 'unknown list' })));
  const org = state.organizationId;
  const now = new Date().toISOString();
  const taken = new Set<string>();
  const violations: FieldViolation[] = [];
  const idFor = (value: unknown, where: string): string => {
    if (value === undefined) {
      const id = state.newId();
      taken.add(id);
      return id;
    }
    if (!isObjectId(value)) {
      violations.push({ field: where, description: 'must be a 24-character hexadecimal ObjectId' });
      return '';
    }
    if (state.isIdTaken(value) || taken.has(value)) throw conflict(`${where}: id "${value}" is already in use`);
    taken.add(value);
    return value;
  };
  const list = (kind: (typeof SEED_KINDS)[number]): Record<string, unknown>[] => {
    const value = body[kind];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every(isPlainObject)) {
      violations.push({ field: kind, description: 'must be an array of objects' });
      return [];
    }
    return value;
  };
  const requireString = (item: Record<string, unknown>, field: string, where: string): string => {
    const value = item[field];
    if (typeof value !== 'string' || value.trim() === '') violations.push({ field: `${where}.${field}`, description: 'required string' });
    return typeof value === 'string' ? value : '';
  };

  const systems = list('systems').map((item, i): JcSystem => {
    const displayName = requireString(item, 'displayName', `systems[${i}]`);
    return { active: true, hostname: displayName.toLowerCase().replace(/[^a-z0-9-]+/g, '-'), os: 'Unknown', created: now, ...item, _id: idFor(item['_id'], `systems[${i}]._id`), displayName, organization: org };
  });
  const applications = list('applications').map((item, i): Application => {
    const label = typeof item['displayLabel'] === 'string' ? item['displayLabel'] : requireString(item, 'name', `applications[${i}]`);
    const name = typeof item['name'] === 'string' ? item['name'] : label.toLowerCase().replace(/[^a-z0-9]+/g, '');
    return { active: true, config: {}, created: now, ssoUrl: `https://sso.jumpcloud.com/saml2/${name}`, ...item, _id: idFor(item['_id'], `applications[${i}]._id`), name, displayLabel: label, organization: org };
  });
  const ldapServers = list('ldapservers').map((item, i): LdapServer => ({ ...item, id: idFor(item['id'], `ldapservers[${i}].id`), name: requireString(item, 'name', `ldapservers[${i}]`) }));
  const radiusServers = list('radiusservers').map((item, i): RadiusServer => ({ mfa: 'DISABLED', ...item, _id: idFor(item['_id'], `radiusservers[${i}]._id`), name: requireString(item, 'name', `radiusservers[${i}]`), organization: org }));
  const systemGroups = list('systemgroups').map((item, i): { group: SystemGroup; members: string[] } => {
    const { members, ...fields } = item;
    const memberIds = members === undefined ? [] : Array.isArray(members) && members.every(isObjectId) ? members : (violations.push({ field: `systemgroups[${i}].members`, description: 'must be an array of system ids' }), []);
    return { group: { membershipMethod: 'STATIC', ...fields, id: idFor(item['id'], `systemgroups[${i}].id`), name: requireString(item, 'name', `systemgroups[${i}]`), type: 'system_group', organizationObjectId: org }, members: memberIds };
  });
  const users = list('users').map((item, i): SystemUser | undefined => {
    try {
      const user = userFromCreateBody(state, item);
      if (item['_id'] !== undefined) user._id = idFor(item['_id'], `users[${i}]._id`);
      return user;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      violations.push({ field: `users[${i}]`, description: error.message });
      return undefined;
    }
  });
  const userGroups = list('usergroups').map((item, i): { group: UserGroup; members: string[] } => {
    const { members, ...fields } = item;
    const memberIds = members === undefined ? [] : Array.isArray(members) && members.every(isObjectId) ? members : (violations.push({ field: `usergroups[${i}].members`, description: 'must be an array of user ids' }), []);
    return { group: { membershipMethod: 'STATIC', ...fields, id: idFor(item['id'], `usergroups[${i}].id`), name: requireString(item, 'name', `usergroups[${i}]`), type: 'user_group', organizationObjectId: org }, members: memberIds };
  });

  // Uniqueness of users within the batch and against the org, and references of members.
  const seen = { username: new Set<string>(), email: new Set<string>() };
  users.forEach((user, i) => {
    if (user === undefined) return;
    for (const field of ['username', 'email'] as const) {
      const key = user[field].toLowerCase();
      if (seen[field].has(key)) violations.push({ field: `users[${i}].${field}`, description: `"${user[field]}" appears twice in this seed` });
      seen[field].add(key);
    }
    try {
      state.assertUnique(user);
    } catch (error) {
      if (error instanceof ApiError) violations.push({ field: `users[${i}]`, description: error.message });
    }
  });
  const systemIds = new Set([...state.systems.keys(), ...systems.map((s) => s._id)]);
  systemGroups.forEach(({ members }, i) => members.forEach((m, j) => { if (!systemIds.has(m)) violations.push({ field: `systemgroups[${i}].members[${j}]`, description: `no system with id "${m}"` }); }));
  const seededUsers = users.filter((u): u is SystemUser => u !== undefined);
  const userIds = new Set([...state.users.keys(), ...seededUsers.map((u) => u._id)]);
  userGroups.forEach(({ members }, i) => members.forEach((m, j) => { if (!userIds.has(m)) violations.push({ field: `usergroups[${i}].members[${j}]`, description: `no user with id "${m}"` }); }));
  if (violations.length > 0) throw badRequest(violations.map((v) => `${v.field} ${v.description}`).join('; '), violations);

  for (const system of systems) state.insertResource('system', system);
  for (const application of applications) state.insertResource('application', application);
  for (const server of ldapServers) state.insertResource('ldap_server', server);
  for (const server of radiusServers) state.insertResource('radius_server', server);
  for (const { group, members } of systemGroups) state.insertSystemGroup(group, members);
  for (const user of seededUsers) state.insertUser(user);
  for (const { group, members } of userGroups) {
    state.insertUserGroup(group);
    for (const member of members) state.insertMembership(group.id, member);
  }
  const out: Record<string, unknown[]> = {};
  if (body['systems'] !== undefined) out['systems'] = systems;
  if (body['applications'] !== undefined) out['applications'] = applications;
  if (body['ldapservers'] !== undefined) out['ldapservers'] = ldapServers;
  if (body['radiusservers'] !== undefined) out['radiusservers'] = radiusServers;
  if (body['systemgroups'] !== undefined) out['systemgroups'] = systemGroups.map((g) => g.group);
  if (body['users'] !== undefined) out['users'] = seededUsers;
  if (body['usergroups'] !== undefined) out['usergroups'] = userGroups.map((g) => g.group);
  return out;
}
