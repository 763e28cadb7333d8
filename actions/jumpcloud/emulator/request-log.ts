/** One API request as the emulator saw it (`GET /__sandbox/requests`, `requests()`). */
export interface RequestLogEntry {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The raw query string without `?` ('' when none). */
  query: string;
  /** The status answered; 0 when the connection was dropped without a response. */
  status: number;
  /** Time from arrival to the end of the response (or the drop), in milliseconds. */
  ms: number;
  /** Arrival time, ISO-8601. */
  at: string;
  /** The injected fault, when one was: rate limited (429), an injected 5xx, a dropped connection, or a targeted fault rule. */
  fault?: 'rate_limit' | 'error' | 'drop' | 'rule';
}

/**
 * The API request log. Admin calls (`/__sandbox/*`) are not logged: they observe the emulator
 * rather than use the API, and reading the log should not change it. The log keeps the most
 * recent `capacity` entries so week-long sandboxes do not grow without bound.
 */
export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  readonly #capacity: number;

  constructor(capacity = 200_000) {
    this.#capacity = capacity;
  }

  /** Adds an entry, dropping the oldest beyond capacity. */
  add(entry: RequestLogEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries.splice(0, this.#entries.length - this.#capacity);
  }

  /** A copy of every entry, oldest first. */
  all(): RequestLogEntry[] {
    return this.#entries.map((e) => ({ ...e }));
  }

  /** Empties the log. */
  clear(): void {
    this.#entries.length = 0;
  }
}
