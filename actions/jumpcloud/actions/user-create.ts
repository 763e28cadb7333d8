import { ConflictError } from '../../../engine/errors/action-errors.js';
import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../../engine/plugin-api/json-schema.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { SystemUser, SystemUserCreate } from '../types.js';
import { makeChange, settleIntents } from './change-intent.js';
import { madeChange } from './change-tally.js';
import { openJumpCloud, type JumpCloudSession } from './client-for-context.js';
import { connectionOf, connectionProperties } from './common-params.js';
import { allowProtectedProperty, guardProtected } from './protected-accounts.js';
import { readUserIfExists } from './read-user.js';
import {
  applyProfile, desiredProfile, fieldChangeSchema, findManager, mergedAttributes, profileChange, profileDiff, profileProperties,
  TEXT_FIELDS, type DesiredProfile, type FieldChange,
} from './user-profile.js';
import { newUserId } from './planned-user.js';
import { openNewUserRunSnapshot } from './run-snapshots.js';
import { userLabel } from './user-ref.js';
import { userSummary, userSummarySchema, type UserSummary } from './user-summary.js';

const ID = 'jumpcloud.user.create';

const params = {
  type: 'object',
  description:
    'Creates one user (never with a password: the user sets one from the activation email). A user that already has this username or email is left as it is when its fields are the same, and is a conflict naming the fields that differ unless update_existing is true.',
  properties: {
    username: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      pattern: '^[^\\s@]+$',
      description: 'The login name (unique in the organisation; no spaces, no "@").',
    },
    email: { type: 'string', format: 'email', maxLength: 1024, description: 'The primary email (unique in the organisation).' },
    ...profileProperties,
    state: {
      type: 'string',
      enum: ['STAGED', 'ACTIVATED'],
      default: 'STAGED',
      description:
        'The state of a user this step creates. STAGED (the default): the account exists but cannot be used until activated (jumpcloud.user.set_state state: activated, e.g. on the start date). ACTIVATED: usable now; JumpCloud sends the activation email. Always sent, so the plan says which: without it JumpCloud would use the organisation\'s default for new users. A user that already exists keeps its state.',
    },
    update_existing: {
      type: 'boolean',
      default: false,
      description: 'true: a user that already has this username and email but other field values is updated to these (as jumpcloud.user.update does); false (the default): that is a conflict (JUMPCLOUD_USER_CONFLICT) naming each field before and after.',
    },
    allow_protected: allowProtectedProperty,
    ...connectionProperties,
  },
  required: ['username', 'email'],
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** What `jumpcloud.user.create` did: created the user, updated the one that existed, or neither. */
export type CreateOutcome = 'created' | 'updated' | 'unchanged';

/** What `jumpcloud.user.create` returns. */
export interface CreateOutput {
  /** The user (new or existing): later steps use `{{steps.<id>.output.user.id}}`. */
  user: UserSummary;
  outcome: CreateOutcome;
  /** The fields set on the new user, or changed on the existing one, each before and after. */
  fields: FieldChange[];
}

const outputSchema = {
  type: 'object',
  properties: {
    user: userSummarySchema,
    outcome: { type: 'string', enum: ['created', 'updated', 'unchanged'] },
    fields: { type: 'array', items: fieldChangeSchema },
  },
  required: ['user', 'outcome', 'fields'],
  additionalProperties: false,
} as const;

const CREATE_USER = 'create_user';

/** The audit target of a user not created yet: its username (it has no id before the `POST`). */
function newUserTarget(username: string): string {
  return `user "${username}" (new)`;
}

