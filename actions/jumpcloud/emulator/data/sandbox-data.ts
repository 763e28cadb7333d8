/**
 * The org file format of the sandbox (`examples/sandbox/org.json`, `idflow sandbox --data`).
 *
 * @remarks
 * Written for humans: objects refer to each other by name (a user's `"groups": ["Engineering"]`,
 * `"manager": "jane.doe"`), and get stable ids derived from their kind and name unless an `id`
 * is given. Names are the reference keys: `username` for users, `displayName` for systems,
 * `displayLabel` for applications, `name` for everything else. The JSON Schema below is the
 * structural check; {@link checkSandboxData} adds the reference and uniqueness checks.
 */

/** A binding to a system, optionally with sudo rights on it. */
export type SystemBinding = string | { name: string; sudo?: { enabled: boolean; withoutPassword: boolean } };

/** A user in the org file. */
export interface SandboxUser {
  id?: string;
  username: string;
  email: string;
  firstname?: string;
  lastname?: string;
  middlename?: string;
  displayname?: string;
  alternateEmail?: string;
  department?: string;
  jobTitle?: string;
  company?: string;
  costCenter?: string;
  employeeType?: string;
  employeeIdentifier?: string;
  location?: string;
  description?: string;
  state?: 'STAGED' | 'ACTIVATED' | 'SUSPENDED';
  /** The manager's username. */
  manager?: string;
  /** User group names (static groups; dynamic groups list their members themselves). */
  groups?: string[];
  systems?: SystemBinding[];
  systemGroups?: string[];
  applications?: string[];
  ldapServers?: string[];
  radiusServers?: string[];
  ldap_binding_user?: boolean;
  sudo?: boolean;
  passwordless_sudo?: boolean;
  samba_service_user?: boolean;
  password_never_expires?: boolean;
  account_locked?: boolean;
  enable_user_portal_multifactor?: boolean;
  allow_public_key?: boolean;
  mfa?: {
    /** TOTP enrolled. */
    totp?: boolean;
    /** JumpCloud Protect push devices. */
    pushEndpoints?: Array<{ name: string; make?: string; model?: string; os?: string; osVersion?: string; appVersion?: string; enrollmentDate?: string; lastUsedDate?: string }>;
    exclusion?: boolean;
    exclusionUntil?: string;
  };
  sshKeys?: Array<{ name: string; public_key: string; create_date?: string }>;
  attributes?: Array<{ name: string; value: string }>;
  phoneNumbers?: Array<{ type?: string; number: string }>;
  addresses?: Array<Record<string, string>>;
  created?: string;
  /** Created this many days before the emulator starts (instead of a fixed `created`), so the data never ages. */
  createdDaysAgo?: number;
  /**
   * The user's authentication history, turned into Directory Insights events (dated relative to
   * the emulator's start) when the organisation is loaded: what the inactive-users finder reads.
   */
  logins?: SandboxLogin[];
}

/** How a user authenticated, and the Directory Insights event type and service each becomes. */
export type LoginChannel = 'user_portal' | 'sso' | 'ldap' | 'radius' | 'system';

/** One authentication of a user, some days before the emulator starts. */
export interface SandboxLogin {
  daysAgo: number;
  via: LoginChannel;
  /** For `sso`: the application's displayLabel. */
  application?: string;
  /** For `system`: the system's displayName. */
  system?: string;
  /** For `radius`: the RADIUS server's name. */
  radiusServer?: string;
  /** For `ldap`: the LDAP server's name. */
  ldapServer?: string;
  /** A failed attempt (default: it succeeded). */
  success?: boolean;
}

/** A user group; dynamic groups (`DYNAMIC_*`) list their current members here. */
export interface SandboxUserGroup {
  id?: string;
  name: string;
  description?: string;
  email?: string;
  membershipMethod?: 'NOTSET' | 'STATIC' | 'DYNAMIC_REVIEW_REQUIRED' | 'DYNAMIC_AUTOMATED';
  memberQuery?: { queryType?: 'Filter' | 'FilterQuery' | 'Search'; filters?: string[]; searchFilters?: string };
  /** Usernames. */
  members?: string[];
  systems?: SystemBinding[];
  systemGroups?: string[];
  applications?: string[];
  ldapServers?: string[];
  radiusServers?: string[];
}

