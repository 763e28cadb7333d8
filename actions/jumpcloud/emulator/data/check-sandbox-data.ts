import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../../../../engine/schema/ajv.js';
import { didYouMean } from '../../../../engine/diagnostics/suggest.js';
import { deterministicObjectId } from '../object-id.js';
import { SANDBOX_DATA_SCHEMA, type SandboxData, type SandboxLogin, type SystemBinding } from './sandbox-data.js';

/** One problem in an org file, located by JSON pointer (positions are added by the loader). */
export interface DataProblem {
  /** JSON pointer of the offending value (or of the key, for unknown keys). */
  path: string;
  /** Stable code: `unknown-key`, `missing-key`, `wrong-type`, `bad-value`, `bad-object-id`, `duplicate-id`, `duplicate-name`, `unknown-reference`. */
  code: string;
  message: string;
  suggestion?: string;
  /** Point at the key rather than the value (unknown keys). */
  atKey?: boolean;
}

let validator: ValidateFunction | undefined;

/** Compiled once: compiling per call leaks (see the ajv notes in the project guides). */
function validate(value: unknown): ErrorObject[] {
  validator ??= createAjv().compile(SANDBOX_DATA_SCHEMA);
  return validator(value) ? [] : [...(validator.errors ?? [])];
}

/**
 * Every problem in an org file: its structure (unknown or missing fields, wrong types, malformed
 * ObjectIds), duplicate names and ids, and references to objects that do not exist (with a
 * "did you mean" for near misses). An empty list means the data can be loaded.
 */
export function checkSandboxData(value: unknown): DataProblem[] {
  const problems = structuralProblems(value);
  if (problems.length > 0) return problems;
  return referenceProblems(value as SandboxData);
}

function structuralProblems(value: unknown): DataProblem[] {
  const errors = validate(value);
  // An `anyOf` failure (system bindings) also reports each branch's errors; keep only the summary.
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath);
  return errors
    .filter((e) => e.keyword === 'anyOf' || !anyOfPaths.some((p) => e.instancePath.startsWith(p) && e.schemaPath.includes('/anyOf/')))
    // A bad name under `vars` is reported twice (its pattern, then `propertyNames`); keep the summary.
    .filter((e) => e.propertyName === undefined)
    .map((e) => describeError(e));
}

function describeError(error: ErrorObject): DataProblem {
  const where = humanPath(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty']);
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      const suggestion = didYouMean(key, known);
      return { path: `${error.instancePath}/${escapePointer(key)}`, code: 'unknown-key', atKey: true, message: `${where}: unknown field "${key}"; known fields: ${known.join(', ')}`, ...(suggestion ? { suggestion } : {}) };
    }
    case 'required':
      return { path: error.instancePath, code: 'missing-key', message: `${where}: missing required field "${String(error.params['missingProperty'])}"` };
    case 'type':
      return { path: error.instancePath, code: 'wrong-type', message: `${where}: must be ${article(String(error.params['type']))}, not ${describeValue(error.data)}` };
    case 'enum': {
      const allowed = (error.params['allowedValues'] as unknown[]).map(String);
      const suggestion = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
      return { path: error.instancePath, code: 'bad-value', message: `${where}: ${describeValue(error.data)} is not one of ${allowed.join(', ')}`, ...(suggestion ? { suggestion } : {}) };
    }
    case 'pattern':
      if (error.instancePath.endsWith('/id')) return { path: error.instancePath, code: 'bad-object-id', message: `${where}: ${describeValue(error.data)} is not a valid ObjectId (24 lowercase hexadecimal characters)` };
      return { path: error.instancePath, code: 'bad-value', message: `${where}: ${describeValue(error.data)} is not an OpenSSH public key ("<type> <base64> [comment]")` };
    case 'format':
      return { path: error.instancePath, code: 'bad-value', message: `${where}: ${describeValue(error.data)} is not ${error.params['format'] === 'email' ? 'an email address' : 'an RFC 3339 date-time such as 2024-01-31T09:00:00Z'}` };
    case 'minimum':
    case 'maximum':
      return { path: error.instancePath, code: 'bad-value', message: `${where}: ${describeValue(error.data)} is not a number of days from 0 to 3650` };
    case 'minLength':
      return { path: error.instancePath, code: 'bad-value', message: `${where}: must not be empty` };
    case 'propertyNames': {
      const name = String(error.params['propertyName']);
      return { path: `${error.instancePath}/${escapePointer(name)}`, code: 'bad-value', atKey: true, message: `${where}: "${name}" is not a variable name (letters, digits and _, not starting with a digit)` };
    }
    case 'anyOf':
      return { path: error.instancePath, code: 'wrong-type', message: `${where}: must be a system displayName or {"name": "<displayName>", "sudo": {"enabled": true, "withoutPassword": false}}` };
    default:
      return { path: error.instancePath, code: 'bad-value', message: `${where}: ${error.message ?? 'is invalid'}` };
  }
}

