import { deterministicObjectId } from '../object-id.js';
import { overallStatus, type OrgState } from '../org/org-state.js';
import type { Application, EmulatedTargetType, JcSystem, LdapServer, PushEndpoint, RadiusServer, SshKey, SystemUser, UserGroup } from '../org/records.js';
import { defaultUserFields } from '../org/user-input.js';
import type { SandboxData, SandboxUser, SystemBinding } from './sandbox-data.js';

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

  for (const system of data.systems ?? []) {
    const { id, ...fields } = system;
    const record: JcSystem = {
      active: true, hostname: system.displayName.toLowerCase().replace(/[^a-z0-9-]+/g, '-'), os: 'Unknown', ...fields,
      _id: id ?? deterministicObjectId('system', system.displayName), displayName: system.displayName, organization: org,
      created: typeof fields['created'] === 'string' ? fields['created'] : created,
    };
    ids.system.set(system.displayName, record._id);
    state.insertResource('system', record);
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
    const record = userRecord(user, ids.user.get(user.username) as string, org, created, 5001 + i);
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
    ldapServers: _ldap, radiusServers: _radius, mfa, sshKeys, state: userState, created: givenCreated, ...profile
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
