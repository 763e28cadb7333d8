/**
 * The objects the emulator keeps, in the shapes of JumpCloud's OpenAPI documents (jcapi-powershell
 * `JumpCloud.SDK.V1.json` / `V2.json`): v1 objects carry `_id`, v2 objects `id`. Fields not named
 * here are kept as given (the documents allow them) and typed `unknown`.
 */

/** `systemuserreturn.state`. */
export type UserState = 'STAGED' | 'ACTIVATED' | 'SUSPENDED';

/** `mfaEnrollmentStatus`. */
export type MfaEnrollmentStatus =
  | 'NOT_ENROLLED' | 'DISABLED' | 'PENDING_ACTIVATION' | 'ENROLLMENT_EXPIRED' | 'IN_ENROLLMENT' | 'PRE_ENROLLMENT' | 'ENROLLED';

/** `sshkeylist`: one public SSH key of a user (never private material). */
export interface SshKey {
  _id: string;
  name: string;
  public_key: string;
  create_date: string;
}

/** `mfa` on a user. */
export interface UserMfa {
  configured: boolean;
  exclusion: boolean;
  exclusionDays?: number;
  exclusionUntil?: string;
}

/** `mfaEnrollment` on a user. */
export interface UserMfaEnrollment {
  overallStatus: MfaEnrollmentStatus;
  totpStatus: MfaEnrollmentStatus;
  pushStatus: MfaEnrollmentStatus;
  webAuthnStatus: MfaEnrollmentStatus;
  jcGoStatus: MfaEnrollmentStatus;
}

/** A v1 system user (`systemuserreturn`). */
export interface SystemUser {
  _id: string;
  username: string;
  email: string;
  state: UserState;
  activated: boolean;
  suspended: boolean;
  organization: string;
  created: string;
  ssh_keys: SshKey[];
  mfa: UserMfa;
  mfaEnrollment: UserMfaEnrollment;
  totp_enabled: boolean;
  ldap_binding_user: boolean;
  /** The manager's `_id`; absent when the user has no manager. */
  manager?: string;
  [field: string]: unknown;
}

/** `PushEndpointResponse`: a device enrolled for JumpCloud Protect push MFA. */
export interface PushEndpoint {
  id: string;
  name: string;
  state: string;
  enrollmentDate: string;
  lastUsedDate?: string;
  device: { appVersion?: string; make?: string; model?: string; os?: string; osVersion?: string; uvEnabled?: boolean };
}

/** `GroupMembershipMethodType`. */
export type MembershipMethod = 'NOTSET' | 'STATIC' | 'DYNAMIC_REVIEW_REQUIRED' | 'DYNAMIC_AUTOMATED';

/** A v2 user group (`UserGroup`). */
export interface UserGroup {
  id: string;
  name: string;
  type: 'user_group';
  membershipMethod: MembershipMethod;
  organizationObjectId: string;
  [field: string]: unknown;
}

/** A v2 system group (`SystemGroup`). */
export interface SystemGroup {
  id: string;
  name: string;
  type: 'system_group';
  membershipMethod: MembershipMethod;
  organizationObjectId: string;
  [field: string]: unknown;
}

/** A v2 policy (`Policy`): settings applied to systems; `template.name` says what it enforces. */
export interface Policy {
  id: string;
  name: string;
  template?: { name?: string; osMetaFamily?: string };
  [field: string]: unknown;
}

/** What applying a policy to a system last reported (v2 `PolicyResult`). */
export interface PolicyResult {
  id: string;
  policyID: string;
  systemID: string;
  /** `success`, `failed` or `pending`. */
  state: string;
  success: boolean;
  detail: string;
  startedAt: string;
  endedAt: string;
  exitStatus: number;
  stdErr: string;
  stdOut: string;
}

/** A v1 system (`JcSystem`): a managed device. */
export interface JcSystem {
  _id: string;
  displayName: string;
  hostname: string;
  os: string;
  organization: string;
  created: string;
  [field: string]: unknown;
}

/** A v1 SSO application (`application`). */
export interface Application {
  _id: string;
  name: string;
  displayLabel: string;
  ssoUrl: string;
  config: Record<string, unknown>;
  organization: string;
  [field: string]: unknown;
}

/** A v2 LDAP server (`ldap-server`). */
export interface LdapServer {
  id: string;
  name: string;
  userLockoutAction?: 'disable' | 'remove';
  userPasswordExpirationAction?: 'disable' | 'remove';
}

/** A v1 RADIUS server (`radiusserver`). */
export interface RadiusServer {
  _id: string;
  name: string;
  organization: string;
  [field: string]: unknown;
}

/**
 * Every `targets` value the spec lets a user or user group be associated with
 * (`graphTargetsUser` / `GraphOperation-User.type`).
 */
export const ASSOCIATION_TARGET_TYPES = [
  'active_directory', 'application', 'g_suite', 'idp_routing_policy', 'ldap_server', 'office_365',
  'password_manager_item', 'radius_server', 'system', 'system_group',
] as const;

/** One of {@link ASSOCIATION_TARGET_TYPES}. */
export type AssociationTargetType = (typeof ASSOCIATION_TARGET_TYPES)[number];

/** The target types the emulator holds objects for; the others can never be found. */
export const EMULATED_TARGET_TYPES = ['system', 'system_group', 'application', 'ldap_server', 'radius_server'] as const;

/** One of {@link EMULATED_TARGET_TYPES}. */
export type EmulatedTargetType = (typeof EMULATED_TARGET_TYPES)[number];

/** A direct association edge from a user or user group to a resource (graph `GraphConnection`). */
export interface AssociationEdge {
  fromType: 'user' | 'user_group';
  fromId: string;
  toType: EmulatedTargetType;
  toId: string;
  /** Edge attributes, e.g. `{ sudo: { enabled, withoutPassword } }` on system bindings. */
  attributes?: Record<string, unknown>;
}

/** The built-in device commands (`POST /api/systems/{system_id}/command/builtin/{command}`). */
export const BUILTIN_COMMANDS = ['erase', 'lock', 'restart', 'shutdown'] as const;

/** One of {@link BUILTIN_COMMANDS}. */
export type BuiltinCommand = (typeof BUILTIN_COMMANDS)[number];

/**
 * A built-in command the emulator accepted (it answers 201 "Command created" with no body, as
 * the documents say; this record is what an admin route shows tests, not an API shape).
 */
export interface IssuedCommand {
  /** An id of the emulator's own, so that tests can tell two sends of the same command apart. */
  id: string;
  systemId: string;
  command: BuiltinCommand;
  /** When it was accepted, ISO-8601. */
  at: string;
}

/** True when `value` is one of the emulated target types. */
export function isEmulatedTargetType(value: string): value is EmulatedTargetType {
  return (EMULATED_TARGET_TYPES as readonly string[]).includes(value);
}
