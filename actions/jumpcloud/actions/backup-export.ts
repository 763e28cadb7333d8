import type { ActionContext } from '../../../engine/plugin-api/context.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { SshKey, SystemUser } from '../types.js';
import { readDirectEdges, readMemberships, readReached, type DirectEdge, type ReachedObject } from './access-snapshot.js';
import { sshFingerprint, sshKeyType } from './ssh-fingerprint.js';
import type { UserSnapshot } from './user-snapshot.js';

/** The sections every export holds, in order (what the step reports as `includes`). */
export const BACKUP_SECTIONS = [
  'user_details',
  'custom_attributes',
  'group_memberships',
  'system_bindings',
  'application_associations',
  'ldap_bindings',
  'radius_associations',
  'ssh_keys',
  'mfa',
] as const;

/** The export's format tag, so a restore tool can recognise it. */
export const EXPORT_FORMAT = 'idflow.jumpcloud.user-export/1';

/** A resource the user reaches, as the export lists it: direct or not, every path by name, edge attributes. */
export interface ExportedAccess extends ReachedObject {
  /** Attributes of the direct edge (e.g. sudo on a system), when there is one. */
  attributes?: unknown;
}

/** SSH key metadata: never the key itself. */
export interface ExportedSshKey {
  id: string;
  name: string | null;
  created: string | null;
  key_type: string | null;
  /** `SHA256:…` as `ssh-keygen -l` prints it; null when the stored text is not a public key. */
  fingerprint: string | null;
}

/**
 * The user's record as exported: the full record without SSH key material (the keys are in
 * `ssh_keys` as metadata; the legacy `public_key` becomes its fingerprint) and without the
 * search-only `memberof`.
 */
function userDetails(user: SystemUser): Record<string, unknown> {
  const { ssh_keys: _keys, public_key: legacyKey, memberof: _memberof, ...rest } = user;
  const fingerprint = legacyKey === undefined || legacyKey.trim() === '' ? undefined : sshFingerprint(legacyKey);
  return { ...rest, ...(fingerprint === undefined ? {} : { public_key_fingerprint: fingerprint }) };
}

function keyMetadata(key: SshKey): ExportedSshKey {
  return { id: key._id, name: key.name ?? null, created: key.create_date ?? null, key_type: sshKeyType(key.public_key), fingerprint: sshFingerprint(key.public_key) };
}

function withEdges(reached: readonly ReachedObject[], edges: readonly DirectEdge[]): ExportedAccess[] {
  const byId = new Map(edges.map((edge) => [edge.id, edge]));
  return reached.map((object) => {
    const attributes = byId.get(object.id)?.attributes;
    return attributes === undefined || attributes === null ? { ...object } : { ...object, attributes };
  });
}

/**
 * Reads everything the offboarding is about to remove, read-only, and returns the export
 * document: the full user record, custom attributes, group memberships with names and methods,
 * direct and indirect system, application, LDAP and RADIUS access with names and paths, SSH key
 * metadata, MFA state and push endpoints, and the manager.
 *
 * Everything comes from the user's snapshot: the record, `memberof`, the five traversals (whose
 * one-edge paths are the direct bindings, with their attributes) and the push endpoints, each
 * read once; the SSH keys come with the record.
 * @returns undefined when the user does not exist.
 */
export async function buildUserExport(ctx: Pick<ActionContext, 'run'>, client: JumpCloudClient, snapshot: UserSnapshot): Promise<Record<string, unknown> | undefined> {
  const user = await snapshot.user(client);
  if (user === undefined) return undefined;
  const [memberships, systems, systemGroups, applications, ldapServers, radiusServers, edges, keys, endpoints, manager] = await Promise.all([
    readMemberships(client, snapshot),
    readReached(client, snapshot, 'systems'),
    readReached(client, snapshot, 'systemgroups'),
    readReached(client, snapshot, 'applications'),
    readReached(client, snapshot, 'ldapservers'),
    readReached(client, snapshot, 'radiusservers'),
    Promise.all((['system', 'system_group', 'application', 'ldap_server', 'radius_server'] as const).map((target) => readDirectEdges(client, snapshot, target))).then((lists) => lists.flat()),
    snapshot.sshKeys(client),
    snapshot.pushEndpoints(client),
    typeof user.manager === 'string' && user.manager !== '' ? snapshot.otherUser(client, user.manager) : Promise.resolve(undefined),
  ]);
  const edgesOf = (type: DirectEdge['type']) => edges.filter((edge) => edge.type === type);
  return {
    format: EXPORT_FORMAT,
    exported_at: new Date().toISOString(),
    run: { id: ctx.run.id, initiated_by: ctx.run.initiatedBy, ...(ctx.run.reason === undefined ? {} : { reason: ctx.run.reason }) },
    source: { base_url: client.baseUrl, ...(client.orgId === undefined ? {} : { org_id: client.orgId }) },
    includes: [...BACKUP_SECTIONS],
    user_details: userDetails(user),
    manager: manager === undefined ? (typeof user.manager === 'string' && user.manager !== '' ? { id: user.manager } : null) : { id: manager._id, username: manager.username ?? null, email: manager.email ?? null },
    custom_attributes: user.attributes ?? [],
    group_memberships: memberships.map((group) => ({ id: group.id, name: group.name, membership_method: group.membership_method })),
    system_bindings: { systems: withEdges(systems, edgesOf('system')), system_groups: withEdges(systemGroups, edgesOf('system_group')) },
    application_associations: withEdges(applications, edgesOf('application')),
    ldap_bindings: { ldap_binding_user: user.ldap_binding_user === true, servers: withEdges(ldapServers, edgesOf('ldap_server')) },
    radius_associations: withEdges(radiusServers, edgesOf('radius_server')),
    ssh_keys: keys.map(keyMetadata),
    mfa: {
      totp_enabled: user.totp_enabled === true,
      enable_user_portal_multifactor: user.enable_user_portal_multifactor === true,
      settings: user.mfa ?? null,
      enrollment: user.mfaEnrollment ?? null,
      push_endpoints: endpoints,
    },
  };
}
