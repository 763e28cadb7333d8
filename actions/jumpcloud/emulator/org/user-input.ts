import { badRequest, type FieldViolation } from '../http/api-error.js';
import { isObjectId } from '../object-id.js';
import type { OrgState } from './org-state.js';
import { overallStatus } from './org-state.js';
import type { SshKey, SystemUser, UserState } from './records.js';
import { CREATE_FIELDS, UPDATE_FIELDS, checkField, isPlainObject, type FieldKind } from './user-fields.js';

/**
 * Turning `POST /api/systemusers` and `PUT /api/systemusers/{id}` bodies into user records.
 *
 * @remarks
 * Known fields are checked against the spec's types; every problem is reported at once as an
 * `ErrorDetails` 400 with one field violation each. Fields the spec does not list for the body
 * (read-only ones such as `_id`, `created`, `totp_enabled`, or unknown names) are ignored, as a
 * JSON API normally does. Passwords are never stored: setting one only stamps `password_date`.
 */

/** Builds a complete new user from a create body; throws a 400 listing every problem. */
export function userFromCreateBody(state: OrgState, body: unknown, now = new Date()): SystemUser {
  const values = checkBody(body, CREATE_FIELDS);
  const violations: FieldViolation[] = [];
  for (const field of ['username', 'email'] as const) {
    if (typeof values[field] !== 'string' || (values[field] as string).trim() === '') violations.push({ field, description: 'required' });
  }
  violations.push(...checkEmail(values['email']), ...checkNested(values), ...checkManager(state, values['manager'], undefined));
  if (values['state'] !== undefined && values['suspended'] !== undefined && (values['state'] === 'SUSPENDED') !== values['suspended']) {
    violations.push({ field: 'suspended', description: `contradicts state ${String(values['state'])}` });
  }
  if (violations.length > 0) throw badRequest(describeViolations(violations), violations);

  const userState: UserState = (values['state'] as UserState | undefined) ?? (values['suspended'] === true ? 'SUSPENDED' : 'ACTIVATED');
  const { password, manager, ...rest } = values;
  const unixId = state.nextUnixId();
  const user: SystemUser = {
    ...defaultUserFields(),
    unix_uid: unixId,
    unix_guid: unixId,
    ...rest,
    _id: state.newId(),
    username: values['username'] as string,
    email: values['email'] as string,
    state: userState,
    suspended: userState === 'SUSPENDED',
    activated: typeof values['activated'] === 'boolean' ? values['activated'] : userState !== 'STAGED',
    organization: state.organizationId,
    created: now.toISOString(),
    ssh_keys: [],
    mfa: { configured: false, exclusion: false, ...(isPlainObject(values['mfa']) ? values['mfa'] : {}) },
    mfaEnrollment: notEnrolled(),
    totp_enabled: false,
    ldap_binding_user: values['ldap_binding_user'] === true,
  };
  if (typeof manager === 'string' && manager !== '') user.manager = manager;
  if (typeof password === 'string') user['password_date'] = now.toISOString();
  return user;
}

/** Applies an update body to a user (merging fields); throws a 400 listing every problem. */
export function userFromUpdateBody(state: OrgState, current: SystemUser, body: unknown, now = new Date()): { next: SystemUser; passwordChanged: boolean } {
  const values = checkBody(body, UPDATE_FIELDS);
  const violations: FieldViolation[] = [];
  for (const field of ['username', 'email'] as const) {
    if (values[field] !== undefined && (values[field] as string).trim() === '') violations.push({ field, description: 'must not be empty' });
  }
  if (values['email'] !== undefined) violations.push(...checkEmail(values['email']));
  violations.push(...checkNested(values), ...checkManager(state, values['manager'], current._id));
  if (values['state'] !== undefined && values['suspended'] !== undefined && (values['state'] === 'SUSPENDED') !== values['suspended']) {
    violations.push({ field: 'suspended', description: `contradicts state ${String(values['state'])}` });
  }
  if (violations.length > 0) throw badRequest(describeViolations(violations), violations);

  const { password, manager, ssh_keys: sshKeys, mfa, state: requestedState, suspended, ...rest } = values;
  const next: SystemUser = { ...structuredClone(current), ...rest };
  if (manager !== undefined) {
    if (typeof manager === 'string' && manager !== '') next.manager = manager;
    else delete next.manager;
  }
  if (isPlainObject(mfa)) next.mfa = { ...next.mfa, ...mfa };
  if (Array.isArray(sshKeys)) {
    next.ssh_keys = sshKeys.map((k): SshKey => {
      const key = k as { name: string; public_key: string };
      return { _id: state.newId(), name: key.name, public_key: key.public_key, create_date: now.toISOString() };
    });
  }
  // `state` and `suspended` are two views of one fact; PowerShell's Set-JCUser sends both, the
  // Slack app only `suspended`. Either one moves both, and an unsuspended user returns to
  // ACTIVATED (or STAGED if it never activated).
  const targetState: UserState | undefined = requestedState !== undefined
    ? (requestedState as UserState)
    : suspended === true ? 'SUSPENDED'
    : suspended === false && current.state === 'SUSPENDED' ? (current.activated ? 'ACTIVATED' : 'STAGED')
    : undefined;
  if (targetState !== undefined) {
    next.state = targetState;
    next.suspended = targetState === 'SUSPENDED';
    if (targetState === 'ACTIVATED') next.activated = true;
  }
  const passwordChanged = typeof password === 'string';
  if (passwordChanged) {
    next['password_date'] = now.toISOString();
    next['password_expired'] = false;
  }
  return { next, passwordChanged };
}

