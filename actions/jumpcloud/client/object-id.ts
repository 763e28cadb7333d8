/** JumpCloud ids (v1 `_id`, v2 `id`) are 24-hex MongoDB ObjectIds. */
const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * True when `value` has the shape of a JumpCloud id, e.g. to tell an id from a username or an
 * email in a user identifier (JumpCloud's PowerShell module validates ids the same way).
 */
export function isJumpCloudId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}
