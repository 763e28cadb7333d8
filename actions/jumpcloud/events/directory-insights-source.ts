import { createHash } from 'node:crypto';
import { PermanentError } from '../../../engine/errors/action-errors.js';
import { parseDuration } from '../../../engine/loader/duration.js';
import { sleep } from '../../../engine/runner/sleep.js';
import type { EventSourceContext, EventSourceProvider, SourcedEvent } from '../../../engine/plugin-api/pack.js';
import { createJumpCloudClient, type JumpCloudClient } from '../client/jumpcloud-client.js';
import { DIRECTORY_INSIGHTS_SERVICES, isRfc3339Time } from '../client/directory-events-query.js';
import { resolveConnectionSettings } from '../client/settings.js';
import type { DirectoryEvent, DirectoryInsightsService } from '../types.js';
import { directoryEventName } from './event-names.js';
import { directoryEventPayload } from './event-payload.js';

/** The source type, as `event_sources:` entries name it. */
export const DIRECTORY_INSIGHTS_SOURCE = 'jumpcloud.directory_insights';


/** The options of a `jumpcloud.directory_insights` source, checked. */
export interface DirectoryInsightsOptions {
  /** The connection (under `connections:`) to read with; default `jumpcloud`. */
  connection: string;
  /** The pause between polls when there is nothing new, in milliseconds (default 60 s). */
  intervalMs: number;
  services: DirectoryInsightsService[];
  /** `now`, or an RFC 3339 time: where a source without a cursor starts. */
  start: string;
  /** Events per page (1–10,000; default 1,000). */
  limit: number;
  /** The organisation (`x-org-id`), when the connection does not name it. */
  orgId?: string;
}

/** Where the source is in the event stream; serve stores it with every batch. */
export interface DirectoryInsightsCursor {
  /** The query's `start_time`: fixed when the source first started. */
  start_time: string;
  /** The `X-Search_after` of the last page read: the next query continues after it. */
  search_after?: Array<string | number>;
}

/**
 * Checks a source's options (everything under its `event_sources:` entry).
 * @throws PermanentError naming the option and what it should be.
 */
export function readDirectoryInsightsOptions(options: Record<string, unknown>): DirectoryInsightsOptions {
  const bad = (key: string, expected: string): never => {
    throw new PermanentError(`event source ${DIRECTORY_INSIGHTS_SOURCE}: "${key}" must be ${expected}, got ${JSON.stringify(options[key])}`, { code: 'INVALID_EVENT_SOURCE' });
  };
  const connection = options['connection'] ?? 'jumpcloud';
  if (typeof connection !== 'string' || connection.trim() === '') bad('connection', 'a connection name');
  const interval = options['interval'];
  const intervalMs = interval === undefined ? 60_000 : parseDuration(typeof interval === 'string' ? interval.trim() : interval);
  if (intervalMs === undefined || intervalMs < 100) bad('interval', 'a duration of at least 100ms, like "30s" or "5m"');
  const services = options['services'] ?? ['directory'];
  if (!Array.isArray(services) || services.length === 0 || !services.every((s) => typeof s === 'string' && (DIRECTORY_INSIGHTS_SERVICES as readonly string[]).includes(s))) {
    bad('services', `a non-empty list of: ${DIRECTORY_INSIGHTS_SERVICES.join(', ')}`);
  }
  const start = options['start'] ?? 'now';
  if (typeof start !== 'string' || (start !== 'now' && !isRfc3339Time(start))) {
    bad('start', '"now" or an RFC 3339 time such as 2026-03-01T00:00:00Z');
  }
  const limit = options['limit'] ?? 1000;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 10_000) bad('limit', 'a whole number from 1 to 10000');
  const orgId = options['org_id'];
  if (orgId !== undefined && typeof orgId !== 'string') bad('org_id', 'a JumpCloud organisation id');
  return {
    connection: (connection as string).trim(),
    intervalMs: intervalMs as number,
    services: services as DirectoryInsightsService[],
    start: start as string,
    limit: limit as number,
    ...(typeof orgId === 'string' && orgId.trim() !== '' ? { orgId: orgId.trim() } : {}),
  };
}

/**
 * Turns one Directory Insights event into the event serve hands to triggers (name from the
 * table in `event-names.ts`, id from the event, payload from `event-payload.ts`).
 */
export function toSourcedEvent(event: DirectoryEvent): SourcedEvent {
  const id = typeof event.id === 'string' && event.id.trim() !== ''
    ? event.id
    : `${String(event.timestamp)}:${createHash('sha256').update(JSON.stringify(event)).digest('hex').slice(0, 32)}`;
  return { name: directoryEventName(event), id, payload: directoryEventPayload(event) };
}

