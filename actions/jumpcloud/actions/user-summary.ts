import type { SystemUser } from '../types.js';

/** The user as the offboarding steps and the template read it (`steps.lookup.output.user`). */
export interface UserSummary {
  id: string;
  username: string;
  email: string;
  /** `displayname`, else first and last name, else the username. */
  display_name: string;
  firstname: string;
  lastname: string;
  /** `STAGED`, `ACTIVATED` or `SUSPENDED`; `DELETED` for a user found only in Directory Insights' deletions. */
  state: string;
  suspended: boolean;
  manager_id: string | null;
  manager_email: string | null;
  manager_username: string | null;
  /** "Enable as LDAP Bind DN". */
  ldap_binding_user: boolean;
}

const text = { type: 'string' } as const;
const nullableText = { type: ['string', 'null'] } as const;

/** JSON Schema of {@link UserSummary}. */
export const userSummarySchema = {
  type: 'object',
  properties: {
    id: text,
    username: text,
    email: text,
    display_name: text,
    firstname: text,
    lastname: text,
    state: { type: 'string', enum: ['STAGED', 'ACTIVATED', 'SUSPENDED', 'DELETED'] },
    suspended: { type: 'boolean' },
    manager_id: nullableText,
    manager_email: nullableText,
    manager_username: nullableText,
    ldap_binding_user: { type: 'boolean' },
  },
  required: ['id', 'username', 'email', 'display_name', 'firstname', 'lastname', 'state', 'suspended', 'manager_id', 'manager_email', 'manager_username', 'ldap_binding_user'],
  additionalProperties: false,
} as const;

/** The state of a user record, from `state` or, when JumpCloud leaves it out, the flags. */
export function userState(user: Pick<SystemUser, 'state' | 'suspended' | 'activated'>): 'STAGED' | 'ACTIVATED' | 'SUSPENDED' {
  if (user.state !== undefined) return user.state;
  if (user.suspended === true) return 'SUSPENDED';
  return user.activated === false ? 'STAGED' : 'ACTIVATED';
}

/** True when the account is suspended (either field says so). */
export function isSuspended(user: Pick<SystemUser, 'state' | 'suspended'>): boolean {
  return user.state === 'SUSPENDED' || user.suspended === true;
}

/** How a user is named in messages: the username, else the email, else the id. */
export function userName(user: Pick<SystemUser, '_id' | 'username' | 'email'>): string {
  return user.username ?? user.email ?? user._id;
}

/** What is known of a user that was deleted: its id, username and email from the deletion event. */
export function deletedUserSummary(deletion: { user_id: string; username: string | null; email: string | null }): UserSummary {
  return {
    id: deletion.user_id,
    username: deletion.username ?? '',
    email: deletion.email ?? '',
    display_name: deletion.username ?? deletion.email ?? deletion.user_id,
    firstname: '',
    lastname: '',
    state: 'DELETED',
    suspended: false,
    manager_id: null,
    manager_email: null,
    manager_username: null,
    ldap_binding_user: false,
  };
}

/** The summary of a user record, with its manager's record when known. */
export function userSummary(user: SystemUser, manager: SystemUser | undefined): UserSummary {
  const firstname = user.firstname ?? '';
  const lastname = user.lastname ?? '';
  const fullName = [firstname, lastname].filter((part) => part.trim() !== '').join(' ');
  const managerId = typeof user.manager === 'string' && user.manager !== '' ? user.manager : null;
  return {
    id: user._id,
    username: user.username ?? '',
    email: user.email ?? '',
    display_name: user.displayname?.trim() || fullName || user.username || user.email || user._id,
    firstname,
    lastname,
    state: userState(user),
    suspended: isSuspended(user),
    manager_id: managerId,
    manager_email: manager?.email ?? null,
    manager_username: manager?.username ?? null,
    ldap_binding_user: user.ldap_binding_user === true,
  };
}
