import { AmbiguousError, NotFoundError } from '../../../engine/errors/action-errors.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import { isJumpCloudId } from '../client/object-id.js';
import type { SystemUser } from '../types.js';
import { readUserIfExists } from './read-user.js';

/** A user given by id, username or email: `user_id` of the user-changing steps, a manager. */
export const userRefProperty = {
  type: 'string',
  minLength: 1,
  pattern: '\\S',
  description: 'The JumpCloud user by id (24 hex, e.g. {{steps.lookup.output.user.id}}), exact username, or email (matched without regard to case).',
} as const;

/** `username <email> (id)`, how users are listed in messages. */
export function userLabel(user: Pick<SystemUser, '_id' | 'username' | 'email'>): string {
  return `${user.username ?? '(no username)'} <${user.email ?? 'no email'}> (${user._id})`;
}

/**
 * The users `ref` names: by id (when it has the shape of one), by exact username, by email
 * without regard to case (when it contains "@"); one search for the last two. A user found
 * several ways is listed once.
 */
export async function usersNamedBy(client: JumpCloudClient, ref: string): Promise<SystemUser[]> {
  const given = ref.trim();
  const lower = given.toLowerCase();
  const byEmail = given.includes('@');
  const [byId, byName] = await Promise.all([
    isJumpCloudId(lower) ? readUserIfExists(client, lower) : Promise.resolve(undefined),
    client.findUsers(byEmail ? { username: given, email: given, match: 'any' } : { username: given }),
  ]);
  const found = new Map<string, SystemUser>();
  if (byId !== undefined) found.set(byId._id, byId);
  for (const user of byName) if (!found.has(user._id)) found.set(user._id, user);
  return [...found.values()];
}

/**
 * Exactly the one user `ref` names.
 * @param where - what the reference is, for messages, e.g. `jumpcloud.user.update: user_id`.
 * @throws NotFoundError when nobody matches; AmbiguousError listing the candidates when several do.
 */
export async function findOneUser(client: JumpCloudClient, ref: string, where: string): Promise<SystemUser> {
  const users = await usersNamedBy(client, ref);
  if (users.length === 0) {
    throw new NotFoundError(`${where} "${ref.trim()}": no JumpCloud user has this id, username or email`, { details: { ref: ref.trim() } });
  }
  if (users.length > 1) {
    throw new AmbiguousError(`${where} "${ref.trim()}" matches more than one JumpCloud user; give the id of the one meant`, users.map(userLabel));
  }
  return users[0] as SystemUser;
}
