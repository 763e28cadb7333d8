import type { DirectoryEvent } from '../types.js';

/**
 * Directory Insights `event_type`s and the trigger names idflow gives them. Triggers use these
 * names (`{type: event, event: jumpcloud.user.suspended}`); docs/serve.md ("Directory Insights events") has the same table.
 */
export const DIRECTORY_EVENT_NAMES: Readonly<Record<string, string>> = Object.freeze({
  user_create: 'jumpcloud.user.created',
  user_update: 'jumpcloud.user.updated',
  user_delete: 'jumpcloud.user.deleted',
  user_suspended: 'jumpcloud.user.suspended',
  user_unsuspended: 'jumpcloud.user.unsuspended',
  user_activated: 'jumpcloud.user.activated',
  user_password_change: 'jumpcloud.user.password_changed',
  user_password_expired: 'jumpcloud.user.password_expired',
  totp_delete_enrollment: 'jumpcloud.user.mfa_reset',
  user_locked_out: 'jumpcloud.user.locked_out',
  group_create: 'jumpcloud.group.created',
  group_update: 'jumpcloud.group.updated',
  group_delete: 'jumpcloud.group.deleted',
  // "A device added" in JumpCloud Workflows' words: the agent enrolled a device (a system).
  system_create: 'jumpcloud.system.created',
  system_delete: 'jumpcloud.system.deleted',
  application_create: 'jumpcloud.application.created',
  application_delete: 'jumpcloud.application.deleted',
});

/** Names of `association_change` events, by what was connected to what. */
export const ASSOCIATION_EVENT_NAMES = Object.freeze({
  /** A user added to a user group. */
  memberAdded: 'jumpcloud.group.member_added',
  /** A user removed from a user group. */
  memberRemoved: 'jumpcloud.group.member_removed',
  /** Any other binding (a user or group to a system, application, LDAP or RADIUS server), by `op`. */
  added: 'jumpcloud.association.added',
  removed: 'jumpcloud.association.removed',
  updated: 'jumpcloud.association.updated',
});

/** The prefix of names for event types the table does not list: `jumpcloud.directory.<event_type>`. */
export const UNLISTED_PREFIX = 'jumpcloud.directory.';

/**
 * The trigger name of a Directory Insights event: from the table, from the association's ends
 * for `association_change`, else `jumpcloud.directory.<event_type>` so that no event is lost
 * to a workflow that wants it.
 */
export function directoryEventName(event: Pick<DirectoryEvent, 'event_type' | 'association'>): string {
  const type = String(event.event_type ?? '').toLowerCase();
  if (type === 'association_change') {
    const association = event.association as { op?: unknown; connection?: { from?: { type?: unknown }; to?: { type?: unknown } } } | undefined;
    const op = String(association?.op ?? '').toLowerCase();
    const from = String(association?.connection?.from?.type ?? '').toLowerCase();
    const to = String(association?.connection?.to?.type ?? '').toLowerCase();
    if (from === 'user_group' && to === 'user' && op === 'add') return ASSOCIATION_EVENT_NAMES.memberAdded;
    if (from === 'user_group' && to === 'user' && op === 'remove') return ASSOCIATION_EVENT_NAMES.memberRemoved;
    if (op === 'add') return ASSOCIATION_EVENT_NAMES.added;
    if (op === 'remove') return ASSOCIATION_EVENT_NAMES.removed;
    return ASSOCIATION_EVENT_NAMES.updated;
  }
  const known = DIRECTORY_EVENT_NAMES[type];
  if (known !== undefined) return known;
  const safe = type.replace(/[^a-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return `${UNLISTED_PREFIX}${safe === '' ? 'unknown' : safe}`;
}
