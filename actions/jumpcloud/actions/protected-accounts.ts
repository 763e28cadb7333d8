import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { SystemUser } from '../types.js';

/**
 * The accounts of a connection's `protected_accounts` (user ids, usernames or emails, compared
 * without regard to case): break-glass administrators and service accounts that no offboarding
 * may disable or delete.
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
 * Refuses to go on for a protected account.
 * @throws PermanentError (`PROTECTED_ACCOUNT`) naming the user, the entry that protects it and the connection.
 */
export function refuseProtected(accounts: ProtectedAccounts, user: Pick<SystemUser, '_id' | 'username' | 'email'>, connectionName: string, doing: string): void {
  const entry = accounts.match(user);
  if (entry === undefined) return;
  throw new PermanentError(
    `JumpCloud user "${user.username ?? user.email ?? user._id}" (${user._id}) is a protected account (matched "${entry}" in connections.${connectionName}.protected_accounts); it can never be ${doing}`,
    { code: 'PROTECTED_ACCOUNT', details: { user_id: user._id, username: user.username ?? null, matched: entry } },
  );
}
