import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { DirectoryEvent, DirectoryInsightsService } from '../types.js';

/**
 * When each user last authenticated, from Directory Insights: one query over a window for every
 * kind of authentication, paged, rather than one query per user.
 */

/** Every way a user authenticates, as Directory Insights records it (`openapi-directory-insights.json`'s event lists). */
export const AUTHENTICATION_EVENTS = [
  { eventType: 'user_login_attempt', service: 'directory', via: 'user_portal' },
  { eventType: 'sso_auth', service: 'sso', via: 'sso' },
  { eventType: 'ldap_bind', service: 'ldap', via: 'ldap' },
  { eventType: 'radius_auth', service: 'radius', via: 'radius' },
  { eventType: 'login_attempt', service: 'systems', via: 'system' },
] as const satisfies ReadonlyArray<{ eventType: string; service: DirectoryInsightsService; via: string }>;

/** How a user authenticated: `user_portal`, `sso`, `ldap`, `radius` or `system`. */
export type AuthenticationVia = (typeof AUTHENTICATION_EVENTS)[number]['via'];

/** A user's latest successful authentication. */
export interface LastAuthentication {
  at: number;
  via: AuthenticationVia;
}

/** The latest authentication of each user seen, by user id and by (lowercased) username. */
export interface LastAuthentications {
  byId: Map<string, LastAuthentication>;
  byUsername: Map<string, LastAuthentication>;
  /** How many events were read (for the log). */
  events: number;
}

// The most rows one Directory Insights page holds: fewer round trips for a large organisation.
const PAGE_LIMIT = 10_000;
const USER_TYPES: ReadonlySet<string> = new Set(['user', 'systemuser']);

/**
 * Reads every successful authentication since `sinceMs` (failed attempts are not use of the
 * account: an attacker guessing a password must not keep it alive), newest first, and keeps the
 * latest per user. Events name the user differently by service (`initiated_by` for the user
 * portal and SSO, `username` for LDAP, RADIUS and device logins, `resource` for some), so each is
 * filed under every id and username it carries.
 */
export async function readLastAuthentications(client: JumpCloudClient, sinceMs: number, signal?: AbortSignal): Promise<LastAuthentications> {
  const viaOf = new Map<string, AuthenticationVia>(AUTHENTICATION_EVENTS.map((e) => [e.eventType, e.via]));
  const result: LastAuthentications = { byId: new Map(), byUsername: new Map() , events: 0 };
  const keep = (map: Map<string, LastAuthentication>, key: unknown, auth: LastAuthentication): void => {
    if (typeof key !== 'string' || key === '') return;
    const current = map.get(key);
    if (current === undefined || current.at < auth.at) map.set(key, auth);
  };
  let searchAfter: Array<string | number> | undefined;
  for (;;) {
    const page = await client.queryDirectoryEvents(
      {
        service: [...new Set(AUTHENTICATION_EVENTS.map((e) => e.service))],
        startTime: new Date(sinceMs).toISOString(),
        sort: 'DESC',
        limit: PAGE_LIMIT,
        // Values are lowercased on insert, so the boolean is searched as "true".
        searchTerm: { and: [{ event_type: AUTHENTICATION_EVENTS.map((e) => e.eventType) }, { success: 'true' }] },
        fields: ['event_type', 'timestamp', 'success', 'username', 'initiated_by', 'resource'],
        ...(searchAfter === undefined ? {} : { searchAfter }),
      },
      signal === undefined ? undefined : { signal },
    );
    for (const event of page.events) {
      result.events++;
      const auth = authenticationOf(event, viaOf);
      if (auth === undefined) continue;
      for (const party of [event.initiated_by, event.resource]) {
        if (party === undefined || !USER_TYPES.has(String(party.type ?? '').toLowerCase())) continue;
        keep(result.byId, party.id, auth);
        keep(result.byUsername, party.username?.toLowerCase(), auth);
      }
      keep(result.byUsername, typeof event['username'] === 'string' ? event['username'].toLowerCase() : undefined, auth);
    }
    if (!page.hasMore || page.searchAfter === undefined) break;
    searchAfter = page.searchAfter;
  }
  return result;
}

/** The authentication an event records, or undefined for one that is not (re-checked: a server may match loosely). */
function authenticationOf(event: DirectoryEvent, viaOf: ReadonlyMap<string, AuthenticationVia>): LastAuthentication | undefined {
  const via = viaOf.get(String(event.event_type));
  const at = Date.parse(String(event.timestamp));
  const success = event.success === true || String(event.success).toLowerCase() === 'true';
  return via === undefined || Number.isNaN(at) || !success ? undefined : { at, via };
}

/** The latest authentication of a user, by id or username. */
export function lastAuthenticationOf(auths: LastAuthentications, user: { _id: string; username?: string }): LastAuthentication | undefined {
  const byId = auths.byId.get(user._id);
  const byName = user.username === undefined ? undefined : auths.byUsername.get(user.username.toLowerCase());
  if (byId === undefined) return byName;
  if (byName === undefined) return byId;
  return byId.at >= byName.at ? byId : byName;
}
