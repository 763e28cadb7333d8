/**
 * The JumpCloud objects idflow reads and writes, typed from JumpCloud's own OpenAPI documents
 * (jcapi-powershell `JumpCloud.SDK.V1.json` / `JumpCloud.SDK.V2.json` /
 * `JumpCloud.SDK.DirectoryInsights.json`, 2026-03-31; MIT, Copyright (c) 2020 TheJumpCloud).
 *
 * @remarks
 * The documents mark almost nothing as required, and real responses omit fields freely, so
 * every field is optional except the ids every returned object carries. v1 objects are keyed by
 * `_id`, v2 and graph objects by `id`; both are 24-hex MongoDB ObjectIds.
 */

// ---------------------------------------------------------------------------------------------
// v1: system users (`systemuserreturn`)
// ---------------------------------------------------------------------------------------------

/** `state` of a system user. `STAGED` users have not been activated yet. */
export type SystemUserState = 'STAGED' | 'ACTIVATED' | 'SUSPENDED';

/** Enrolment status of one MFA factor (`mfaEnrollmentStatus`). */
export type MfaEnrollmentStatus =
  | 'NOT_ENROLLED'
  | 'DISABLED'
  | 'PENDING_ACTIVATION'
  | 'ENROLLMENT_EXPIRED'
  | 'IN_ENROLLMENT'
  | 'PRE_ENROLLMENT'
  | 'ENROLLED';

/** A custom attribute (`attribute`). */
export interface UserAttribute {
  name?: string;
  value?: string;
}

/** The user's MFA settings (`mfa`). */
export interface UserMfa {
  configured?: boolean;
  exclusion?: boolean;
  /** At least 1. */
  exclusionDays?: number;
  /** ISO-8601 date-time. */
  exclusionUntil?: string;
}

/** Per-factor MFA enrolment (`mfaEnrollment`); `jcGoStatus` is new in the 2026 documents. */
export interface UserMfaEnrollment {
  overallStatus?: MfaEnrollmentStatus;
  totpStatus?: MfaEnrollmentStatus;
  pushStatus?: MfaEnrollmentStatus;
  webAuthnStatus?: MfaEnrollmentStatus;
  jcGoStatus?: MfaEnrollmentStatus;
}

