/**
 * Directory Insights events as the emulator records them (`service: "directory"`).
 *
 * @remarks
 * Names and shapes follow `openapi-directory-insights.json` (its "Directory Attributes" table and
 * "Directory - User and Admin Events" / "Object Events" lists) and JumpCloud's own PowerShell
 * examples for `association_change` (`association.op`, `association.connection.from/to` with
 * `type` and `object_id`). Where the documents leave a choice, the emulator decides as follows:
 * - `resource.type` for users is `"systemuser"`, as in the spec's attribute examples;
 * - graph types inside `association.connection` are lowercase (`user_group`, `user`, `system`):
 *   the spec says field values are lowercased on insert;
 * - an MFA reset is `totp_delete_enrollment` (the TOTP key is deleted; there is no "MFA reset"
 *   event type), a password expiry forced through the API is `user_password_expired`, and SSH
 *   key or push endpoint removal is a `user_update` whose `changes` name `ssh_keys` /
 *   `push_endpoints`;
 * - a system the agent registers is `system_create` with `resource: {type: "system", id,
 *   displayName, hostname, os, version}`: the shape the spec's examples give a system in event
 *   details (`{"hostname", "id", "displayName", "os", "version"}`);
 * - deleting a user records the removal of each group membership and direct association it had
 *   (`association_change`, op `remove`) before `user_delete`, and deleting a user group the
 *   removal of each member and association before `group_delete`, so a workflow that watches
 *   members leaving a group sees every way they leave;
 * - `id` is a UUID (the spec's type for directory event ids).
 */

/** Who made the change: the administrator the API key belongs to. */
export interface EventInitiator {
  type: 'admin';
  id: string;
  email: string;
}

/** The object the event is about. */
export interface EventResource {
  type: string;
  id: string;
  username?: string;
  email?: string;
  name?: string;
  /** Systems: as in the spec's examples of a system in event details. */
  displayName?: string;
  hostname?: string;
  os?: string;
  version?: string;
}

/** One changed field (`changes` entries are `{ field, from, to }`). */
export interface EventChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One end of an association change. */
export interface EventGraphEnd {
  type: string;
  object_id: string;
  name?: string;
}

/** A Directory Insights event. */
export interface DirectoryEvent {
  id: string;
  event_type: string;
  service: 'directory';
  organization: string;
  timestamp: string;
  '@version': '1';
  client_ip: string;
  auth_method: 'api-key';
  success: boolean;
  initiated_by: EventInitiator;
  resource: EventResource;
  changes?: EventChange[];
  association?: { op: 'add' | 'remove' | 'update'; connection: { from: EventGraphEnd; to: EventGraphEnd } };
}

/** The event types the emulator records, by what happened. */
export const DIRECTORY_EVENT_TYPES = {
  userCreated: 'user_create',
  userUpdated: 'user_update',
  userDeleted: 'user_delete',
  userSuspended: 'user_suspended',
  userUnsuspended: 'user_unsuspended',
  userActivated: 'user_activated',
  userPasswordChanged: 'user_password_change',
  userPasswordExpired: 'user_password_expired',
  totpDeleted: 'totp_delete_enrollment',
  groupCreated: 'group_create',
  groupDeleted: 'group_delete',
  systemCreated: 'system_create',
  associationChanged: 'association_change',
} as const;