/** Names, ids and references, once the structure is known to be right. */
function referenceProblems(data: SandboxData): DataProblem[] {
  const problems: DataProblem[] = [];
  const users = data.users ?? [];
  const groups = data.userGroups ?? [];
  const systems = data.systems ?? [];
  const systemGroups = data.systemGroups ?? [];
  const applications = data.applications ?? [];
  const ldap = data.ldapServers ?? [];
  const radius = data.radiusServers ?? [];
  const policies = data.policies ?? [];

  const index = {
    users: uniqueNames(users.map((u) => u.username), '/users', 'username', 'user', problems, true),
    emails: uniqueNames(users.map((u) => u.email), '/users', 'email', 'user email', problems, true),
    groups: uniqueNames(groups.map((g) => g.name), '/userGroups', 'name', 'user group', problems, true),
    systems: uniqueNames(systems.map((s) => s.displayName), '/systems', 'displayName', 'system', problems, false),
    systemGroups: uniqueNames(systemGroups.map((g) => g.name), '/systemGroups', 'name', 'system group', problems, true),
    applications: uniqueNames(applications.map((a) => a.displayLabel), '/applications', 'displayLabel', 'application', problems, false),
    ldap: uniqueNames(ldap.map((l) => l.name), '/ldapServers', 'name', 'LDAP server', problems, false),
    radius: uniqueNames(radius.map((r) => r.name), '/radiusServers', 'name', 'RADIUS server', problems, false),
    policies: uniqueNames(policies.map((p) => p.name), '/policies', 'name', 'policy', problems, false),
  };
  uniqueNames(users.map((u) => u.employeeIdentifier), '/users', 'employeeIdentifier', 'employeeIdentifier', problems, true);

  const ref = (path: string, value: string, known: Map<string, number>, kind: string): void => {
    if (known.has(value)) return;
    const suggestion = didYouMean(value, known.keys());
    problems.push({ path, code: 'unknown-reference', message: `${humanPath(path)}: no ${kind} named "${value}" in this file`, ...(suggestion ? { suggestion } : {}) });
  };
  const bindingName = (b: SystemBinding): string => (typeof b === 'string' ? b : b.name);
  const bindings = (base: string, owner: { systems?: SystemBinding[]; systemGroups?: string[]; applications?: string[]; ldapServers?: string[]; radiusServers?: string[] }): void => {
    owner.systems?.forEach((b, i) => ref(`${base}/systems/${i}${typeof b === 'string' ? '' : '/name'}`, bindingName(b), index.systems, 'system'));
    owner.systemGroups?.forEach((n, i) => ref(`${base}/systemGroups/${i}`, n, index.systemGroups, 'system group'));
    owner.applications?.forEach((n, i) => ref(`${base}/applications/${i}`, n, index.applications, 'application'));
    owner.ldapServers?.forEach((n, i) => ref(`${base}/ldapServers/${i}`, n, index.ldap, 'LDAP server'));
    owner.radiusServers?.forEach((n, i) => ref(`${base}/radiusServers/${i}`, n, index.radius, 'RADIUS server'));
  };

  users.forEach((user, i) => {
    const base = `/users/${i}`;
    if (user.manager !== undefined) {
      if (user.manager === user.username) problems.push({ path: `${base}/manager`, code: 'bad-value', message: `${humanPath(`${base}/manager`)}: a user cannot be their own manager` });
      else ref(`${base}/manager`, user.manager, index.users, 'user');
    }
    user.groups?.forEach((g, j) => ref(`${base}/groups/${j}`, g, index.groups, 'user group'));
    bindings(base, user);
    // SSH keys and push endpoints get ids derived from their names, so names must differ per user.
    uniqueNames((user.sshKeys ?? []).map((k) => k.name), `${base}/sshKeys`, 'name', 'SSH key', problems, false);
    uniqueNames((user.mfa?.pushEndpoints ?? []).map((p) => p.name), `${base}/mfa/pushEndpoints`, 'name', 'push endpoint', problems, false);
    exclusive(base, user, 'created', 'createdDaysAgo', problems);
    user.logins?.forEach((login, j) => loginProblems(`${base}/logins/${j}`, login, ref, index, problems));
  });
  groups.forEach((group, i) => {
    group.members?.forEach((m, j) => ref(`/userGroups/${i}/members/${j}`, m, index.users, 'user'));
    bindings(`/userGroups/${i}`, group);
  });
  systemGroups.forEach((group, i) => group.systems?.forEach((s, j) => ref(`/systemGroups/${i}/systems/${j}`, s, index.systems, 'system')));
  systems.forEach((system, i) => {
    exclusive(`/systems/${i}`, system, 'created', 'createdDaysAgo', problems);
    exclusive(`/systems/${i}`, system, 'lastContact', 'lastContactDaysAgo', problems);
    system.policyResults?.forEach((result, j) => ref(`/systems/${i}/policyResults/${j}/policy`, result.policy, index.policies, 'policy'));
    uniqueNames((system.policyResults ?? []).map((r) => r.policy), `/systems/${i}/policyResults`, 'policy', 'policy result of', problems, false);
  });

  problems.push(...duplicateIds(data));
  return problems;
}