/** A postal address of a user. */
export interface UserAddress {
  id?: string;
  type?: string;
  poBox?: string;
  extendedAddress?: string;
  streetAddress?: string;
  locality?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

/** A phone number of a user. */
export interface UserPhoneNumber {
  id?: string;
  number?: string;
  type?: string;
}

/** A field owned by an external source (`restrictedField`). */
export interface RestrictedField {
  field?:
    | 'addresses' | 'company' | 'costCenter' | 'department' | 'description' | 'displayname' | 'email' | 'employeeIdentifier'
    | 'employeeType' | 'firstname' | 'jobTitle' | 'lastname' | 'location' | 'middlename' | 'password' | 'phoneNumbers'
    | 'sudo' | 'username';
  id?: string;
  type?: 'active_directory' | 'federated_identity_provider' | 'scim';
}

/** SSH key metadata as JumpCloud returns it (`sshkeylist`). Only public material exists here. */
export interface SshKey {
  _id: string;
  name?: string;
  /** The public key text (never private material: JumpCloud only stores public keys). */
  public_key?: string;
  create_date?: string;
}

/** Body of `POST /api/systemusers/{id}/sshkeys` (`sshkeypost`); both fields are required. */
export interface SshKeyCreate {
  name: string;
  public_key: string;
}

/** A JumpCloud user as v1 returns it (`systemuserreturn`). */
export interface SystemUser {
  _id: string;
  username?: string;
  email?: string;
  alternateEmail?: string;
  recoveryEmail?: { address?: string; verified?: boolean; verifiedAt?: string };
  firstname?: string;
  middlename?: string;
  lastname?: string;
  displayname?: string;
  state?: SystemUserState;
  activated?: boolean;
  suspended?: boolean;
  account_locked?: boolean;
  account_locked_date?: string | null;
  badLoginAttempts?: number;
  password_expired?: boolean;
  password_never_expires?: boolean;
  password_date?: string | null;
  password_expiration_date?: string | null;
  external_password_expiration_date?: string;
  totp_enabled?: boolean;
  enable_user_portal_multifactor?: boolean;
  mfa?: UserMfa;
  mfaEnrollment?: UserMfaEnrollment;
  ssh_keys?: SshKey[];
  public_key?: string;
  allow_public_key?: boolean;
  attributes?: UserAttribute[];
  /** The manager's user `_id`. */
  manager?: string | null;
  /** "Enable as LDAP Bind DN". */
  ldap_binding_user?: boolean;
  sudo?: boolean;
  passwordless_sudo?: boolean;
  samba_service_user?: boolean;
  unix_uid?: number;
  unix_guid?: number;
  enable_managed_uid?: boolean;
  company?: string;
  costCenter?: string;
  department?: string;
  description?: string;
  employeeType?: string;
  jobTitle?: string;
  location?: string;
  employeeIdentifier?: string;
  addresses?: UserAddress[];
  phoneNumbers?: UserPhoneNumber[];
  relationships?: Array<{ type?: string; value?: string }>;
  managedAppleId?: string;
  disableDeviceMaxLoginAttempts?: boolean;
  external_dn?: string;
  external_source_type?: string;
  /** Deprecated, superseded by `restrictedFields`. */
  externally_managed?: boolean;
  restrictedFields?: RestrictedField[];
  delegatedAuthority?: { id?: string; name?: 'ActiveDirectory' } | null;
  /** Present when the user is also an administrator. */
  admin?: { id?: string; roleName?: string; roleNames?: string[] } | null;
  organization?: string;
  created?: string;
  creationSource?: string;
  /** Only in results of `POST /api/search/systemusers` (`systemuserSearchReturn`): user group ids. */
  memberof?: string[];
}

/**
 * Body of `PUT /api/systemusers/{id}` (`systemuserput`): any subset of the writable fields.
 * `state` may only be `ACTIVATED` or `SUSPENDED` here; `attributes` replaces the whole array.
 */
export interface SystemUserUpdate {
  account_locked?: boolean;
  addresses?: Array<Omit<UserAddress, 'id'>>;
  allow_public_key?: boolean;
  alternateEmail?: string;
  attributes?: UserAttribute[];
  company?: string;
  costCenter?: string;
  department?: string;
  description?: string;
  disableDeviceMaxLoginAttempts?: boolean;
  displayname?: string;
  email?: string;
  employeeIdentifier?: string;
  employeeType?: string;
  enable_managed_uid?: boolean;
  enable_user_portal_multifactor?: boolean;
  external_dn?: string;
  external_password_expiration_date?: string;
  external_source_type?: string;
  firstname?: string;
  jobTitle?: string;
  lastname?: string;
  ldap_binding_user?: boolean;
  location?: string;
  managedAppleId?: string;
  /** A user id, or `null` to clear the manager. */
  manager?: string | null;
  mfa?: UserMfa;
  middlename?: string;
  password?: string;
  password_never_expires?: boolean;
  passwordless_sudo?: boolean;
  phoneNumbers?: Array<Omit<UserPhoneNumber, 'id'>>;
  public_key?: string;
  relationships?: Array<{ type?: string; value?: string }>;
  samba_service_user?: boolean;
  state?: 'ACTIVATED' | 'SUSPENDED';
  sudo?: boolean;
  suspended?: boolean;
  unix_guid?: number;
  unix_uid?: number;
  username?: string;
}

/** Body of `POST /api/systemusers` (`systemuserputpost`); `username` and `email` are required. */
export interface SystemUserCreate extends Omit<SystemUserUpdate, 'state' | 'username' | 'email'> {
  username: string;
  email: string;
  state?: SystemUserState;
  activated?: boolean;
  recoveryEmail?: { address?: string };
}

/** Body of `POST /api/systemusers/{id}/resetmfa`; every field is optional. */
export interface ResetMfaBody {
  exclusion?: boolean;
  /** ISO-8601 date-time by which the user must re-enrol. */
  exclusionUntil?: string;
  /** At least 1. */
  exclusionDays?: number;
}

// ---------------------------------------------------------------------------------------------
// v1: systems, applications, RADIUS servers
// ---------------------------------------------------------------------------------------------

/** A device (`JcSystem`), as `GET /api/systems/{id}` returns it (abridged to the documented scalar fields). */
export interface System {
  _id: string;
  displayName?: string;
  hostname?: string;
  os?: string;
  osFamily?: string;
  version?: string;
  arch?: string;
  active?: boolean;
  agentVersion?: string;
  allowMultiFactorAuthentication?: boolean;
  allowPublicKeyAuthentication?: boolean;
  allowSshPasswordAuthentication?: boolean;
  allowSshRootLogin?: boolean;
  amazonInstanceID?: string;
  attributes?: UserAttribute[];
  created?: string;
  description?: string;
  desktopCapable?: boolean;
  fde?: { active?: boolean; keyPresent?: boolean };
  lastContact?: string | null;
  modifySSHDConfig?: boolean;
  organization?: string;
  remoteIP?: string;
  serialNumber?: string;
  systemTimezone?: number;
  templateName?: string;
  hwVendor?: string;
  networkInterfaces?: Array<{ address?: string; family?: 'IPv4' | 'IPv6'; internal?: boolean; name?: string }>;
  primarySystemUser?: { id?: string | null };
  /** The documents list many more nested fields (MDM, policy stats, OS detail); kept as plain data. */
  [field: string]: unknown;
}

/** An SSO application (`application`, v1). `config`, `name` and `ssoUrl` are required on writes. */
export interface Application {
  _id: string;
  name?: string;
  displayName?: string;
  displayLabel?: string;
  description?: string;
  ssoUrl?: string;
  active?: boolean;
  beta?: boolean;
  color?: string;
  created?: string;
  learnMore?: string;
  logo?: { color?: string; url?: string };
  organization?: string;
  parentApp?: string;
  sso?: {
    beta?: boolean;
    hidden?: boolean;
    idpCertExpirationAt?: string;
    idpCertificateUpdatedAt?: string;
    idpPrivateKeyUpdatedAt?: string;
    jit?: boolean;
    spCertificateUpdatedAt?: string;
    type?: string;
  };
  /** The SAML/OIDC configuration blocks; large and free-form, kept as plain data. */
  config?: Record<string, unknown>;
  databaseAttributes?: unknown[];
}

/** A RADIUS server (`radiusserver`, v1). `sharedSecret` is a secret: never log or record it. */
export interface RadiusServer {
  _id: string;
  name?: string;
  networkSourceIp?: string;
  mfa?: 'DISABLED' | 'ENABLED' | 'REQUIRED' | 'ALWAYS';
  authIdp?: 'JUMPCLOUD' | 'AZURE';
  caCert?: string;
  deviceCertEnabled?: boolean;
  organization?: string;
  radsecEnabled?: boolean;
  requireRadsec?: boolean;
  requireTlsAuth?: boolean;
  sharedSecret?: string;
  userCertEnabled?: boolean;
  userLockoutAction?: string;
  userPasswordEnabled?: boolean;
  userPasswordExpirationAction?: string;
}

// ---------------------------------------------------------------------------------------------
// v2: graph
// ---------------------------------------------------------------------------------------------

/** Every type of node in the JumpCloud graph (`GraphType`). */
export type GraphType =
  | 'active_directory'
  | 'application'
  | 'command'
  | 'g_suite'
  | 'idp_routing_policy'
  | 'ldap_server'
  | 'office_365'
  | 'policy'
  | 'policy_group'
  | 'radius_server'
  | 'password_manager_item'
  | 'system'
  | 'system_group'
  | 'user'
  | 'user_group';

/** What a user (or a user group) can be associated with directly (`GraphOperation-User.type`). */
export type UserAssociationTarget =
  | 'active_directory'
  | 'application'
  | 'g_suite'
  | 'idp_routing_policy'
  | 'ldap_server'
  | 'office_365'
  | 'password_manager_item'
  | 'radius_server'
  | 'system'
  | 'system_group';

/** The `GraphOperation` verbs. */
export type GraphOperationVerb = 'add' | 'remove' | 'update';

/** Attributes on a graph edge (`GraphAttributes`); for systems, `sudo`. */
export interface GraphAttributes {
  sudo?: { enabled?: boolean; withoutPassword?: boolean };
  [attribute: string]: unknown;
}

/** A node reference in the graph (`GraphObject`). */
export interface GraphObject {
  id: string;
  type: GraphType | string;
  attributes?: GraphAttributes | null;
}

/** One edge (`GraphConnection`); `from` is omitted when it is clear from context. */
export interface GraphConnection {
  attributes?: GraphAttributes | null;
  from?: GraphObject;
  to: GraphObject;
}

/**
 * A node reached by traversal (`GraphObjectWithPaths`): every path from the user to it. A path
 * of one edge is a direct binding; a longer one goes through groups.
 */
export interface GraphObjectWithPaths {
  id: string;
  type: GraphType;
  paths: GraphConnection[][];
  compiledAttributes?: GraphAttributes;
  externalId?: string;
  syncStatus?: { code?: number; message?: string; syncedAt?: string; details?: Array<Record<string, unknown>> };
}

/** How a group's members are decided (`GroupMembershipMethodType`). Dynamic groups follow a rule. */
export type GroupMembershipMethod = 'NOTSET' | 'STATIC' | 'DYNAMIC_REVIEW_REQUIRED' | 'DYNAMIC_AUTOMATED';

/** The rule of a dynamic group (`MemberQuery`). */
export interface MemberQuery {
  queryType?: 'Filter' | 'FilterQuery' | 'Search';
  searchFilters?: string;
  filters?: string[];
}

/** A user group (`UserGroup`, v2). */
export interface UserGroup {
  id: string;
  name: string;
  type?: 'user_group';
  description?: string;
  email?: string;
  attributes?: GraphAttributes;
  membershipMethod?: GroupMembershipMethod;
  memberQuery?: MemberQuery;
  memberQueryErrorFlags?: string[];
  memberQueryExemptions?: GraphObject[];
  memberSuggestionsNotify?: boolean;
  organizationObjectId?: string;
  suggestionCounts?: { add?: number; remove?: number; total?: number };
}

/** Body of `POST /api/v2/usergroups` (`UserGroupPost`); `name` is required. */
export interface UserGroupCreate {
  name: string;
  description?: string;
  email?: string;
  attributes?: GraphAttributes;
  membershipMethod?: GroupMembershipMethod;
  memberQuery?: MemberQuery;
  memberQueryExemptions?: GraphObject[];
  memberSuggestionsNotify?: boolean;
}

/** A device group (`SystemGroup`, v2). */
export interface SystemGroup {
  id: string;
  name: string;
  type?: 'system_group';
  description?: string;
  email?: string;
  attributes?: GraphAttributes;
  membershipMethod?: GroupMembershipMethod;
  memberQuery?: MemberQuery;
  memberQueryErrorFlags?: string[];
  memberQueryExemptions?: GraphObject[];
  memberSuggestionsNotify?: boolean;
  organizationObjectId?: string;
}

/** An LDAP server (`ldap-server`, v2). */
export interface LdapServer {
  id: string;
  name?: string;
  userLockoutAction?: 'disable' | 'remove';
  userPasswordExpirationAction?: 'disable' | 'remove';
}

/** A JumpCloud Protect push endpoint (`PushEndpointResponse`, v2). */
export interface PushEndpoint {
  id: string;
  name?: string;
  state?: string;
  enrollmentDate?: string;
  lastUsedDate?: string;
  device?: { appVersion?: string; make?: string; model?: string; os?: string; osVersion?: string; uvEnabled?: boolean };
}

// ---------------------------------------------------------------------------------------------
// Directory Insights
// ---------------------------------------------------------------------------------------------

/** The `service` values of a Directory Insights query (`EventServiceTimeQuery.service`). */
export type DirectoryInsightsService =
  | 'alerts'
  | 'all'
  | 'directory'
  | 'ldap'
  | 'mdm'
  | 'notifications'
  | 'object_storage'
  | 'password_manager'
  | 'radius'
  | 'reports'
  | 'saas_app_management'
  | 'software'
  | 'sso'
  | 'systems'
  | 'access_management'
  | 'asset_management';

/** Body of `POST /insights/directory/v1/events` (`EventQuery`), as JumpCloud names the fields. */
export interface DirectoryEventQueryBody {
  service: DirectoryInsightsService[];
  /** RFC 3339 UTC. */
  start_time: string;
  end_time?: string;
  exact_match?: string;
  fields?: string[];
  /** Rows per page; JumpCloud's default is 1,000 and its maximum 10,000. */
  limit?: number;
  q?: string;
  /** The `X-Search_after` value of the previous page. */
  search_after?: Array<string | number>;
  search_term?: { and?: unknown; or?: unknown; not?: unknown };
  skip?: number;
  /** `ASC` (default) or `DESC`, on the event timestamp. */
  sort?: 'ASC' | 'DESC';
}

/**
 * One Directory Insights event. The fields vary with the service and event type; these are the
 * documented "Directory Attributes" (everything else stays available as plain data).
 */
export interface DirectoryEvent {
  id: string;
  event_type: string;
  /** RFC 3339 UTC. */
  timestamp: string;
  service?: string;
  organization?: string;
  success?: boolean;
  client_ip?: string;
  auth_method?: string;
  mfa?: boolean;
  provider?: string | null;
  /** Who did it, e.g. `{ "id": "...", "type": "admin", "email": "..." }`. */
  initiated_by?: { id?: string; type?: string; email?: string; username?: string; [field: string]: unknown };
  /** What changed or attempted the login, e.g. `{ "type": "user", "id": "...", "username": "..." }`. */
  resource?: { id?: string; type?: string; username?: string; email?: string; name?: string; [field: string]: unknown };
  /** A change in association, e.g. a user added to a group. */
  association?: Record<string, unknown>;
  changes?: Array<{ field?: string; from?: unknown; to?: unknown }>;
  correlation?: { id?: string; type?: string };
  application?: { id?: string; name?: string; [field: string]: unknown };
  system?: { id?: string; hostname?: string; displayName?: string; [field: string]: unknown };
  [field: string]: unknown;
}
