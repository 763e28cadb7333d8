import { AUTHENTICATION_EVENT_TYPES, type AuthenticationEvent } from '../events/authentication-event.js';
import { deterministicObjectId } from '../object-id.js';
import { overallStatus, type OrgState } from '../org/org-state.js';
import type { Application, EmulatedTargetType, JcSystem, LdapServer, PolicyResult, PushEndpoint, RadiusServer, SshKey, SystemUser, UserGroup } from '../org/records.js';
import { defaultUserFields } from '../org/user-input.js';
import type { SandboxData, SandboxLogin, SandboxSystem, SandboxUser, SystemBinding } from './sandbox-data.js';

const DAY_MS = 86_400_000;

/** The organisation-level facts an org file gives (with defaults). */
export interface OrgIdentity {
  id: string;
  name: string;
  adminEmail: string;
}

/** The organisation id, name and admin e-mail of a data file (deterministic when not given). */
export function orgIdentity(data: SandboxData | undefined): OrgIdentity {
  const name = data?.organization?.name ?? 'Sandbox Organization';
  return {
    id: data?.organization?.id ?? deterministicObjectId('organization', name),
    name,
    adminEmail: data?.organization?.adminEmail ?? 'sandbox-admin@example.com',
  };
}

/**
 * Fills an empty {@link OrgState} from checked org data: names become ids (explicit `id`s win,
 * others are derived from kind and name so they are the same on every start), references become
 * memberships and association edges. No events are recorded: this is the starting state.
 */
export function buildOrg(state: OrgState, data: SandboxData, now = new Date()): void {
  const created = now.toISOString();
  const org = state.organizationId;
  const ids = {
    user: new Map<string, string>(),
    group: new Map<string, string>(),
    system: new Map<string, string>(),
    systemGroup: new Map<string, string>(),
    application: new Map<string, string>(),
    ldap: new Map<string, string>(),
    radius: new Map<string, string>(),
  };

  const policyIds = new Map<string, string>();
  for (const policy of data.policies ?? []) {
    const id = policy.id ?? deterministicObjectId('policy', policy.name);
    policyIds.set(policy.name, id);
    state.insertPolicy({
      id, name: policy.name,
      ...(policy.template !== undefined || policy.osFamily !== undefined
        ? { template: { ...(policy.template !== undefined ? { name: policy.template } : {}), ...(policy.osFamily !== undefined ? { osMetaFamily: policy.osFamily } : {}) } }
        : {}),
    });
  }
  for (const system of data.systems ?? []) {
    const record = systemRecord(system, org, now);
    ids.system.set(system.displayName, record._id);
    state.insertResource('system', record);
    const results = policyResults(system, record, policyIds);
    if (results.length > 0) state.insertPolicyResults(record._id, results);
  }
  for (const group of data.systemGroups ?? []) {
    const id = group.id ?? deterministicObjectId('system_group', group.name);
    ids.systemGroup.set(group.name, id);
    state.insertSystemGroup(
      { id, name: group.name, type: 'system_group', membershipMethod: 'STATIC', organizationObjectId: org, ...(group.description !== undefined ? { description: group.description } : {}) },
      (group.systems ?? []).map((name) => ids.system.get(name) as string),
    );
  }
  for (const app of data.applications ?? []) {
    const { id, ...fields } = app;
    const name = app.name ?? app.displayLabel.toLowerCase().replace(/[^a-z0-9]+/g, '');
    const record: Application = {
      active: true, config: {}, ...fields,
      _id: id ?? deterministicObjectId('application', app.displayLabel), name, displayLabel: app.displayLabel,
      ssoUrl: app.ssoUrl ?? `https://sso.jumpcloud.com/saml2/${name}`, organization: org,
      created: typeof fields['created'] === 'string' ? fields['created'] : created,
    };
    ids.application.set(app.displayLabel, record._id);
    state.insertResource('application', record);
  }
  for (const server of data.ldapServers ?? []) {
    const record: LdapServer = { ...server, id: server.id ?? deterministicObjectId('ldap_server', server.name) };
    ids.ldap.set(server.name, record.id);
    state.insertResource('ldap_server', record);
  }
  for (const server of data.radiusServers ?? []) {
    const { id, ...fields } = server;
    const record: RadiusServer = { mfa: 'DISABLED', ...fields, _id: id ?? deterministicObjectId('radius_server', server.name), name: server.name, organization: org };
    ids.radius.set(server.name, record._id);
    state.insertResource('radius_server', record);
  }

  const users = data.users ?? [];
  for (const user of users) ids.user.set(user.username, user.id ?? deterministicObjectId('user', user.username));
  users.forEach((user, i) => {
    const record = userRecord(user, ids.user.get(user.username) as string, org, user.createdDaysAgo === undefined ? created : daysBefore(now, user.createdDaysAgo), 5001 + i);
    if (user.manager !== undefined) record.manager = ids.user.get(user.manager) as string;
    state.insertUser(record);
    const endpoints = pushEndpoints(user, record.created);
    if (endpoints.length > 0) state.insertPushEndpoints(record._id, endpoints);
  });

  for (const group of data.userGroups ?? []) {
    const id = group.id ?? deterministicObjectId('user_group', group.name);
    ids.group.set(group.name, id);
    const record: UserGroup = { id, name: group.name, type: 'user_group', membershipMethod: group.membershipMethod ?? 'STATIC', organizationObjectId: org };
    if (group.description !== undefined) record['description'] = group.description;
    if (group.email !== undefined) record['email'] = group.email;
    if (group.memberQuery !== undefined) record['memberQuery'] = group.memberQuery;
    state.insertUserGroup(record);
  }
  for (const group of data.userGroups ?? []) {
    const groupId = ids.group.get(group.name) as string;
    for (const member of group.members ?? []) state.insertMembership(groupId, ids.user.get(member) as string);
    bind(state, { type: 'user_group', id: groupId }, group, ids);
  }
  for (const user of users) {
    const userId = ids.user.get(user.username) as string;
    for (const group of user.groups ?? []) state.insertMembership(ids.group.get(group) as string, userId);
    bind(state, { type: 'user', id: userId }, user, ids);
  }
  for (const user of users) {
    for (const login of user.logins ?? []) state.insertAuthentication(authenticationEvent(state, { id: ids.user.get(user.username) as string, username: user.username }, login, now));
  }
}