/** A fixed date and a relative one for the same field are contradictory: exactly one may be given. */
function exclusive(base: string, owner: object, fixed: string, relative: string, problems: DataProblem[]): void {
  if (fixed in owner && relative in owner) {
    problems.push({ path: `${base}/${relative}`, code: 'bad-value', message: `${humanPath(`${base}/${relative}`)}: give either "${fixed}" (a date-time) or "${relative}" (days before the emulator starts), not both` });
  }
}

/** The object each login channel names, and the one it requires. */
const LOGIN_TARGETS = { sso: 'application', system: 'system', radius: 'radiusServer', ldap: 'ldapServer' } as const;
const REQUIRED_LOGIN_TARGETS: ReadonlySet<string> = new Set(['sso', 'system']);

/** A login names only the kind of object its channel uses (an SSO login an application, a device login a system), and those that exist. */
function loginProblems(
  base: string,
  login: SandboxLogin,
  ref: (path: string, value: string, known: Map<string, number>, kind: string) => void,
  index: { applications: Map<string, number>; systems: Map<string, number>; radius: Map<string, number>; ldap: Map<string, number> },
  problems: DataProblem[],
): void {
  const known = { application: [index.applications, 'application'], system: [index.systems, 'system'], radiusServer: [index.radius, 'RADIUS server'], ldapServer: [index.ldap, 'LDAP server'] } as const;
  const own = login.via === 'user_portal' ? undefined : LOGIN_TARGETS[login.via];
  for (const field of ['application', 'system', 'radiusServer', 'ldapServer'] as const) {
    const value = login[field];
    if (value === undefined) {
      if (field === own && REQUIRED_LOGIN_TARGETS.has(login.via)) {
        problems.push({ path: base, code: 'missing-key', message: `${humanPath(base)}: a "${login.via}" login needs "${field}" (the ${known[field][1]} it was to)` });
      }
      continue;
    }
    if (field !== own) {
      problems.push({ path: `${base}/${field}`, code: 'bad-value', message: `${humanPath(`${base}/${field}`)}: a "${login.via}" login names no ${known[field][1]}${own === undefined ? '' : `; it takes "${own}"`}` });
      continue;
    }
    ref(`${base}/${field}`, value, known[field][0], known[field][1]);
  }
}

/** Name → index of first use; reports later duplicates. */
function uniqueNames(values: ReadonlyArray<string | undefined>, base: string, field: string, kind: string, problems: DataProblem[], ignoreCase: boolean): Map<string, number> {
  const seen = new Map<string, number>();
  const folded = new Map<string, number>();
  values.forEach((value, i) => {
    if (value === undefined) return;
    const key = ignoreCase ? value.toLowerCase() : value;
    const first = folded.get(key);
    if (first !== undefined) {
      problems.push({ path: `${base}/${i}/${field}`, code: 'duplicate-name', message: `${humanPath(`${base}/${i}/${field}`)}: ${kind} "${value}" is already defined at ${humanPath(`${base}/${first}`)}${ignoreCase ? ' (compared without case)' : ''}` });
      return;
    }
    folded.set(key, i);
    seen.set(value, i);
  });
  return seen;
}

/** Every object's id (explicit or derived) must be unique across the whole file. */
function duplicateIds(data: SandboxData): DataProblem[] {
  const problems: DataProblem[] = [];
  const owners = new Map<string, string>();
  const claim = (id: string, path: string, explicit: boolean): void => {
    const first = owners.get(id);
    if (first !== undefined) {
      problems.push({ path: explicit ? `${path}/id` : path, code: 'duplicate-id', message: `${humanPath(path)}: id "${id}" is already used by ${humanPath(first)}` });
      return;
    }
    owners.set(id, path);
  };
  const each = <T extends { id?: string }>(list: T[] | undefined, base: string, kind: string, key: (item: T) => string): void => {
    list?.forEach((item, i) => claim(item.id ?? deterministicObjectId(kind, key(item)), `${base}/${i}`, item.id !== undefined));
  };
  if (data.organization?.id !== undefined) claim(data.organization.id, '/organization', true);
  each(data.users, '/users', 'user', (u) => u.username);
  each(data.userGroups, '/userGroups', 'user_group', (g) => g.name);
  each(data.systems, '/systems', 'system', (s) => s.displayName);
  each(data.systemGroups, '/systemGroups', 'system_group', (g) => g.name);
  each(data.applications, '/applications', 'application', (a) => a.displayLabel);
  each(data.ldapServers, '/ldapServers', 'ldap_server', (l) => l.name);
  each(data.radiusServers, '/radiusServers', 'radius_server', (r) => r.name);
  each(data.policies, '/policies', 'policy', (p) => p.name);
  return problems;
}

/** `/users/3/systems/1` → `users[3].systems[1]` (the way a person reads it). */
function humanPath(pointer: string): string {
  if (pointer === '') return 'the file';
  return pointer.split('/').slice(1).map((p) => unescapePointer(p)).reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out === '' ? part : `${out}.${part}`), '');
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}
