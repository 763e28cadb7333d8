import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { SystemUser, SystemUserUpdate, UserAttribute, UserPhoneNumber } from '../types.js';
import { makeChange, settleIntents } from './change-intent.js';
import { madeChange, objectState } from './change-tally.js';
import { targetLabel, UNNAMED, type NamedRef } from './names.js';
import { findOneUser } from './user-ref.js';
import { userName } from './user-summary.js';

/**
 * The profile of a user that `jumpcloud.user.create` sets and `jumpcloud.user.update` changes:
 * the parameters (JSON Schema pieces), what a step asks for, how it differs from a record, and
 * the one `PUT` that makes the record so. Both actions share it, so "the same fields" means the
 * same thing to a create that finds the user already there as to an update.
 */

const text = (description: string, maxLength = 1024) => ({ type: 'string', maxLength, description }) as const;

/** The plain text fields of the profile, as `systemuserput` names them. */
export const TEXT_FIELDS = [
  'firstname', 'middlename', 'lastname', 'displayname', 'alternateEmail', 'department', 'jobTitle', 'employeeType',
  'employeeIdentifier', 'company', 'costCenter', 'location', 'description',
] as const;

/** One of {@link TEXT_FIELDS}. */
export type TextField = (typeof TEXT_FIELDS)[number];

/**
 * The profile parameters both actions take, spread into their `params.properties`. An empty
 * string clears a text field (JumpCloud's own empty value); a field left out is left as it is.
 */
export const profileProperties = {
  firstname: text('First name.'),
  middlename: text('Middle name.'),
  lastname: text('Last name.'),
  displayname: text('Display name (JumpCloud shows first and last name when empty).'),
  alternateEmail: { type: 'string', maxLength: 1024, pattern: '^$|^[^\\s@]+@[^\\s@]+$', description: 'Alternate email (where JumpCloud sends the activation email of a user without a password); empty clears it.' },
  department: text('Department.'),
  jobTitle: text('Job title.'),
  employeeType: text('Employee type, e.g. Full-time, Contractor.'),
  employeeIdentifier: text('Employee id from HR; unique in the organisation (JumpCloud refuses a second user with the same one).', 256),
  company: text('Company.'),
  costCenter: text('Cost centre.'),
  location: text('Location.'),
  description: text('Free-text description.'),
  phoneNumbers: {
    type: 'array',
    description: 'Every phone number of the user, replacing those it has (an empty list removes them all).',
    items: {
      type: 'object',
      properties: { type: { type: 'string', minLength: 1, description: 'e.g. work, mobile, home.' }, number: { type: 'string', minLength: 1, pattern: '\\S' } },
      required: ['type', 'number'],
      additionalProperties: false,
    },
  },
  attributes: {
    type: 'object',
    description: 'Custom attributes by name, merged into those the user has: a string sets one, null removes it; attributes not named are kept.',
    // No properties of its own: every name is the user's choice (typed through additionalProperties).
    properties: {},
    propertyNames: { type: 'string', minLength: 1, pattern: '\\S' },
    additionalProperties: { type: ['string', 'null'], maxLength: 1024 },
  },
  manager: {
    type: ['string', 'null'],
    description: 'The manager by id, username or email (resolved to the id before any change: an unknown manager stops the step); null or empty clears it.',
  },
} as const;

/** The profile parameters as a step gives them (after its schema checked them). */
export interface ProfileParams {
  firstname?: string;
  middlename?: string;
  lastname?: string;
  displayname?: string;
  alternateEmail?: string;
  department?: string;
  jobTitle?: string;
  employeeType?: string;
  employeeIdentifier?: string;
  company?: string;
  costCenter?: string;
  location?: string;
  description?: string;
  phoneNumbers?: ReadonlyArray<{ type: string; number: string }>;
  attributes?: Readonly<Record<string, string | null>>;
  manager?: string | null;
}

/** What a step asks the profile to be; only what it names. */
export interface DesiredProfile {
  text: Partial<Record<TextField | 'email', string>>;
  phoneNumbers?: Array<{ type: string; number: string }>;
  attributes?: Record<string, string | null>;
  /** The manager, resolved; null to clear; undefined to leave as is. */
  manager?: NamedRef | null;
}

