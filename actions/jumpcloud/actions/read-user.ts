import { NotFoundError } from '../../../engine/errors/action-errors.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { SystemUser } from '../types.js';

/** The live user record, or undefined when JumpCloud answers 404 (the user no longer exists). */
export async function readUserIfExists(client: JumpCloudClient, userId: string): Promise<SystemUser | undefined> {
  try {
    return await client.getUser(userId);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
