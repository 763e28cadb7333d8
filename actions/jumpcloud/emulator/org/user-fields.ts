/**
 * The writable fields of a v1 system user, with their types, from the spec's `systemuserputpost`
 * (create) and `systemuserput` (update) definitions. Used to check request bodies field by field
 * so a wrong type gets a 400 naming the field, as JumpCloud's `ErrorDetails` does.
 */

/** How a field's value is checked. */
export type FieldKind =
  | { type: 'string'; maxLength?: number; enum?: readonly string[]; nullable?: boolean }
  | { type: 'boolean' }
  | { type: 'integer'; minimum?: number }
  | { type: 'array'; items: 'object' | 'string' }
  | { type: 'object'; nullable?: boolean };

const text = { type: 'string', maxLength: 1024 } as const;
const flag = { type: 'boolean' } as const;

/** Fields accepted on both create and update. */
const COMMON: Record<string, FieldKind> = {
  account_locked: flag,
  addresses: { type: 'array', items: 'object' },
  allow_public_key: flag,
  alternateEmail: { type: 'string' },
  attributes: { type: 'array', items: 'object' },
  company: text,
  costCenter: text,
  delegatedAuthority: { type: 'object', nullable: true },
  department: text,
  description: text,
  disableDeviceMaxLoginAttempts: flag,
  displayname: text,
  email: text,
  employeeIdentifier: { type: 'string', maxLength: 256 },
  employeeType: text,
  enable_managed_uid: flag,
  enable_user_portal_multifactor: flag,
  external_dn: { type: 'string' },
  external_password_expiration_date: { type: 'string' },
  external_source_type: { type: 'string' },
  externally_managed: flag,
  firstname: text,
  jobTitle: text,
  lastname: text,
  ldap_binding_user: flag,
  location: text,
  managedAppleId: text,
  // PowerShell's Set-JCUser clears the manager with `null`, so null is accepted too.
  manager: { type: 'string', nullable: true },
  mfa: { type: 'object' },
  middlename: text,
  password: { type: 'string' },
  password_never_expires: flag,
  passwordless_sudo: flag,
  phoneNumbers: { type: 'array', items: 'object' },
  public_key: { type: 'string' },
  recoveryEmail: { type: 'object' },
  relationships: { type: 'array', items: 'object' },
  restrictedFields: { type: 'array', items: 'object' },
  samba_service_user: flag,
  sudo: flag,
  suspended: flag,
  unix_guid: { type: 'integer', minimum: 1 },
  unix_uid: { type: 'integer', minimum: 1 },
  username: text,
};

/** `systemuserputpost`: the create body. */
export const CREATE_FIELDS: Record<string, FieldKind> = {
  ...COMMON,
  activated: flag,
  state: { type: 'string', enum: ['STAGED', 'ACTIVATED', 'SUSPENDED'] },
};

/** `systemuserput`: the update body (state can only be ACTIVATED or SUSPENDED here). */
export const UPDATE_FIELDS: Record<string, FieldKind> = {
  ...COMMON,
  ssh_keys: { type: 'array', items: 'object' },
  state: { type: 'string', enum: ['ACTIVATED', 'SUSPENDED'] },
};

/** Why `value` does not fit `kind`, or undefined when it does. */
export function checkField(kind: FieldKind, value: unknown): string | undefined {
  if (value === null) return 'nullable' in kind && kind.nullable === true ? undefined : 'must not be null';
  switch (kind.type) {
    case 'string':
      if (typeof value !== 'string') return `must be a string, not ${describe(value)}`;
      if (kind.maxLength !== undefined && value.length > kind.maxLength) return `must be at most ${kind.maxLength} characters`;
      if (kind.enum !== undefined && !kind.enum.includes(value)) return `must be one of ${kind.enum.join(', ')}`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, not ${describe(value)}`;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return `must be an integer, not ${describe(value)}`;
      return kind.minimum !== undefined && value < kind.minimum ? `must be at least ${kind.minimum}` : undefined;
    case 'array':
      if (!Array.isArray(value)) return `must be an array, not ${describe(value)}`;
      for (const [i, item] of value.entries()) {
        if (kind.items === 'string' ? typeof item !== 'string' : !isPlainObject(item)) return `item ${i} must be ${kind.items === 'string' ? 'a string' : 'an object'}`;
      }
      return undefined;
    case 'object':
      return isPlainObject(value) ? undefined : `must be an object, not ${describe(value)}`;
  }
}

/** True for `{...}` values (not arrays, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a JSON value's type for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