/** One field a step changes (or would, or that differs), with its value before and after. */
export interface FieldChange {
  /** The field as JumpCloud names it; a custom attribute as `attributes.<name>`. */
  field: string;
  before: unknown;
  after: unknown;
}

/** JSON Schema of {@link FieldChange}. */
export const fieldChangeSchema = {
  type: 'object',
  properties: { field: { type: 'string' }, before: {}, after: {} },
  required: ['field', 'before', 'after'],
  additionalProperties: false,
} as const;

/** The change operation of a profile update (one `PUT`). */
export const UPDATE_USER = 'update_user';

/**
 * The manager a step names, by id, username or email, as `{ id, name }`; null to clear it.
 * @param selfId - the user being changed, who cannot be their own manager.
 * @throws NotFoundError / AmbiguousError naming the parameter; PermanentError for the user itself.
 */
export async function resolveManager(client: JumpCloudClient, actionId: string, ref: string | null | undefined, selfId?: string): Promise<NamedRef | null | undefined> {
  return (await findManager(client, actionId, ref, selfId)).ref;
}

/**
 * As {@link resolveManager}, with the manager's record the search returned (email included), so
 * that a step need not read it again for its output.
 */
export async function findManager(client: JumpCloudClient, actionId: string, ref: string | null | undefined, selfId?: string): Promise<{ ref: NamedRef | null | undefined; user?: SystemUser }> {
  if (ref === undefined) return { ref: undefined };
  if (ref === null || ref.trim() === '') return { ref: null };
  const manager = await findOneUser(client, ref, `${actionId}: manager`);
  if (manager._id === selfId) {
    throw new PermanentError(`${actionId}: manager "${ref.trim()}" is the user being changed; a user cannot be their own manager`, { code: 'INVALID_PARAMS' });
  }
  return { ref: { id: manager._id, name: userName(manager) }, user: manager };
}

/** What `p` asks for, with the manager already resolved. */
export function desiredProfile(p: ProfileParams, manager: NamedRef | null | undefined, email?: string): DesiredProfile {
  const textFields: DesiredProfile['text'] = {};
  for (const field of TEXT_FIELDS) {
    const value = p[field];
    if (value !== undefined) textFields[field] = value;
  }
  if (email !== undefined) textFields.email = email;
  return {
    text: textFields,
    ...(p.phoneNumbers === undefined ? {} : { phoneNumbers: p.phoneNumbers.map(({ type, number }) => ({ type, number: number.trim() })) }),
    ...(p.attributes === undefined ? {} : { attributes: { ...p.attributes } }),
    ...(manager === undefined ? {} : { manager }),
  };
}

const phonesOf = (user: SystemUser): Array<{ type: string; number: string }> =>
  (user.phoneNumbers ?? []).map((phone: UserPhoneNumber) => ({ type: phone.type ?? '', number: phone.number ?? '' }));

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The value of a custom attribute, or null when the user has none by that name. */
function attributeOf(user: SystemUser, name: string): string | null {
  const found = (user.attributes ?? []).find((attribute) => attribute.name === name);
  return found === undefined ? null : (found.value ?? '');
}

/**
 * The fields of `user` that differ from what `desired` asks, in a stable order (text fields,
 * phone numbers, attributes by name, manager). Emails compare without regard to case.
 */