/** A system (device). */
export interface SandboxSystem {
  id?: string;
  displayName: string;
  hostname?: string;
  os?: string;
  /** Added this many days before the emulator starts (instead of a fixed `created`). */
  createdDaysAgo?: number;
  /** Last checked in this many days before the emulator starts (instead of a fixed `lastContact`). */
  lastContactDaysAgo?: number;
  /** Full disk encryption as the agent reports it. */
  fde?: { active: boolean; keyPresent?: boolean };
  /** What each policy applied to the system last reported (policies by name). */
  policyResults?: Array<{ policy: string; success: boolean; detail?: string }>;
  [field: string]: unknown;
}

/** A policy (v2 `/policies`), named by systems' `policyResults`. */
export interface SandboxPolicy {
  id?: string;
  name: string;
  /** The policy template's name, e.g. `mac_disk_encryption`. */
  template?: string;
  osFamily?: string;
}

/** A system group and its member systems (by displayName). */
export interface SandboxSystemGroup {
  id?: string;
  name: string;
  description?: string;
  systems?: string[];
}

/** An SSO application. */
export interface SandboxApplication {
  id?: string;
  displayLabel: string;
  name?: string;
  ssoUrl?: string;
  [field: string]: unknown;
}

/** An LDAP server. */
export interface SandboxLdapServer {
  id?: string;
  name: string;
  userLockoutAction?: 'disable' | 'remove';
  userPasswordExpirationAction?: 'disable' | 'remove';
}

/** A RADIUS server. */
export interface SandboxRadiusServer {
  id?: string;
  name: string;
  [field: string]: unknown;
}

/** A whole org file. */
export interface SandboxData {
  organization?: { id?: string; name?: string; adminEmail?: string };
  users?: SandboxUser[];
  userGroups?: SandboxUserGroup[];
  systems?: SandboxSystem[];
  systemGroups?: SandboxSystemGroup[];
  applications?: SandboxApplication[];
  ldapServers?: SandboxLdapServer[];
  radiusServers?: SandboxRadiusServer[];
  policies?: SandboxPolicy[];
  /**
   * idflow organisation variables this organisation defines (e.g. `it_team_emails`,
   * `jumpcloud_removal_mode`): with `--sandbox` they fill the `vars:` a workflow declares that
   * the config does not set. Not part of the emulated API.
   */
  vars?: Record<string, unknown>;
  /**
   * Accounts (ids, usernames or emails) the sandbox's `jumpcloud` connection protects
   * (`protected_accounts`): they can never be disabled or deleted. Not part of the emulated API.
   */
  protectedAccounts?: string[];
}

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const int = { type: 'integer' } as const;
const names = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const id = { type: 'string', pattern: '^[0-9a-f]{24}$' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const daysAgo = { type: 'integer', minimum: 0, maximum: 3650 } as const;
const systemBindings = {
  type: 'array',
  items: {
    anyOf: [
      { type: 'string', minLength: 1 },
      {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          sudo: { type: 'object', additionalProperties: false, required: ['enabled', 'withoutPassword'], properties: { enabled: bool, withoutPassword: bool } },
        },
      },
    ],
  },
} as const;

