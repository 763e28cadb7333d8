import type { RequestLogEntry } from '../../../actions/jumpcloud/emulator/index.js';

/** What one user has that an offboarding must remove or report (counts of objects). */
export interface UserAccess {
  groups: number;
  systems: number;
  applications: number;
  ldapServers: number;
  radiusServers: number;
  sshKeys: number;
  pushEndpoints: number;
  /** "Enable as LDAP Bind DN" is set (one more update). */
  ldapBindingUser: boolean;
  /** MFA is set up (one `resetmfa`). */
  mfaConfigured: boolean;
  /** The user names a manager (one read of the manager's record, for the notification's address). */
  hasManager?: boolean;
}

/** The most items one list read returns (JumpCloud's `limit` is capped at 100). */
const PAGE = 100;

/**
 * The fewest JumpCloud API calls a correct offboarding of one user can make (issue 4's steps,
 * with the backup and the final verification), when nothing fails:
 *
 * - **find** the user: 1 search (it returns the whole record: attributes, SSH keys, MFA, LDAP
 *   flag), and 1 read of the manager's record when the user names one;
 * - **read** what to back up and remove, each list once: group memberships, systems, system
 *   groups, applications, LDAP servers, RADIUS servers (the v2 traversals give direct and
 *   inherited access with their paths) and push endpoints: 7;
 * - **name** the objects (the v2 lists carry ids only) with one list read per type, filtered by
 *   id (issue 14: `filter=id:in:a|b|c` on v2 lists, `filter[or][N]=_id:$eq:…` on v1 lists), a
 *   page per 100 objects: one each for groups, systems, applications, LDAP and RADIUS servers
 *   that the user has at all;
 * - **change** each thing once: a membership removal per group, an association removal per
 *   system, application, LDAP and RADIUS server, the LDAP flag, one `resetmfa`, a deletion per
 *   push endpoint and SSH key, and the suspension (or deletion): 1;
 * - **verify** by reading again: the record, and the same 7 lists: 8.
 *
 * So `16 + name + changes` (+1 with a manager). Anything above it is a repeated read (a step
 * re-reading what an earlier step read), an object named by a read of its own, a second search,
 * or a retry.
 */
export function minimumCalls(access: UserAccess): { find: number; read: number; name: number; change: number; verify: number; total: number } {
  const name = [access.groups, access.systems, access.applications, access.ldapServers, access.radiusServers].reduce((sum, count) => sum + Math.ceil(count / PAGE), 0);
  const change = access.groups + access.systems + access.applications + access.ldapServers + access.radiusServers
    + (access.ldapBindingUser ? 1 : 0) + (access.mfaConfigured ? 1 : 0) + access.pushEndpoints + access.sshKeys + 1;
  const parts = { find: access.hasManager === true ? 2 : 1, read: 7, name, change, verify: 8 };
  return { ...parts, total: parts.find + parts.read + parts.name + parts.change + parts.verify };
}

/** Requests that change something (anything but reads and searches). */
export function isChange(entry: Pick<RequestLogEntry, 'method' | 'path'>): boolean {
  return entry.method !== 'GET' && !(entry.method === 'POST' && entry.path.startsWith('/api/search/'));
}

/** Requests grouped by method and path shape (ids replaced by `:id`), most frequent first. */
export function callsByEndpoint(entries: readonly RequestLogEntry[]): Array<{ endpoint: string; calls: number }> {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const query = entry.query.startsWith('targets=') ? `?${entry.query.split('&')[0] ?? ''}` : '';
    const key = `${entry.method} ${entry.path.replace(/[0-9a-f]{24}/g, ':id')}${query}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([endpoint, calls]) => ({ endpoint, calls })).sort((a, b) => b.calls - a.calls || a.endpoint.localeCompare(b.endpoint));
}

/**
 * The lower bound on the wall time of offboarding users who need `calls` API calls in all:
 * with `concurrency` requests in flight at most (the client's per-organisation cap) and each
 * taking `latencyMs`, no schedule finishes sooner than `ceil(calls / concurrency) × latency`;
 * and with a rate limit of `rateLimit` requests per second, not sooner than
 * `(calls − rateLimit) / rateLimit` seconds (the first second's worth is allowed at once).
 */
export function lowerBoundMs(calls: number, latencyMs: number, concurrency: number, rateLimit: number): number {
  const byConcurrency = Math.ceil(calls / concurrency) * latencyMs;
  const byRate = rateLimit > 0 ? (Math.max(0, calls - rateLimit) / rateLimit) * 1000 : 0;
  return Math.max(byConcurrency, byRate);
}