/** Checks a body's known fields; returns them (and only them). */
function checkBody(body: unknown, fields: Record<string, FieldKind>): Record<string, unknown> {
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object');
  const violations: FieldViolation[] = [];
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    const kind = fields[field];
    if (kind === undefined) continue;
    const problem = checkField(kind, value);
    if (problem !== undefined) violations.push({ field, description: problem });
    else values[field] = value;
  }
  if (violations.length > 0) throw badRequest(describeViolations(violations), violations);
  return values;
}

function checkEmail(value: unknown): FieldViolation[] {
  return typeof value === 'string' && !/^[^\s@]+@[^\s@]+$/.test(value) ? [{ field: 'email', description: 'must be an email address' }] : [];
}

/** The nested shapes the spec gives for `mfa`, `attributes` and `ssh_keys`. */
function checkNested(values: Record<string, unknown>): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const mfa = values['mfa'];
  if (isPlainObject(mfa)) {
    for (const flag of ['configured', 'exclusion']) {
      if (mfa[flag] !== undefined && typeof mfa[flag] !== 'boolean') violations.push({ field: `mfa.${flag}`, description: 'must be true or false' });
    }
    const days = mfa['exclusionDays'];
    if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1)) violations.push({ field: 'mfa.exclusionDays', description: 'must be an integer of at least 1' });
    const until = mfa['exclusionUntil'];
    if (until !== undefined && !isDateTime(until)) violations.push({ field: 'mfa.exclusionUntil', description: 'must be an RFC 3339 date-time' });
  }
  const attributes = values['attributes'];
  if (Array.isArray(attributes)) {
    attributes.forEach((a: Record<string, unknown>, i) => {
      if (typeof a['name'] !== 'string' || a['name'] === '') violations.push({ field: `attributes[${i}].name`, description: 'required string' });
      if (a['value'] !== undefined && typeof a['value'] !== 'string') violations.push({ field: `attributes[${i}].value`, description: 'must be a string' });
    });
  }
  const keys = values['ssh_keys'];
  if (Array.isArray(keys)) {
    keys.forEach((k: Record<string, unknown>, i) => {
      for (const field of ['name', 'public_key']) {
        if (typeof k[field] !== 'string' || k[field] === '') violations.push({ field: `ssh_keys[${i}].${field}`, description: 'required string' });
      }
    });
  }
  return violations;
}

function checkManager(state: OrgState, manager: unknown, selfId: string | undefined): FieldViolation[] {
  if (typeof manager !== 'string' || manager === '') return [];
  if (!isObjectId(manager)) return [{ field: 'manager', description: `must be a user id (24 hex characters), not "${manager}"` }];
  if (manager === selfId) return [{ field: 'manager', description: 'a user cannot be their own manager' }];
  return state.users.has(manager) ? [] : [{ field: 'manager', description: `no user with id "${manager}"` }];
}

/** RFC 3339 date-time as the spec's `format: date-time` means it. */
export function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value));
}

function describeViolations(violations: FieldViolation[]): string {
  return violations.map((v) => `${v.field} ${v.description}`).join('; ');
}

/** Every factor not enrolled. */
function notEnrolled(): SystemUser['mfaEnrollment'] {
  const base = { totpStatus: 'NOT_ENROLLED', pushStatus: 'NOT_ENROLLED', webAuthnStatus: 'NOT_ENROLLED', jcGoStatus: 'NOT_ENROLLED' } as const;
  return { ...base, overallStatus: overallStatus(base) };
}

/** The fields a new user has before the body's values are applied (what JumpCloud returns for an empty profile). */
export function defaultUserFields(): Record<string, unknown> {
  return {
    account_locked: false,
    addresses: [],
    allow_public_key: true,
    attributes: [],
    badLoginAttempts: 0,
    company: '',
    costCenter: '',
    department: '',
    description: '',
    disableDeviceMaxLoginAttempts: false,
    displayname: '',
    employeeType: '',
    enable_managed_uid: false,
    enable_user_portal_multifactor: false,
    externally_managed: false,
    firstname: '',
    jobTitle: '',
    lastname: '',
    location: '',
    middlename: '',
    password_expired: false,
    password_never_expires: false,
    passwordless_sudo: false,
    phoneNumbers: [],
    public_key: '',
    relationships: [],
    restrictedFields: [],
    samba_service_user: false,
    sudo: false,
  };
}
