import type { AuthenticationEvent } from './authentication-event.js';
import type { DirectoryEvent } from './directory-event.js';

/** Any event the log answers queries with: a change the API made, or seeded authentication history. */
export type InsightsEvent = DirectoryEvent | AuthenticationEvent;

/**
 * The emulator's Directory Insights store: every recorded event in order, queried the way
 * `POST /insights/directory/v1/events` is (time window, search terms, sort, `search_after`).
 *
 * @remarks
 * Paging uses `search_after = [timestampMillis, "<token>"]` as the spec describes. The token is
 * a monotonic sequence number, so two events in the same millisecond still have a total order and
 * a poller that resumes from a cursor never misses or repeats one. Timestamps never go backwards
 * (a clock step back reuses the last timestamp) for the same reason.
 */
export class EventLog {
  readonly #events: StoredEvent[] = [];
  #lastMs = 0;
  #seq = 0;

  /** Appends an event; `timestamp` is set here so the log stays ordered. */
  append(event: Omit<DirectoryEvent, 'timestamp'>, now: Date = new Date()): DirectoryEvent {
    const ms = Math.max(now.getTime(), this.#lastMs);
    this.#lastMs = ms;
    this.#seq += 1;
    const full: DirectoryEvent = { ...event, timestamp: new Date(ms).toISOString() } as DirectoryEvent;
    this.#events.push({ seq: this.#seq, ms, event: full });
    return full;
  }

  /**
   * Adds an event of the org's past with its own `timestamp` (the seeded authentication
   * history), in time order. It gets the next sequence number and goes after every event of the
   * same or an earlier time, so the log stays ordered by (time, sequence) as cursors need. Seeded
   * events are answered by queries but are not changes: {@link EventLog.all} and
   * {@link EventLog.size} leave them out, as seeding objects records no event either.
   */
  seed(event: AuthenticationEvent): void {
    const ms = Date.parse(event.timestamp);
    if (Number.isNaN(ms)) throw new RangeError(`a seeded event needs a valid timestamp, got ${JSON.stringify(event.timestamp)}`);
    this.#seq += 1;
    const at = this.#events.findIndex((e) => e.ms > ms);
    const stored: StoredEvent = { seq: this.#seq, ms, event: structuredClone(event), seeded: true };
    if (at < 0) this.#events.push(stored);
    else this.#events.splice(at, 0, stored);
    this.#lastMs = Math.max(this.#lastMs, ms);
  }

  /** Every event the API recorded, oldest first (copies); the seeded history is left out. */
  all(): DirectoryEvent[] {
    return this.#events.filter((e) => e.seeded !== true).map((e) => structuredClone(e.event as DirectoryEvent));
  }

  /** How many events the API recorded (the seeded history is not counted). */
  get size(): number {
    return this.#events.reduce((count, e) => count + (e.seeded === true ? 0 : 1), 0);
  }

  /** Forgets every event (on reset). The sequence keeps counting so old cursors stay behind new events. */
  clear(): void {
    this.#events.length = 0;
  }

  /** How many events were ever appended (it only grows, also across {@link EventLog.clear}): a cheap "did anything change" mark. */
  get sequence(): number {
    return this.#seq;
  }

  /** The whole log as plain data, for the emulator's state file. */
  export(): PersistedEventLog {
    return { sequence: this.#seq, lastMs: this.#lastMs, events: this.#events.map((e) => structuredClone(e)) };
  }

  /**
   * Replaces the log with one {@link EventLog.export} produced (a sandbox continuing from its
   * state file), so cursors handed out before the restart still find their place.
   */
  restore(saved: PersistedEventLog): void {
    this.#events.length = 0;
    this.#events.push(...saved.events.map((e) => structuredClone(e)));
    this.#seq = Math.max(saved.sequence, this.#events.at(-1)?.seq ?? 0);
    this.#lastMs = Math.max(saved.lastMs, this.#events.at(-1)?.ms ?? 0);
  }

  /** Runs a query; see {@link EventQueryCriteria}. */
  query(criteria: EventQueryCriteria): EventPage {
    const descending = criteria.sort === 'DESC';
    let rows = this.#events.filter(
      (e) => e.ms >= criteria.startMs && (criteria.endMs === undefined || e.ms < criteria.endMs) && criteria.match(e.event),
    );
    if (descending) rows = [...rows].reverse();
    if (criteria.searchAfter !== undefined) {
      const [afterMs, afterSeq] = criteria.searchAfter;
      rows = rows.filter((e) => (descending ? compare(e, afterMs, afterSeq) < 0 : compare(e, afterMs, afterSeq) > 0));
    }
    const page = rows.slice(criteria.skip, criteria.skip + criteria.limit);
    const last = page.at(-1);
    const cursor: [number, string] = last !== undefined
      ? [last.ms, formatToken(last.seq)]
      : criteria.searchAfter !== undefined ? [criteria.searchAfter[0], formatToken(criteria.searchAfter[1])] : [criteria.startMs, formatToken(0)];
    return { events: page.map((e) => structuredClone(e.event)), searchAfter: cursor };
  }
}

/** A parsed query for {@link EventLog.query}. */
export interface EventQueryCriteria {
  /** Inclusive lower bound of the event time, epoch milliseconds. */
  startMs: number;
  /** Exclusive upper bound, epoch milliseconds. */
  endMs?: number;
  sort: 'ASC' | 'DESC';
  limit: number;
  skip: number;
  /** `[timestampMillis, sequence]` from a previous page's `X-Search_after`. */
  searchAfter?: [number, number];
  /** Service, search term and full-text filters combined. */
  match: (event: InsightsEvent) => boolean;
}

/** One page of events plus the cursor for `X-Search_after`. */
export interface EventPage {
  events: InsightsEvent[];
  searchAfter: [number, string];
}

/** One stored event: its sequence number, time (epoch ms) and the event itself. */
export interface StoredEvent {
  seq: number;
  ms: number;
  event: InsightsEvent;
  /** Part of the org's seeded history rather than a change the API made. */
  seeded?: boolean;
}

/** An {@link EventLog} as plain data (see {@link EventLog.export}). */
export interface PersistedEventLog {
  /** The last sequence number handed out. */
  sequence: number;
  /** The newest timestamp handed out, epoch ms (timestamps never go backwards). */
  lastMs: number;
  events: StoredEvent[];
}

function compare(e: StoredEvent, ms: number, seq: number): number {
  return e.ms !== ms ? e.ms - ms : e.seq - seq;
}

/** The opaque-looking token half of a cursor: the sequence number, zero-padded so it sorts as text too. */
function formatToken(seq: number): string {
  return seq.toString().padStart(12, '0');
}

/** Parses the token half of a cursor back to its sequence number, or undefined when malformed. */
export function parseCursorToken(token: unknown): number | undefined {
  if (typeof token === 'number' && Number.isInteger(token) && token >= 0) return token;
  if (typeof token === 'string' && /^\d{1,15}$/.test(token)) return Number(token);
  return undefined;
}
