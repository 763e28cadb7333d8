import { badRequest } from '../http/api-error.js';
import { getPath } from '../http/field-path.js';
import type { Router } from '../http/router.js';
import { parseCursorToken, type EventLog, type InsightsEvent } from '../events/event-log.js';
import { isPlainObject } from '../org/user-fields.js';
import { isDateTime } from '../org/user-input.js';
import { randomUuid, type Random } from '../random.js';

/** `EventServiceTimeQuery.service` values. */
const SERVICES = [
  'alerts', 'all', 'directory', 'ldap', 'mdm', 'notifications', 'object_storage', 'password_manager', 'radius', 'reports',
  'saas_app_management', 'software', 'sso', 'systems', 'access_management', 'asset_management',
];
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;
/** Top-level fields a directory event can have (for the `fields` projection check). */
const KNOWN_FIELDS = new Set([
  'id', 'event_type', 'service', 'organization', 'timestamp', '@version', 'client_ip', 'auth_method', 'success', 'initiated_by', 'resource', 'changes', 'association',
  'username', 'dn', 'application', 'system',
]);

/**
 * `POST /insights/directory/v1/events`, per `openapi-directory-insights.json`.
 *
 * @remarks
 * - Required: `service` (array of the spec's service names; unknown names are a 400 listing the
 *   valid ones) and `start_time` (RFC 3339; not in the future). `end_time`, when given, must be
 *   after `start_time`; the window is `start_time <= timestamp < end_time`.
 * - `limit` defaults to 1000, at most 10,000; nonsensical values fall back to the default, as the
 *   spec says. `sort` is `ASC` (default) or `DESC`, case-insensitive; anything else is ASC.
 * - Paging: the response headers `X-Result-Count`, `X-Limit`, `X-Sort`, `X-Search_after` (a JSON
 *   array `[timestampMillis, "token"]`, always sent) and `X-Request-Id`; send `search_after` back
 *   to get the next page, until `X-Result-Count < X-Limit`.
 * - `search_term` takes `and` / `or` / `not` lists of `{ field: value }` terms (dot paths, arrays
 *   of values meaning any of them, nested `and`/`or`); comparisons ignore case, since the service
 *   lowercases values on insert. `q` is a case-insensitive full-text match, `exact_match` a
 *   case-sensitive one. `fields` projects the returned events (an empty or all-unknown list is 400).
 * - An event is answered when its `service` is one the query names (or the query names `all`):
 *   the API's changes are `directory` events; the org file's login history adds `sso`, `ldap`,
 *   `radius` and `systems` authentications (and `directory` user portal logins).
 */
export function addDirectoryInsightsRoutes(router: Router, events: EventLog, random: Random): void {
  router.add('POST', '/insights/directory/v1/events', ({ json }) => {
    const body = json();
    if (!isPlainObject(body)) throw badRequest('the request body must be a JSON event query with "service" and "start_time"', [{ field: 'body', description: 'must be an object' }]);
    const services = body['service'];
    if (!Array.isArray(services) || services.length === 0 || !services.every((s) => typeof s === 'string' && SERVICES.includes(s))) {
      throw badRequest(`"service" must be a non-empty array of: ${SERVICES.join(', ')}`, [{ field: 'service', description: `supported values: ${SERVICES.join(', ')}` }]);
    }
    const startMs = timeField(body, 'start_time', true) as number;
    if (startMs > Date.now()) throw badRequest('"start_time" is in the future', [{ field: 'start_time', description: 'must not be in the future' }]);
    const endMs = timeField(body, 'end_time', false);
    if (endMs !== undefined && endMs <= startMs) throw badRequest('"end_time" must be after "start_time"', [{ field: 'end_time', description: 'must be after start_time' }]);
    const limitValue = body['limit'];
    const limit = typeof limitValue === 'number' && Number.isInteger(limitValue) && limitValue >= 1 && limitValue <= MAX_LIMIT ? limitValue : DEFAULT_LIMIT;
    const skipValue = body['skip'];
    const skip = typeof skipValue === 'number' && Number.isInteger(skipValue) && skipValue >= 0 ? skipValue : 0;
    const sort = typeof body['sort'] === 'string' && body['sort'].toUpperCase() === 'DESC' ? 'DESC' : 'ASC';
    const searchAfter = parseSearchAfter(body['search_after']);
    const fields = parseProjection(body['fields']);

    const matchers: Array<(e: InsightsEvent) => boolean> = [];
    if (!services.includes('all')) matchers.push((e) => services.includes(e.service));
    if (body['search_term'] !== undefined && body['search_term'] !== null) matchers.push(compileSearchTerm(body['search_term']));
    if (typeof body['q'] === 'string' && body['q'] !== '') {
      const q = body['q'].toLowerCase();
      matchers.push((e) => JSON.stringify(e).toLowerCase().includes(q));
    }
    if (typeof body['exact_match'] === 'string' && body['exact_match'] !== '') {
      const exact = body['exact_match'];
      matchers.push((e) => JSON.stringify(e).includes(exact));
    }

    const page = events.query({
      startMs, ...(endMs !== undefined ? { endMs } : {}), sort, limit, skip, ...(searchAfter !== undefined ? { searchAfter } : {}),
      match: (e) => matchers.every((m) => m(e)),
    });
    const rows = fields === undefined ? page.events : page.events.map((e) => projectEvent(e, fields));
    return {
      status: 200,
      body: rows,
      headers: {
        'X-Result-Count': String(rows.length),
        'X-Limit': String(limit),
        'X-Sort': sort,
        'X-Search_after': JSON.stringify(page.searchAfter),
        'X-Request-Id': randomUuid(random),
      },
    };
  });
}

