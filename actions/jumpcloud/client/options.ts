import { PermanentError } from '../../../engine/errors/action-errors.js';
import { isLoopbackHost } from '../../../engine/plugin-api/loopback-host.js';
import type { LookupCache } from './name-cache.js';

/** The logger the client writes to: one debug line per request, warnings for retries and oddities. */
export interface JumpCloudClientLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

/** How the client retries transient failures of requests that are safe to repeat. */
export interface JumpCloudRetryOptions {
  /** Total attempts including the first (1 = no retry). Default 4. */
  attempts?: number;
  /** Backoff before the first retry, in milliseconds; doubles each time, with jitter. Default 500. */
  minDelayMs?: number;
  /** Upper bound of the backoff, in milliseconds. Default 8,000. */
  maxDelayMs?: number;
  /**
   * The longest `Retry-After` the client waits out itself, in milliseconds; a longer one
   * surfaces at once as a `TransientError` carrying `retryAfterMs`, for the engine to schedule.
   * Default 60,000.
   */
  maxRetryAfterMs?: number;
}

/** Options of {@link createJumpCloudClient}. */
export interface JumpCloudClientOptions {
  /** E.g. `https://console.jumpcloud.com`; plain HTTP is accepted only for loopback hosts (the emulator). */
  baseUrl: string;
  /** The admin API key, sent as `x-api-key`. Never logged, never put in an error. */
  apiKey: string;
  /** The organisation, sent as `x-org-id` (multi-tenant admins). */
  orgId?: string;
  /** Default signal for every request (each call may add its own). */
  signal?: AbortSignal;
  logger?: JumpCloudClientLogger;
  /** Requests in flight at once for this organisation, across every client in the process. Default 5. */
  maxConcurrency?: number;
  /**
   * The most requests per second this organisation is sent, across every client in the process:
   * a ceiling over the rate the client learns from JumpCloud's 429s (see `rate-pacer.ts`). Default:
   * none (only the learned rate paces).
   */
  maxRequestsPerSecond?: number;
  retry?: JumpCloudRetryOptions;
  /** Time limit of one attempt, in milliseconds (a timed-out attempt is a transient failure). Default 30,000. */
  timeoutMs?: number;
  /** The `fetch` to use; default the runtime's. */
  fetch?: typeof fetch;
  /** `User-Agent` header. Default `idflow-jumpcloud-client`. */
  userAgent?: string;
  /**
   * Read-only mode (what an action's `plan()` uses): every request other than a GET or a search
   * POST (`/api/search/*`, the Directory Insights query) is refused with a `PermanentError`
   * (`JUMPCLOUD_READ_ONLY`) before anything is sent. Default false.
   */
  readOnly?: boolean;
  /**
   * The cache of look-ups by id (users, groups, systems, applications, servers) to use; share one
   * between clients (e.g. the steps of one run) so that each object is fetched once. A new,
   * private cache by default.
   */
  lookupCache?: LookupCache;
  /**
   * Where Directory Insights is served. Default: `https://api.jumpcloud.com` when `baseUrl` is
   * the US console (the documented host), otherwise `baseUrl` itself (EU/IN consoles, emulators).
   */
  insightsBaseUrl?: string;
}

/** Per-call options every client method accepts. */
export interface CallOptions {
  /** Aborts this call (in flight or waiting to retry); combined with the client's default signal. */
  signal?: AbortSignal;
}

/** Retry settings with every field filled. */
export type ResolvedRetryOptions = Required<JumpCloudRetryOptions>;

/** The retry defaults. */
export const DEFAULT_RETRY: ResolvedRetryOptions = Object.freeze({ attempts: 4, minDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 });

/** The per-attempt time limit default, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The default `User-Agent`. */
export const DEFAULT_USER_AGENT = 'idflow-jumpcloud-client';

/**
 * Checks the base URL: absolute, HTTPS (or HTTP to a loopback host), no credentials, query or
 * fragment. Returns it without a trailing slash.
 * @throws PermanentError saying what is wrong with it.
 */
export function checkBaseUrl(baseUrl: string): string {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') {
    throw new PermanentError('The JumpCloud base URL is empty; set JUMPCLOUD_API_URL or connections.jumpcloud.base_url, or leave both unset for https://console.jumpcloud.com', { code: 'JUMPCLOUD_BAD_SETTING' });
  }
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new PermanentError(`The JumpCloud base URL "${baseUrl}" is not an absolute URL (expected e.g. https://console.jumpcloud.com)`, { code: 'JUMPCLOUD_BAD_SETTING' });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new PermanentError(
      `The JumpCloud base URL "${url.origin}" must use https:// (plain http:// is only allowed for a loopback emulator such as http://127.0.0.1:PORT), so the API key is never sent in the clear`,
      { code: 'JUMPCLOUD_BAD_SETTING' },
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new PermanentError(`The JumpCloud base URL must not carry credentials, a query or a fragment; got "${url.origin}${url.pathname}…"`, { code: 'JUMPCLOUD_BAD_SETTING' });
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * Fills and checks the retry options.
 * @throws PermanentError naming the first bad field.
 */
export function resolveRetryOptions(retry: JumpCloudRetryOptions | undefined): ResolvedRetryOptions {
  const resolved: ResolvedRetryOptions = { ...DEFAULT_RETRY, ...stripUndefined(retry ?? {}) };
  if (!Number.isInteger(resolved.attempts) || resolved.attempts < 1) throw badOption('retry.attempts', 'an integer of at least 1', resolved.attempts);
  for (const key of ['minDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw badOption(`retry.${key}`, 'a number of milliseconds ≥ 0', value);
  }
  if (resolved.maxDelayMs < resolved.minDelayMs) throw badOption('retry.maxDelayMs', `at least retry.minDelayMs (${resolved.minDelayMs})`, resolved.maxDelayMs);
  return resolved;
}

/**
 * Checks a positive integer option.
 * @throws PermanentError naming the option.
 */
export function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw badOption(name, 'an integer of at least 1', value);
  return value;
}

/**
 * Checks a positive number option (fractions allowed, e.g. 0.5 requests per second).
 * @throws PermanentError naming the option.
 */
export function checkPositiveNumber(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw badOption(name, 'a number above 0', value);
  return value;
}

function badOption(name: string, expected: string, got: unknown): PermanentError {
  return new PermanentError(`JumpCloud client option ${name} must be ${expected}, got ${JSON.stringify(got)}`, { code: 'JUMPCLOUD_BAD_SETTING' });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