export async function profileDiff(client: JumpCloudClient, user: SystemUser, desired: DesiredProfile): Promise<FieldChange[]> {
  const diff: FieldChange[] = [];
  for (const field of [...TEXT_FIELDS, 'email'] as const) {
    const wanted = desired.text[field];
    if (wanted === undefined) continue;
    const current = (user[field] as string | undefined) ?? '';
    const equal = field === 'email' || field === 'alternateEmail' ? current.toLowerCase() === wanted.toLowerCase() : current === wanted;
    if (!equal) diff.push({ field, before: current, after: wanted });
  }
  if (desired.phoneNumbers !== undefined && !sameJson(phonesOf(user), desired.phoneNumbers)) {
    diff.push({ field: 'phoneNumbers', before: phonesOf(user), after: desired.phoneNumbers });
  }
  for (const [name, wanted] of Object.entries(desired.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const current = attributeOf(user, name);
    if (current !== wanted) diff.push({ field: `attributes.${name}`, before: current, after: wanted });
  }
  if (desired.manager !== undefined) {
    const currentId = typeof user.manager === 'string' && user.manager !== '' ? user.manager : null;
    const wantedId = desired.manager?.id ?? null;
    if (currentId !== wantedId) {
      const before = currentId === null ? null : { id: currentId, name: (await client.nameOf('user', currentId)) ?? UNNAMED };
      diff.push({ field: 'manager', before, after: desired.manager });
    }
  }
  return diff;
}

/** The `PUT` body that makes the differing fields so (attributes: the whole merged list, as JumpCloud replaces it). */
export function updateBody(user: SystemUser, diff: readonly FieldChange[], desired: DesiredProfile): SystemUserUpdate {
  const body: SystemUserUpdate = {};
  for (const { field } of diff) {
    if (field === 'phoneNumbers') body.phoneNumbers = desired.phoneNumbers ?? [];
    else if (field === 'manager') body.manager = desired.manager?.id ?? null;
    else if (field.startsWith('attributes.')) body.attributes = mergedAttributes(user.attributes ?? [], desired.attributes ?? {});
    else body[field as TextField | 'email'] = desired.text[field as TextField | 'email'] as string;
  }
  return body;
}

/** The user's attributes with those named set (a null value removes one), in their order, new ones last. */
export function mergedAttributes(current: readonly UserAttribute[], changes: Readonly<Record<string, string | null>>): UserAttribute[] {
  const kept = current.filter((attribute) => !(attribute.name !== undefined && changes[attribute.name] === null)).map((attribute) => {
    const wanted = attribute.name === undefined ? undefined : changes[attribute.name];
    return typeof wanted === 'string' ? { name: attribute.name, value: wanted } : { name: attribute.name, value: attribute.value ?? '' };
  });
  const have = new Set(current.map((attribute) => attribute.name));
  for (const [name, value] of Object.entries(changes)) if (typeof value === 'string' && !have.has(name)) kept.push({ name, value });
  return kept;
}

/** The audit change of a profile update: the user by name, each differing field before and after. */
export function profileChange(user: SystemUser, diff: readonly FieldChange[]): Change {
  const ref = { id: user._id, name: userName(user) };
  return {
    target: targetLabel('user', ref),
    operation: UPDATE_USER,
    before: objectState('user', ref, Object.fromEntries(diff.map((c) => [c.field, c.before]))),
    after: objectState('user', ref, Object.fromEntries(diff.map((c) => [c.field, c.after]))),
  };
}

/** The fields of a recorded profile change, back as {@link FieldChange}s. */
export function fieldsOfChange(change: Change | undefined): FieldChange[] {
  if (change === undefined) return [];
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  return Object.keys(after).filter((field) => !['id', 'name', 'type'].includes(field)).map((field) => ({ field, before: before[field] ?? null, after: after[field] }));
}

/** What {@link applyProfile} did. */
export interface AppliedProfile {
  /** The record after the step (JumpCloud's answer to the `PUT`, or the record as read). */
  user: SystemUser;
  /** The fields this step changed, across attempts (an interrupted attempt's included). */
  fields: FieldChange[];
}

/**
 * Makes the user's profile what `desired` asks with one `PUT` of the differing fields, after its
 * write-ahead intent; nothing when nothing differs. An intent an interrupted attempt left open,
 * whose `PUT` reached JumpCloud (so nothing differs now), is counted as this step's change.
 */
export async function applyProfile(ctx: Pick<ActionContext, 'changes' | 'logger'>, client: JumpCloudClient, user: SystemUser, desired: DesiredProfile): Promise<AppliedProfile> {
  const diff = await profileDiff(client, user, desired);
  let current = user;
  if (diff.length === 0) {
    settleIntents(ctx, [UPDATE_USER]);
  } else {
    ctx.logger.info(`Updating JumpCloud user "${userName(user)}" (${user._id}): ${diff.map((c) => c.field).join(', ')}`);
    await makeChange(ctx, profileChange(user, diff), async () => {
      current = await client.updateUser(user._id, updateBody(user, diff, desired));
      return true;
    });
  }
  return { user: current, fields: fieldsOfChange(madeChange(ctx, UPDATE_USER)) };
}