function timeField(body: Record<string, unknown>, field: string, required: boolean): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw badRequest(`"${field}" is required (RFC 3339, e.g. 2020-01-01T14:00:00Z)`, [{ field, description: 'required' }]);
    return undefined;
  }
  if (!isDateTime(value)) throw badRequest(`"${field}" must be an RFC 3339 date-time such as 2020-01-01T14:00:00Z, not ${JSON.stringify(value)}`, [{ field, description: 'must be an RFC 3339 date-time' }]);
  return Date.parse(value);
}

function parseSearchAfter(value: unknown): [number, number] | undefined {
  if (value === undefined || value === null) return undefined;
  const problem = badRequest('"search_after" must be the [timestamp, token] array from a previous X-Search_after header', [{ field: 'search_after', description: 'must be [timestamp, token]' }]);
  if (!Array.isArray(value) || value.length !== 2) throw problem;
  const [ms, token] = value;
  const millis = typeof ms === 'number' ? ms : typeof ms === 'string' && /^\d+$/.test(ms) ? Number(ms) : Number.NaN;
  const seq = parseCursorToken(token);
  if (!Number.isFinite(millis) || seq === undefined) throw problem;
  return [millis, seq];
}

function parseProjection(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((f) => typeof f === 'string')) throw badRequest('"fields" must be an array of field names', [{ field: 'fields', description: 'must be an array of strings' }]);
  const known = value.filter((f: string) => KNOWN_FIELDS.has(f.split('.')[0] ?? ''));
  if (known.length === 0) throw badRequest(`"fields" names no known event field; known: ${[...KNOWN_FIELDS].join(', ')}`, [{ field: 'fields', description: 'no known field' }]);
  return known;
}

function projectEvent(event: InsightsEvent, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = getPath(event, field);
    if (value === undefined) continue;
    // A dotted field comes back nested under its parents, as the service returns it.
    const parts = field.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) {
      target[part] = isPlainObject(target[part]) ? target[part] : {};
      target = target[part] as Record<string, unknown>;
    }
    target[parts.at(-1) as string] = value;
  }
  return out;
}

/** Compiles `search_term` (`{and|or|not: [terms]}`) into a predicate; a 400 for other shapes. */
function compileSearchTerm(term: unknown, where = 'search_term'): (e: InsightsEvent) => boolean {
  if (!isPlainObject(term)) throw badRequest(`${where} must be an object`, [{ field: where, description: 'must be an object' }]);
  const parts: Array<(e: InsightsEvent) => boolean> = [];
  for (const [key, value] of Object.entries(term)) {
    const path = `${where}.${key}`;
    if (key === 'and' || key === 'or' || key === 'not') {
      const list = Array.isArray(value) ? value : isPlainObject(value) ? Object.entries(value).map(([k, v]) => ({ [k]: v })) : undefined;
      if (list === undefined) throw badRequest(`${path} must be a list of terms`, [{ field: path, description: 'must be an array' }]);
      const nested = list.map((t, i) => compileSearchTerm(t, `${path}[${i}]`));
      parts.push(key === 'and' ? (e) => nested.every((p) => p(e)) : key === 'or' ? (e) => nested.some((p) => p(e)) : (e) => !nested.some((p) => p(e)));
    } else {
      const wanted = (Array.isArray(value) ? value : [value]).map((v) => String(v).toLowerCase());
      parts.push((e) => {
        const actual = getPath(e, key);
        if (actual === undefined || (typeof actual === 'object' && actual !== null)) return false;
        return wanted.includes(String(actual).toLowerCase());
      });
    }
  }
  return (e) => parts.every((p) => p(e));
}
