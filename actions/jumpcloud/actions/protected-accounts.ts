import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import type { SystemUser } from '../types.js';
import type { JumpCloudSession } from './client-for-context.js';
import type { UserSnapshot } from './user-snapshot.js';

/**
 * The accounts of a connection's `protected_accounts` (user ids, usernames or emails, compared
 * without regard to case): break-glass administrators and service accounts that no offboarding
 * may change: every action that changes a user refuses them (see {@link guardUserChange}).
 */
export interface ProtectedAccounts {
  /** The entries as configured (for messages). */
  readonly entries: readonly string[];
  /** The entry that protects this user (by id, username or email), or undefined. */
  match(user: Pick<SystemUser, '_id' | 'username' | 'email'>): string | undefined;
}

/**
 * Reads `protected_accounts`: a list of strings, or one comma-separated string.
 * @throws PermanentError (`JUMPCLOUD_BAD_SETTING`) for any other shape.
 */
export function readProtectedAccounts(connectionName: string, value: unknown): ProtectedAccounts {
  let entries: string[];
  if (value === undefined || value === null) entries = [];
  else if (typeof value === 'string') entries = value.split(',');
  else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) entries = value as string[];
  else {
    throw new PermanentError(
      `connections.${connectionName}.protected_accounts must be a list of user ids, usernames or emails (or one comma-separated string), got ${Array.isArray(value) ? 'a list with non-text entries' : typeof value}`,
      { code: 'JUMPCLOUD_BAD_SETTING' },
    );
  }
  const cleaned = entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
  const byKey = new Map(cleaned.map((entry) => [entry.toLowerCase(), entry] as const));
  return {
    entries: cleaned,
    match(user) {
      for (const candidate of [user._id, user.username, user.email]) {
        if (typeof candidate !== 'string' || candidate === '') continue;
        const entry = byKey.get(candidate.toLowerCase());
        if (entry !== undefined) return entry;
      }
      return undefined;
    },
  };
}

/**
 * The parameter every JumpCloud action that changes a user takes: `allow_protected: true` lets
 * that one step change a protected account (refused by default).
 */
export const allowProtectedProperty = {
  // No schema default: absent means false, and callers need not pass it.
  type: 'boolean',
  description: "true lets this step change an account on the connection's protected_accounts; otherwise (the default) such an account is refused (PROTECTED_ACCOUNT), in plan and run alike.",
} as const;

/**
 * Refuses to go on for a protected account.
 * @param doing - what the step would do to it, e.g. `removed from its user groups`.
 * @throws PermanentError (`PROTECTED_ACCOUNT`) naming the user, the entry that protects it, the
 *   connection, and how a step may be allowed anyway.
 */
export function refuseProtected(accounts: ProtectedAccounts, user: Pick<SystemUser, '_id' | 'username' | 'email'>, connectionName: string, doing: string): void {
  const entry = accounts.match(user);
  if (entry === undefined) return;
  throw new PermanentError(
    `JumpCloud user "${user.username ?? user.email ?? user._id}" (${user._id}) is a protected account (matched "${entry}" in connections.${connectionName}.protected_accounts), so it is not ${doing}; ` +
      'nothing was changed. A step that must change it anyway sets allow_protected: true',
    { code: 'PROTECTED_ACCOUNT', details: { user_id: user._id, username: user.username ?? null, matched: entry } },
  );
}

/**
 * The one check every JumpCloud action that changes a user makes, in `run()` and `plan()` alike,
 * before its first request that could change anything: a protected account is refused unless
 * the step sets `allow_protected: true` (then the step goes on, with a warning in the log).
 *
 * @param user - the user's record; undefined when the user does not exist (nothing to protect:
 *   the action reports that itself).
 */
export function guardProtected(ctx: Pick<ActionContext, 'logger'>, session: Pick<JumpCloudSession, 'protectedAccounts' | 'connectionName'>, user: SystemUser | undefined, allowProtected: boolean | undefined, doing: string): void {
  if (user === undefined) return;
  if (allowProtected !== true) {
    refuseProtected(session.protectedAccounts, user, session.connectionName, doing);
    return;
  }
  const entry = session.protectedAccounts.match(user);
  if (entry !== undefined) ctx.logger.warn(`JumpCloud user "${user.username ?? user._id}" is a protected account (matched "${entry}"); this step sets allow_protected, so it is ${doing} anyway`);
}

/**
 * {@link guardProtected} for an action that acts on the user by id: reads the record through the
 * snapshot (the run's snapshot has it from the lookup, so this costs no request in a run).
 */
export async function guardUserChange(ctx: Pick<ActionContext, 'logger'>, session: Pick<JumpCloudSession, 'client' | 'protectedAccounts' | 'connectionName'>, snapshot: UserSnapshot, allowProtected: boolean | undefined, doing: string): Promise<void> {
  guardProtected(ctx, session, await snapshot.user(session.client), allowProtected, doing);
}
