import type { LoginChannel } from '../data/sandbox-data.js';

/**
 * Authentication events as Directory Insights reports them, for the org file's login history.
 *
 * @remarks
 * The shapes follow `openapi-directory-insights.json`'s attribute tables and event lists, one
 * per way a user authenticates:
 * - user portal: `user_login_attempt`, service `directory`, the user in `initiated_by`
 *   (`{type: "user", id, username}`) and in `resource`;
 * - SSO: `sso_auth`, service `sso`, the user in `initiated_by` (`{type: "systemuser", id,
 *   username}`), the application in `application` (`display_label`, `id`, `name`);
 * - LDAP: `ldap_bind`, service `ldap`, the user in `username` (and in the bind `dn`);
 * - RADIUS: `radius_auth`, service `radius`, the user in `username`;
 * - device: `login_attempt`, service `systems` (the table's "User authenticates to a system"),
 *   the user in `username` and `resource`, the device in `system` (`id`, `hostname`, `displayName`).
 * Every one carries `success`. Where the documents name the user only by `username`, that is
 * the JumpCloud username (the account JumpCloud provisions on a device carries it too).
 */
export interface AuthenticationEvent {
  id: string;
  event_type: string;
  service: 'directory' | 'sso' | 'ldap' | 'radius' | 'systems';
  organization: string;
  timestamp: string;
  '@version': '1';
  success: boolean;
  client_ip: string;
  username?: string;
  dn?: string;
  initiated_by?: { type: string; id: string; username: string };
  resource?: { type: string; id: string; username: string };
  application?: { id: string; display_label: string; name: string };
  system?: { id: string; hostname: string; displayName: string };
  [field: string]: unknown;
}

/** The event type and service of each way of authenticating. */
export const AUTHENTICATION_EVENT_TYPES: Readonly<Record<LoginChannel, { eventType: string; service: AuthenticationEvent['service'] }>> = {
  user_portal: { eventType: 'user_login_attempt', service: 'directory' },
  sso: { eventType: 'sso_auth', service: 'sso' },
  ldap: { eventType: 'ldap_bind', service: 'ldap' },
  radius: { eventType: 'radius_auth', service: 'radius' },
  system: { eventType: 'login_attempt', service: 'systems' },
};