/**
 * The `jumpcloud.directory_insights` event source: polls `POST /insights/directory/v1/events`
 * in time order, page after page with `search_after`, and hands each page to serve with the
 * page's `X-Search_after` as the cursor. Serve stores the cursor only once the page's events are
 * recorded, so after a restart the source continues right after the last page it handed over:
 * nothing is read twice or skipped (and serve's event records catch a page handed over twice,
 * e.g. when serve stopped between recording the events and storing the cursor).
 *
 * A source without a stored cursor starts at `start` (`now`: only events from now on) and stores
 * that starting point at once, so events that happen while serve is down are read at the next
 * start. Network errors and 5xx answers (after the client's own retries) wait one interval and
 * try again; a wrong key or a bad query fails the source, which serve restarts after a pause.
 */
export const directoryInsightsSource: EventSourceProvider = {
  type: DIRECTORY_INSIGHTS_SOURCE,
  description: 'JumpCloud Directory Insights: user, group, device and association changes as jumpcloud.* events',
  async run(ctx: EventSourceContext, rawOptions: Record<string, unknown>): Promise<void> {
    const options = readDirectoryInsightsOptions(rawOptions);
    const client = clientFor(ctx, options);
    let cursor = readCursor(ctx.cursor);
    if (cursor === undefined) {
      if (ctx.cursor !== undefined) ctx.logger.warn('the stored cursor is not one this source wrote; starting afresh', { start: options.start });
      cursor = { start_time: options.start === 'now' ? new Date().toISOString() : new Date(options.start).toISOString() };
      await ctx.emit([], cursor);
      ctx.logger.info(`reading Directory Insights events from ${cursor.start_time}`);
    }
    while (!ctx.signal.aborted) {
      let hasMore = false;
      try {
        const page = await client.queryDirectoryEvents({
          service: options.services,
          startTime: cursor.start_time,
          ...(cursor.search_after === undefined ? {} : { searchAfter: cursor.search_after }),
          sort: 'ASC',
          limit: options.limit,
        }, { signal: ctx.signal });
        const next: DirectoryInsightsCursor = { start_time: cursor.start_time, ...(page.searchAfter ?? cursor.search_after ? { search_after: page.searchAfter ?? cursor.search_after } : {}) };
        if (page.events.length > 0) {
          await ctx.emit(page.events.map(toSourcedEvent), next);
          ctx.logger.info(`read ${page.events.length} Directory Insights event${page.events.length === 1 ? '' : 's'}`);
        }
        cursor = next;
        hasMore = page.hasMore;
      } catch (error) {
        if (ctx.signal.aborted) return;
        if ((error as { retryable?: unknown }).retryable !== true) throw error;
        ctx.logger.warn(`Directory Insights could not be read (${(error as Error).message}); trying again in ${Math.round(options.intervalMs / 1000)}s`);
      }
      // Stopping (the signal) ends the wait early; the loop condition then ends the source.
      if (!hasMore) await sleep(options.intervalMs, ctx.signal).catch(() => undefined);
    }
  },
};

function clientFor(ctx: EventSourceContext, options: DirectoryInsightsOptions): JumpCloudClient {
  const connection = ctx.connection(options.connection);
  if (connection === undefined && options.connection !== 'jumpcloud') {
    throw new PermanentError(`event source ${DIRECTORY_INSIGHTS_SOURCE}: no connection "${options.connection}" is configured (connections.${options.connection}: base_url, api_key: { env: NAME })`, { code: 'JUMPCLOUD_NO_CONNECTION' });
  }
  if (ctx.sandbox && connection !== undefined && connection['sandbox'] !== true) {
    throw new PermanentError(
      `event source ${DIRECTORY_INSIGHTS_SOURCE}: connection "${options.connection}" is a real JumpCloud connection from the config, and serve runs with --sandbox, which never uses one; use the sandbox's "jumpcloud" connection`,
      { code: 'JUMPCLOUD_NOT_SANDBOX' },
    );
  }
  const settings = connection ?? {};
  // The actions' rule (resolveConnectionSettings): a sandbox connection reads nothing from the environment.
  const resolved = resolveConnectionSettings(settings, {
    connectionName: options.connection,
    sandbox: ctx.sandbox || settings['sandbox'] === true,
    env: () => process.env,
    orgId: options.orgId,
  });
  return createJumpCloudClient({
    ...resolved,
    signal: ctx.signal,
    readOnly: true,
    logger: { debug: () => undefined, info: (m, meta) => ctx.logger.info(m, meta), warn: (m, meta) => ctx.logger.warn(m, meta) },
  });
}

function readCursor(value: unknown): DirectoryInsightsCursor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const cursor = value as Partial<DirectoryInsightsCursor>;
  if (typeof cursor.start_time !== 'string' || Number.isNaN(Date.parse(cursor.start_time))) return undefined;
  if (cursor.search_after !== undefined && !(Array.isArray(cursor.search_after) && cursor.search_after.every((v) => typeof v === 'string' || typeof v === 'number'))) return undefined;
  return { start_time: cursor.start_time, ...(cursor.search_after === undefined ? {} : { search_after: cursor.search_after }) };
}