/** The date `days` days before `now`. */
function daysBefore(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}

/**
 * The v1 record of a system of the org file. Relative dates become dates before `now`; a system
 * that gives no `lastContact` checked in when the emulator started. `policyStats` counts its
 * policy results, as JumpCloud's system object does.
 */
function systemRecord(system: SandboxSystem, org: string, now: Date): JcSystem {
  const { id, createdDaysAgo, lastContactDaysAgo, policyResults: results, ...fields } = system;
  const createdAt = createdDaysAgo !== undefined ? daysBefore(now, createdDaysAgo) : typeof fields['created'] === 'string' ? fields['created'] : now.toISOString();
  const lastContact = lastContactDaysAgo !== undefined ? daysBefore(now, lastContactDaysAgo) : typeof fields['lastContact'] === 'string' ? fields['lastContact'] : now.toISOString();
  const failed = (results ?? []).filter((r) => !r.success).length;
  return {
    active: true, hostname: system.displayName.toLowerCase().replace(/[^a-z0-9-]+/g, '-'), os: 'Unknown', ...fields,
    _id: id ?? deterministicObjectId('system', system.displayName), displayName: system.displayName, organization: org,
    created: createdAt,
    lastContact,
    ...(results === undefined ? {} : { policyStats: { total: results.length, success: results.length - failed, failed, pending: 0, duplicate: 0, unsupportedOs: 0 } }),
  };
}

/** The v2 `PolicyResult`s of a system's `policyResults` (ids derived from system and policy). */
function policyResults(system: SandboxSystem, record: JcSystem, policyIds: Map<string, string>): PolicyResult[] {
  const at = typeof record['lastContact'] === 'string' ? record['lastContact'] : record.created;
  return (system.policyResults ?? []).map((r) => ({
    id: deterministicObjectId('policy_result', `${system.displayName}:${r.policy}`),
    policyID: policyIds.get(r.policy) as string,
    systemID: record._id,
    state: r.success ? 'success' : 'failed',
    success: r.success,
    detail: r.detail ?? (r.success ? 'applied' : 'failed to apply'),
    startedAt: at,
    endedAt: at,
    exitStatus: r.success ? 0 : 1,
    stdErr: r.success ? '' : (r.detail ?? ''),
    stdOut: '',
  }));
}

/** The Directory Insights event of one login of the org file (see {@link AuthenticationEvent} for the shapes). */
function authenticationEvent(state: OrgState, user: { id: string; username: string }, login: SandboxLogin, now: Date): Omit<AuthenticationEvent, 'organization' | '@version' | 'id'> {
  const { eventType, service } = AUTHENTICATION_EVENT_TYPES[login.via];
  const base = { event_type: eventType, service, timestamp: daysBefore(now, login.daysAgo), success: login.success ?? true, client_ip: '203.0.113.10' };
  switch (login.via) {
    case 'user_portal':
      return { ...base, initiated_by: { type: 'user', id: user.id, username: user.username }, resource: { type: 'user', id: user.id, username: user.username } };
    case 'sso': {
      const app = [...state.applications.values()].find((a) => a.displayLabel === login.application);
      return {
        ...base,
        initiated_by: { type: 'systemuser', id: user.id, username: user.username },
        ...(app === undefined ? {} : { application: { id: app._id, display_label: app.displayLabel, name: app.name } }),
        idp_initiated: true,
      };
    }
    case 'ldap':
      return { ...base, username: user.username, dn: `uid=${user.username},ou=Users,o=${state.organizationId},dc=jumpcloud,dc=com`, mech: 'simple' };
    case 'radius':
      return { ...base, username: user.username, auth_type: 'pap' };
    case 'system': {
      const system = [...state.systems.values()].find((s) => s.displayName === login.system);
      return {
        ...base,
        username: user.username,
        resource: { type: 'systemuser', id: user.id, username: user.username },
        ...(system === undefined ? {} : { system: { id: system._id, hostname: system.hostname, displayName: system.displayName } }),
        process_name: 'loginwindow',
      };
    }
  }
}

