import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { DirectoryEventQueryBody, DirectoryInsightsService } from '../types.js';

/**
 * Directory Insights queries (`POST /insights/directory/v1/events`) as the client sends them:
 * the services a query may name, the time format it takes, the checked request body, and the
 * paging cursor JumpCloud answers in `X-Search_after`.
 */

/** Every `service` a Directory Insights query may name (`EventServiceTimeQuery.service`). */
export const DIRECTORY_INSIGHTS_SERVICES: readonly DirectoryInsightsService[] = [
  'alerts', 'all', 'directory', 'ldap', 'mdm', 'notifications', 'object_storage', 'password_manager', 'radius', 'reports',
  'saas_app_management', 'software', 'sso', 'systems', 'access_management', 'asset_management',
];

/** A Directory Insights query, in the client's naming. */
export interface DirectoryEventsQuery {
  /** Services to read, e.g. `['directory']` or `['all']`. */
  service: readonly DirectoryInsightsService[];
  /** RFC 3339 UTC start, e.g. `2026-03-01T00:00:00Z`. */
  startTime: string;
  endTime?: string;
  /** Rows per page, 1 to 10,000 (JumpCloud's default is 1,000). */
  limit?: number;
  /** The cursor of the previous page (`X-Search_after`). */
  searchAfter?: ReadonlyArray<string | number>;
  /** Timestamp order; JumpCloud's default is ascending. */
  sort?: 'ASC' | 'DESC';
  /** A `search_term` filter, e.g. `{ and: [{ event_type: 'user_suspended' }] }`. */
  searchTerm?: DirectoryEventQueryBody['search_term'];
  /** Only these fields of each event. */
  fields?: readonly string[];
}

// RFC 3339: a date, "T", a time (seconds optional), and a zone ("Z" or an offset).
const RFC3339_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** True for an RFC 3339 time such as `2026-03-01T00:00:00Z`, the form Directory Insights takes. */
export function isRfc3339Time(value: unknown): value is string {
  return typeof value === 'string' && RFC3339_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * The request body of a query, checked.
 * @throws PermanentError (`INVALID_ARGUMENT`) naming the first field that is wrong and what it should be.
 */
export function directoryQueryBody(query: DirectoryEventsQuery): DirectoryEventQueryBody {
  const bad = (message: string): never => {
    throw new PermanentError(`queryDirectoryEvents: ${message}`, { code: 'INVALID_ARGUMENT' });
  };
  if (!Array.isArray(query?.service) || query.service.length === 0) {
    throw new PermanentError('queryDirectoryEvents needs at least one service, e.g. ["directory"] or ["all"]', { code: 'INVALID_ARGUMENT' });
  }
  for (const service of query.service) {
    if (!DIRECTORY_INSIGHTS_SERVICES.includes(service)) bad(`"${String(service)}" is not a Directory Insights service; use one of ${DIRECTORY_INSIGHTS_SERVICES.join(', ')}`);
  }
  for (const [name, value] of [['startTime', query.startTime], ['endTime', query.endTime]] as const) {
    if ((name === 'startTime' || value !== undefined) && !isRfc3339Time(value)) bad(`${name} must be an RFC 3339 UTC time like 2026-03-01T00:00:00Z, got ${JSON.stringify(value)}`);
  }
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 10_000)) bad(`limit must be an integer from 1 to 10000, got ${String(query.limit)}`);
  if (query.sort !== undefined && query.sort !== 'ASC' && query.sort !== 'DESC') bad(`sort must be "ASC" or "DESC", got ${JSON.stringify(query.sort)}`);
  return {
    service: [...query.service],
    start_time: query.startTime,
    ...(query.endTime === undefined ? {} : { end_time: query.endTime }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.searchAfter === undefined ? {} : { search_after: [...query.searchAfter] }),
    ...(query.sort === undefined ? {} : { sort: query.sort }),
    ...(query.searchTerm === undefined ? {} : { search_term: query.searchTerm }),
    ...(query.fields === undefined ? {} : { fields: [...query.fields] }),
  };
}

/** The paging cursor of an `X-Search_after` header (a JSON array), or undefined when absent or unreadable. */
export function readSearchAfter(value: string | null): Array<string | number> | undefined {
  if (value === null || value.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((item) => typeof item === 'string' || typeof item === 'number')) return parsed as Array<string | number>;
  } catch {
    // Not JSON: unreadable, reported by the caller.
  }
  return undefined;
}