/** The structural JSON Schema of an org file (compiled once with the project's ajv). */
export const SANDBOX_DATA_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: str,
    organization: { type: 'object', additionalProperties: false, properties: { id, name: str, adminEmail: { type: 'string', format: 'email' } } },
    users: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'email'],
        properties: {
          id, username: { type: 'string', minLength: 1 }, email: { type: 'string', format: 'email' },
          firstname: str, lastname: str, middlename: str, displayname: str, alternateEmail: str, department: str, jobTitle: str,
          company: str, costCenter: str, employeeType: str, employeeIdentifier: str, location: str, description: str,
          state: { enum: ['STAGED', 'ACTIVATED', 'SUSPENDED'] },
          manager: { type: 'string', minLength: 1 },
          groups: names, systems: systemBindings, systemGroups: names, applications: names, ldapServers: names, radiusServers: names,
          ldap_binding_user: bool, sudo: bool, passwordless_sudo: bool, samba_service_user: bool, password_never_expires: bool,
          account_locked: bool, enable_user_portal_multifactor: bool, allow_public_key: bool,
          mfa: {
            type: 'object',
            additionalProperties: false,
            properties: {
              totp: bool,
              exclusion: bool,
              exclusionUntil: dateTime,
              pushEndpoints: {
                type: 'array',
                items: {
                  type: 'object', additionalProperties: false, required: ['name'],
                  properties: { name: str, make: str, model: str, os: str, osVersion: str, appVersion: str, enrollmentDate: dateTime, lastUsedDate: dateTime },
                },
              },
            },
          },
          sshKeys: {
            type: 'array',
            items: { type: 'object', additionalProperties: false, required: ['name', 'public_key'], properties: { name: { type: 'string', minLength: 1 }, public_key: { type: 'string', pattern: '^\\S+ \\S+' }, create_date: dateTime } },
          },
          attributes: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['name', 'value'], properties: { name: str, value: str } } },
          phoneNumbers: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['number'], properties: { type: str, number: str } } },
          addresses: { type: 'array', items: { type: 'object', additionalProperties: str } },
          created: dateTime,
          createdDaysAgo: daysAgo,
          logins: {
            type: 'array',
            items: {
              type: 'object', additionalProperties: false, required: ['daysAgo', 'via'],
              properties: {
                daysAgo, via: { enum: ['user_portal', 'sso', 'ldap', 'radius', 'system'] }, application: { type: 'string', minLength: 1 }, system: { type: 'string', minLength: 1 },
                radiusServer: { type: 'string', minLength: 1 }, ldapServer: { type: 'string', minLength: 1 }, success: bool,
              },
            },
          },
        },
      },
    },
    userGroups: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          id, name: { type: 'string', minLength: 1 }, description: str, email: str,
          membershipMethod: { enum: ['NOTSET', 'STATIC', 'DYNAMIC_REVIEW_REQUIRED', 'DYNAMIC_AUTOMATED'] },
          memberQuery: { type: 'object', additionalProperties: false, properties: { queryType: { enum: ['Filter', 'FilterQuery', 'Search'] }, filters: { type: 'array', items: str }, searchFilters: str } },
          members: names, systems: systemBindings, systemGroups: names, applications: names, ldapServers: names, radiusServers: names,
        },
      },
    },
    systems: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['displayName'],
        properties: {
          id, displayName: { type: 'string', minLength: 1 }, hostname: str, os: str, osFamily: str, version: str, arch: str, archFamily: str,
          serialNumber: str, hwVendor: str, active: bool, agentVersion: str, description: str, lastContact: dateTime, remoteIP: str,
          templateName: str, systemTimezone: int, amazonInstanceID: str, allowMultiFactorAuthentication: bool,
          allowPublicKeyAuthentication: bool, allowSshPasswordAuthentication: bool, allowSshRootLogin: bool, desktopCapable: bool,
          created: dateTime, createdDaysAgo: daysAgo, lastContactDaysAgo: daysAgo,
          fde: { type: 'object', additionalProperties: false, required: ['active'], properties: { active: bool, keyPresent: bool } },
          policyResults: {
            type: 'array',
            items: { type: 'object', additionalProperties: false, required: ['policy', 'success'], properties: { policy: { type: 'string', minLength: 1 }, success: bool, detail: str } },
          },
        },
      },
    },
    systemGroups: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['name'], properties: { id, name: { type: 'string', minLength: 1 }, description: str, systems: names } },
    },
    applications: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['displayLabel'],
        properties: {
          id, displayLabel: { type: 'string', minLength: 1 }, name: str, displayName: str, ssoUrl: str, description: str, active: bool, beta: bool,
          learnMore: str, color: { enum: ['#202D38', '#005466', '#3E8696', '#006CAC', '#0617AC', '#7C6ADA', '#D5779D', '#9E2F00', '#FFB000', '#58C469', '#57C49F', '#FF6C03'] },
          created: dateTime,
        },
      },
    },
    ldapServers: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['name'],
        properties: { id, name: { type: 'string', minLength: 1 }, userLockoutAction: { enum: ['disable', 'remove'] }, userPasswordExpirationAction: { enum: ['disable', 'remove'] } },
      },
    },
    radiusServers: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['name'],
        properties: {
          id, name: { type: 'string', minLength: 1 }, networkSourceIp: str, mfa: { enum: ['DISABLED', 'ENABLED', 'REQUIRED', 'ALWAYS'] },
          authIdp: { enum: ['JUMPCLOUD', 'AZURE'] }, userLockoutAction: str, userPasswordExpirationAction: str, userPasswordEnabled: bool,
          deviceCertEnabled: bool, userCertEnabled: bool, requireTlsAuth: bool, radsecEnabled: bool, requireRadsec: bool,
        },
      },
    },
    policies: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['name'], properties: { id, name: { type: 'string', minLength: 1 }, template: str, osFamily: str } },
    },
    // idflow variable names follow the workflow language's rule for vars: names.
    vars: { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
    protectedAccounts: names,
  },
} as const;