type IdMaps = { system: Map<string, string>; systemGroup: Map<string, string>; application: Map<string, string>; ldap: Map<string, string>; radius: Map<string, string> };

function bind(
  state: OrgState,
  from: { type: 'user' | 'user_group'; id: string },
  owner: { systems?: SystemBinding[]; systemGroups?: string[]; applications?: string[]; ldapServers?: string[]; radiusServers?: string[] },
  ids: IdMaps,
): void {
  const edge = (toType: EmulatedTargetType, toId: string, attributes?: Record<string, unknown>): void => {
    state.insertEdge({ fromType: from.type, fromId: from.id, toType, toId, ...(attributes !== undefined ? { attributes } : {}) });
  };
  for (const binding of owner.systems ?? []) {
    const name = typeof binding === 'string' ? binding : binding.name;
    const sudo = typeof binding === 'string' ? undefined : binding.sudo;
    edge('system', ids.system.get(name) as string, sudo !== undefined ? { sudo } : undefined);
  }
  for (const name of owner.systemGroups ?? []) edge('system_group', ids.systemGroup.get(name) as string);
  for (const name of owner.applications ?? []) edge('application', ids.application.get(name) as string);
  for (const name of owner.ldapServers ?? []) edge('ldap_server', ids.ldap.get(name) as string);
  for (const name of owner.radiusServers ?? []) edge('radius_server', ids.radius.get(name) as string);
}

/** The full `systemuserreturn` record for a user of the org file. */
function userRecord(user: SandboxUser, id: string, org: string, created: string, unixId: number): SystemUser {
  const {
    id: _id, manager: _manager, groups: _groups, systems: _systems, systemGroups: _systemGroups, applications: _applications,
    ldapServers: _ldap, radiusServers: _radius, mfa, sshKeys, state: userState, created: givenCreated, createdDaysAgo: _createdDaysAgo, logins: _logins, ...profile
  } = user;
  const state = userState ?? 'ACTIVATED';
  const totp = mfa?.totp === true;
  const push = (mfa?.pushEndpoints?.length ?? 0) > 0;
  const enrollment = {
    totpStatus: totp ? 'ENROLLED' : 'NOT_ENROLLED',
    pushStatus: push ? 'ENROLLED' : 'NOT_ENROLLED',
    webAuthnStatus: 'NOT_ENROLLED',
    jcGoStatus: 'NOT_ENROLLED',
  } as const;
  const createdAt = givenCreated ?? created;
  const keys: SshKey[] = (sshKeys ?? []).map((k) => ({
    _id: deterministicObjectId('ssh_key', `${user.username}:${k.name}`), name: k.name, public_key: k.public_key, create_date: k.create_date ?? createdAt,
  }));
  return {
    ...defaultUserFields(),
    unix_uid: unixId,
    unix_guid: unixId,
    ...profile,
    displayname: user.displayname ?? [user.firstname, user.lastname].filter((p) => p !== undefined && p !== '').join(' '),
    _id: id,
    username: user.username,
    email: user.email,
    state,
    activated: state !== 'STAGED',
    suspended: state === 'SUSPENDED',
    organization: org,
    created: createdAt,
    ssh_keys: keys,
    mfa: { configured: totp || push, exclusion: mfa?.exclusion ?? false, ...(mfa?.exclusionUntil !== undefined ? { exclusionUntil: mfa.exclusionUntil } : {}) },
    mfaEnrollment: { ...enrollment, overallStatus: overallStatus(enrollment) },
    totp_enabled: totp,
    ldap_binding_user: user.ldap_binding_user ?? false,
    enable_user_portal_multifactor: user.enable_user_portal_multifactor ?? (totp || push),
  };
}

function pushEndpoints(user: SandboxUser, created: string): PushEndpoint[] {
  return (user.mfa?.pushEndpoints ?? []).map((p) => ({
    id: deterministicObjectId('push_endpoint', `${user.username}:${p.name}`),
    name: p.name,
    state: 'active',
    enrollmentDate: p.enrollmentDate ?? created,
    ...(p.lastUsedDate !== undefined ? { lastUsedDate: p.lastUsedDate } : {}),
    device: {
      ...(p.appVersion !== undefined ? { appVersion: p.appVersion } : {}),
      ...(p.make !== undefined ? { make: p.make } : {}),
      ...(p.model !== undefined ? { model: p.model } : {}),
      ...(p.os !== undefined ? { os: p.os } : {}),
      ...(p.osVersion !== undefined ? { osVersion: p.osVersion } : {}),
      uvEnabled: true,
    },
  }));
}
