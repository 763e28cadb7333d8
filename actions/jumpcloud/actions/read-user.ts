import { NotFoundError } from '../../../engine/errors/action-errors.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { SystemUser } from '../types.js';
import type { UserSnapshot } from './user-snapshot.js';

/** The live user record, or undefined when JumpCloud answers 404 (the user no longer exists). */
export async function readUserIfExists(client: JumpCloudClient, userId: string): Promise<SystemUser | undefined> {
  try {
    return await client.getUser(userId);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * The user's record from the snapshot (read if it was not yet).
 * @throws NotFoundError naming the user when it does not exist, as `getUser` would.
 */
export async function requireUser(client: JumpCloudClient, snapshot: UserSnapshot): Promise<SystemUser> {
  const user = await snapshot.user(client);
  if (user === undefined) {
    throw new NotFoundError(`User ${snapshot.userId} was not found in JumpCloud (it no longer exists)`, { details: { user_id: snapshot.userId } });
  }
  return user;
}