/** The fields a new user gets, each as before (nothing) and after. */
function fieldsOfNewUser(p: Params, desired: DesiredProfile): FieldChange[] {
  const fields: FieldChange[] = [
    { field: 'username', before: null, after: p.username },
    { field: 'email', before: null, after: p.email },
    { field: 'state', before: null, after: p.state },
  ];
  for (const field of TEXT_FIELDS) {
    const value = desired.text[field];
    if (value !== undefined && value !== '') fields.push({ field, before: null, after: value });
  }
  if (desired.phoneNumbers !== undefined && desired.phoneNumbers.length > 0) fields.push({ field: 'phoneNumbers', before: null, after: desired.phoneNumbers });
  for (const [name, value] of Object.entries(desired.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (value !== null) fields.push({ field: `attributes.${name}`, before: null, after: value });
  }
  if (desired.manager !== undefined && desired.manager !== null) fields.push({ field: 'manager', before: null, after: desired.manager });
  return fields;
}

function createChange(p: Params, fields: readonly FieldChange[]): Change {
  return { target: newUserTarget(p.username), operation: CREATE_USER, after: { type: 'user', ...Object.fromEntries(fields.map((f) => [f.field, f.after])) } };
}

/** The `POST` body: the fields asked for, the state, and never a password. */
function createBody(p: Params, desired: DesiredProfile): SystemUserCreate {
  const body: SystemUserCreate = { username: p.username, email: p.email, state: p.state };
  for (const field of TEXT_FIELDS) {
    const value = desired.text[field];
    if (value !== undefined) body[field] = value;
  }
  if (desired.phoneNumbers !== undefined) body.phoneNumbers = desired.phoneNumbers;
  if (desired.attributes !== undefined) body.attributes = mergedAttributes([], desired.attributes);
  if (desired.manager !== undefined && desired.manager !== null) body.manager = desired.manager.id;
  return body;
}

/**
 * The user that already has this username or email, if any.
 * @throws ConflictError (`JUMPCLOUD_USER_CONFLICT`) when the username and the email belong to two
 *   different users, or one user has one of them but not the other: updating would take over
 *   someone else's account.
 */
async function existingUser(client: JumpCloudClient, p: Params): Promise<SystemUser | undefined> {
  const found = await client.findUsers({ username: p.username, email: p.email, match: 'any' });
  if (found.length === 0) return undefined;
  const email = p.email.toLowerCase();
  const byUsername = found.find((user) => (user.username ?? '').toLowerCase() === p.username.toLowerCase());
  const byEmail = found.find((user) => (user.email ?? '').toLowerCase() === email);
  if (byUsername !== undefined && byEmail !== undefined && byUsername._id === byEmail._id) return byUsername;
  const [holder, field, other] = byUsername !== undefined ? [byUsername, 'username', byEmail] : [byEmail as SystemUser, 'email', undefined];
  const detail =
    other !== undefined
      ? `the username belongs to ${userLabel(holder)} and the email to ${userLabel(other)}`
      : `${userLabel(holder)} has this ${field} but ${field === 'username' ? `the email "${holder.email ?? ''}"` : `the username "${holder.username ?? ''}"`}`;
  throw new ConflictError(
    `${ID}: cannot create "${p.username}" <${p.email}>: ${detail}. A user is matched by both its username and its email, and neither is changed by this step; nothing was changed`,
    { code: 'JUMPCLOUD_USER_CONFLICT', details: { username: p.username, email: p.email, holders: [holder, other].filter((u) => u !== undefined).map((u) => u._id) } },
  );
}

/** The refusal of an existing user whose fields differ, naming each. */
function differs(user: SystemUser, diff: readonly FieldChange[]): ConflictError {
  const fields = diff.map((c) => `${c.field} ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`).join('; ');
  return new ConflictError(
    `${ID}: user ${userLabel(user)} already exists with other values: ${fields}. Nothing was changed; set update_existing: true to update them, or change the step's values`,
    { code: 'JUMPCLOUD_USER_CONFLICT', details: { user_id: user._id, fields: diff.map((c) => ({ ...c })) } },
  );
}

/**
 * The summary of a record, with its manager's record: the one the step found already (the manager
 * it was given), or one read (none when the user has no manager).
 */
async function summaryOf(client: JumpCloudClient, user: SystemUser, known?: SystemUser): Promise<UserSummary> {
  const managerId = typeof user.manager === 'string' && user.manager !== '' ? user.manager : undefined;
  if (managerId === undefined) return userSummary(user, undefined);
  return userSummary(user, known?._id === managerId ? known : await readUserIfExists(client, managerId));
}

/** Resolves what the step asks for: the manager by name (with its record), before anything is changed. */
async function prepare(session: JumpCloudSession, p: Params, selfId?: string): Promise<DesiredProfile & { managerRecord?: SystemUser }> {
  const manager = await findManager(session.client, ID, p.manager, selfId);
  return { ...desiredProfile(p, manager.ref), ...(manager.user === undefined ? {} : { managerRecord: manager.user }) };
}

/** An existing user: left as it is, or updated when `update_existing` says so. */
async function onExisting(ctx: ActionContext, session: JumpCloudSession, p: Params, user: SystemUser) {
  const desired = await prepare(session, p, user._id);
  // This step created the user in an interrupted attempt (its intent is open): the creation is its own.
  const createdHere = settleIntents(ctx, [CREATE_USER]).length > 0 || madeChange(ctx, CREATE_USER) !== undefined;
  const diff = await profileDiff(session.client, user, desired);
  if (diff.length > 0 && !createdHere && p.update_existing !== true) throw differs(user, diff);
  if (diff.length > 0 || madeChange(ctx, 'update_user') !== undefined) guardProtected(ctx, session, user, p.allow_protected, 'updated');
  const applied = await applyProfile(ctx, session.client, user, desired);
  const outcome: CreateOutcome = createdHere ? 'created' : applied.fields.length > 0 ? 'updated' : 'unchanged';
  const fields = createdHere ? fieldsOfNewUser(p, desired) : applied.fields;
  if (outcome === 'unchanged') ctx.logger.info(`JumpCloud user ${userLabel(user)} already exists with these values; nothing to change`);
  return { user: applied.user, outcome, fields };
}

/** `jumpcloud.user.create`: creates one user, or finds it already there. */
export const userCreateAction = defineAction({
  id: ID,
  description:
    'Create a JumpCloud user (STAGED by default, never with a password) with profile fields, custom attributes and a manager by id, username or email; a user already there with the same values is unchanged, one with other values a conflict unless update_existing',
  params,
  output: outputSchema,
  examples: [
    {
      description: 'Create the new hire from an HR event, staged until the start date',
      with: {
        username: '{{event.body.username}}',
        email: '{{event.body.email}}',
        firstname: '{{event.body.first_name}}',
        lastname: '{{event.body.last_name}}',
        department: '{{event.body.department}}',
        jobTitle: '{{event.body.job_title}}',
        employeeIdentifier: '{{event.body.employee_id}}',
        manager: '{{event.body.manager_email}}',
        attributes: { start_date: '{{event.body.start_date}}' },
      },
    },
  ],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    // Two runs of the same new hire at once would both find nobody and both create.
    await ctx.claimSubject(`jumpcloud:new-user:${p.username.toLowerCase()}`);
    const existing = await existingUser(client, p);
    if (existing !== undefined) {
      const done = await onExisting(ctx, session, p, existing);
      const summary = done.outcome === 'created' ? `created ${p.username}` : done.outcome === 'updated' ? `updated ${p.username}: ${done.fields.map((f) => f.field).join(', ')}` : `unchanged: ${p.username} already exists with these values`;
      return { changed: done.outcome !== 'unchanged', output: { user: await summaryOf(client, done.user), outcome: done.outcome, fields: done.fields }, summary };
    }
    const desired = await prepare(session, p);
    const fields = fieldsOfNewUser(p, desired);
    let created: SystemUser | undefined;
    ctx.logger.info(`Creating JumpCloud user "${p.username}" <${p.email}>, ${p.state}`);
    await makeChange(ctx, createChange(p, fields), async () => {
      created = await client.createUser(createBody(p, desired));
      return true;
    });
    const user = created as SystemUser;
    // The run's later steps act on the user as created (in no group, bound to nothing) rather than
    // reading that back: their first read of a list of what it has would find it empty.
    openNewUserRunSnapshot(ctx, client, user, desired.managerRecord);
    return { changed: true, output: { user: await summaryOf(client, user, desired.managerRecord), outcome: 'created' as const, fields }, summary: `created ${p.username} (${user._id}), ${p.state}` };
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const existing = await existingUser(client, p);
    if (existing === undefined) {
      const desired = await prepare(session, p);
      const fields = fieldsOfNewUser(p, desired);
      // The manager's email, so that a plan can name the recipient of the manager's notification.
      const manager = desired.managerRecord;
      const user: Omit<UserSummary, 'id'> = {
        username: p.username, email: p.email, display_name: desired.text.displayname || [desired.text.firstname, desired.text.lastname].filter((x) => x).join(' ') || p.username,
        firstname: desired.text.firstname ?? '', lastname: desired.text.lastname ?? '', state: p.state, suspended: false,
        manager_id: desired.manager?.id ?? null, manager_email: manager?.email ?? null, manager_username: desired.manager?.name ?? null, ldap_binding_user: false,
      };
      // JumpCloud gives the id when the user is created: later steps plan with the user it would be.
      const output = { user: { ...user, id: newUserId(user) }, outcome: 'created' as const, fields };
      return { changes: [createChange(p, fields)], output, summary: `would create ${p.username} <${p.email}>, ${p.state}` };
    }
    const desired = await prepare(session, p, existing._id);
    const diff = await profileDiff(client, existing, desired);
    if (diff.length > 0 && p.update_existing !== true) throw differs(existing, diff);
    if (diff.length > 0) guardProtected(ctx, session, existing, p.allow_protected, 'updated');
    const output: CreateOutput = { user: await summaryOf(client, existing), outcome: diff.length > 0 ? 'updated' : 'unchanged', fields: diff };
    return {
      changes: diff.length > 0 ? [profileChange(existing, diff)] : [],
      output,
      summary: diff.length > 0 ? `would update ${p.username} (already exists): ${diff.map((c) => c.field).join(', ')}` : `unchanged: ${p.username} already exists with these values`,
    };
  },
});
