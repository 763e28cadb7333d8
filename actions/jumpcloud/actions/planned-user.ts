import { isKnownAfterRun, knownAfterRun, type KnownAfterRun } from '../../../engine/plugin-api/known-after-run.js';
import type { SystemUser } from '../types.js';
import { UserSnapshot } from './user-snapshot.js';
import type { UserSummary } from './user-summary.js';

/**
 * The user a plan would create: `jumpcloud.user.create`'s plan cannot know the id JumpCloud
 * will give it, so its output's `user.id` is a value known only after the run that carries what
 * the plan does know (username, email, names, state, manager). The steps that act on a user by
 * `user_id` plan with it: a user that does not exist yet is in no group, bound to nothing, and
 * in the state it is created in.
 */

/** Marks the planned object as a JumpCloud user (a value from another pack carries something else). */
const PLANNED_KIND = 'jumpcloud.user';

/** The id a plan gives a user it would create, where `run` gives JumpCloud's. */
export const NEW_USER_ID = 'new';

/** The id of a user a plan would create, known only after the run, with what the plan knows of the user. */
export function newUserId(user: Omit<UserSummary, 'id'>): KnownAfterRun {
  return knownAfterRun(`id of the new user ${user.username}`, { planned: { kind: PLANNED_KIND, ...user } });
}

/** A user a parameter names, when the plan knows it only as a value known after the run. */
export interface PlannedUserRef {
  /** The record as far as the plan knows it (id {@link NEW_USER_ID}). */
  record: SystemUser;
  /** What the plan knows of it, with the unknown id, as the steps' outputs show a user. */
  summary: UserSummary;
  /** A snapshot that answers without a call: the user is in no group and reaches nothing yet. */
  snapshot: UserSnapshot;
  /** How plans name it: `the new user amy.new`. */
  label: string;
}

/**
 * The user a `user_id` parameter names when it is known only after the run: the user an earlier
 * step would create, or (for a value another step made) a user the plan cannot name.
 * Undefined for a real id, username or email.
 */
export function plannedUserOf(value: string | KnownAfterRun): PlannedUserRef | undefined {
  if (!isKnownAfterRun(value)) return undefined;
  const planned = value.planned;
  const known = planned?.['kind'] === PLANNED_KIND ? planned : undefined;
  const text = (key: string): string => (typeof known?.[key] === 'string' ? (known[key] as string) : '');
  const nullable = (key: string): string | null => (typeof known?.[key] === 'string' ? (known[key] as string) : null);
  const username = known === undefined ? `(${value.description})` : text('username');
  const state = text('state') === 'ACTIVATED' ? 'ACTIVATED' : 'STAGED';
  const record: SystemUser = {
    _id: NEW_USER_ID,
    username,
    email: text('email'),
    firstname: text('firstname'),
    lastname: text('lastname'),
    state,
    suspended: false,
    ...(nullable('manager_id') === null ? {} : { manager: nullable('manager_id') as string }),
  };
  const summary: UserSummary = {
    id: value as unknown as string,
    username,
    email: text('email'),
    display_name: text('display_name') || username,
    firstname: text('firstname'),
    lastname: text('lastname'),
    state,
    suspended: false,
    manager_id: nullable('manager_id'),
    manager_email: nullable('manager_email'),
    manager_username: nullable('manager_username'),
    ldap_binding_user: false,
  };
  return {
    record,
    summary,
    snapshot: UserSnapshot.ofNewUser(record),
    label: known === undefined ? `the user known only after the run (${value.description})` : `the new user ${username}`,
  };
}
