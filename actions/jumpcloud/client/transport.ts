import { createHash } from 'node:crypto';
import pRetry, { AbortError } from 'p-retry';
import type { IdflowError } from '../../../engine/errors/idflow-error.js';
import { CancelledError, PermanentError, TimeoutError, TransientError } from '../../../engine/errors/action-errors.js';
import { isNetworkError } from '../../../engine/errors/classify.js';
import { sleep } from '../../../engine/runner/sleep.js';
import { errorForResponse, parseErrorBody } from './error-mapping.js';
import {
  checkBaseUrl, checkPositiveInteger, checkPositiveNumber, DEFAULT_TIMEOUT_MS, DEFAULT_USER_AGENT, resolveRetryOptions,
  type JumpCloudClientLogger, type JumpCloudClientOptions, type ResolvedRetryOptions,
} from './options.js';
import { organisationSemaphore, PauseTooLongError, type PauseChange, type Release, type Semaphore } from './org-semaphore.js';
import { organisationPacer, type RatePacer } from './rate-pacer.js';
import { assertReading } from './read-only.js';
import { scrub } from './redact.js';
import { parseRetryAfter } from './retry-after.js';

/** The HTTP methods the client uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query parameters; an array repeats the key (`filter=a&filter=b`), `undefined` leaves it out. */
export type QueryParams = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/** One request to JumpCloud. */
export interface JumpCloudRequest {
  method: HttpMethod;
  /** Path from the host, starting with `/` (e.g. `/api/systemusers/5f00…`). */
  path: string;
  query?: QueryParams;
  /** Sent as JSON. */
  body?: unknown;
  /**
   * Safe to send again after a transient failure. Defaults to true for GET, PUT and DELETE and
   * false otherwise; graph `op` POSTs and searches set it, creating POSTs never do.
   */
  idempotent?: boolean;
  /** Aborts this request; combined with the client's default signal. */
  signal?: AbortSignal;
  /** What is asked for, for the 404 message (e.g. `user 5f00…01`). */
  what?: string;
}

/** A successful response. */
export interface JumpCloudResponse<T> {
  status: number;
  /** The parsed JSON body; a string for a non-JSON body; undefined for an empty one. */
  data: T;
  /** Response headers (they never include the request's API key). */
  headers: Headers;
  /** Attempts it took (1 when the first succeeded). */
  attempts: number;
}

/** Sends requests to one JumpCloud organisation: headers, concurrency cap, retries, typed errors. */
export interface Transport {
  /** The checked base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly orgId: string | undefined;
  readonly logger: JumpCloudClientLogger;
  /**
   * Sends one request, retrying transient failures when it is safe to repeat.
   * @throws the engine's typed errors: `PermanentError`, `NotFoundError`, `ConflictError`,
   *   `TransientError` (after the last attempt), `CancelledError` / `TimeoutError` (caller's signal).
   */
  request<T = unknown>(request: JumpCloudRequest): Promise<JumpCloudResponse<T>>;
}

// Contract §1.2: these routes reject x-org-id ("403 ID included on unsupported route"); JumpCloud's
// PowerShell module strips the header on exactly these.
const ORG_ID_FREE_ROUTES = [/^\/api\/organizations(?:[/?]|$)/, /^\/api\/v2\/providers\//, /^\/api\/v2\/organizations\//];

/** True when the request to `path` must carry `x-org-id` (when an org id is configured). */
export function sendsOrgId(path: string): boolean {
  return !ORG_ID_FREE_ROUTES.some((route) => route.test(path));
}

const NO_LOG: JumpCloudClientLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined };
// Characters a header value cannot carry; checked up front because fetch's own error would quote the value.
const BAD_HEADER_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Creates the transport behind a JumpCloud client.
 * @throws PermanentError for a bad base URL, an empty or malformed key or org id, or bad retry/concurrency options.
 */
export function createTransport(options: JumpCloudClientOptions): Transport {
  const baseUrl = checkBaseUrl(options.baseUrl);
  const apiKey = options.apiKey;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new PermanentError('The JumpCloud API key is empty: set JUMPCLOUD_API_KEY or connections.jumpcloud.api_key', { code: 'JUMPCLOUD_NO_API_KEY' });
  }
  if (BAD_HEADER_CHARS.test(apiKey)) {
    throw new PermanentError('The JumpCloud API key contains a line break or control character; check JUMPCLOUD_API_KEY for stray whitespace', { code: 'JUMPCLOUD_BAD_SETTING' });
  }
  const orgId = options.orgId === undefined || options.orgId.trim() === '' ? undefined : options.orgId.trim();
  if (orgId !== undefined && BAD_HEADER_CHARS.test(orgId)) {
    throw new PermanentError('The JumpCloud organisation id contains a line break or control character; check jumpcloud_org_id / JUMPCLOUD_ORG_ID', { code: 'JUMPCLOUD_BAD_SETTING' });
  }
  const retry = resolveRetryOptions(options.retry);
  const timeoutMs = checkPositiveInteger('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const ceiling = options.maxRequestsPerSecond === undefined ? undefined : checkPositiveNumber('maxRequestsPerSecond', options.maxRequestsPerSecond);
  // Single-tenant admins have no org id: their organisation is told apart by a digest of the key
  // (kept in memory only; the key itself is never a map key or a log field).
  const keyFingerprint = orgId === undefined ? createHash('sha256').update(apiKey).digest('hex').slice(0, 16) : undefined;
  const semaphore = organisationSemaphore(baseUrl, orgId, options.maxConcurrency === undefined ? undefined : checkPositiveInteger('maxConcurrency', options.maxConcurrency), keyFingerprint);
  const pacer = organisationPacer(semaphore, ceiling);
  const logger = options.logger ?? NO_LOG;
  const doFetch = options.fetch ?? globalThis.fetch;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const context: AttemptContext = { baseUrl, apiKey, orgId, retry, timeoutMs, semaphore, pacer, logger, doFetch, userAgent };

  const readOnly = options.readOnly === true;
  return {
    baseUrl,
    orgId,
    logger,
    request: async <T>(request: JumpCloudRequest) => {
      if (readOnly) assertReading(request);
      const linked = linkSignals([options.signal, request.signal]);
      try {
        return await send<T>(context, request, linked.signal);
      } finally {
        linked.dispose();
      }
    },
  };
}

interface AttemptContext {
  baseUrl: string;
  apiKey: string;
  orgId: string | undefined;
  retry: ResolvedRetryOptions;
  timeoutMs: number;
  semaphore: Semaphore;
  pacer: RatePacer;
  logger: JumpCloudClientLogger;
  doFetch: typeof fetch;
  userAgent: string;
}

async function send<T>(ctx: AttemptContext, request: JumpCloudRequest, signal: AbortSignal | undefined): Promise<JumpCloudResponse<T>> {
  if (!request.path.startsWith('/')) throw new PermanentError(`JumpCloud request path "${request.path}" must start with "/"`, { code: 'INVALID_ARGUMENT' });
  const idempotent = request.idempotent ?? (request.method === 'GET' || request.method === 'PUT' || request.method === 'DELETE');
  const target = pathWithQuery(request.path, request.query);
  const label = `${request.method} ${target}`;
  if (signal?.aborted) throw abortedError(signal, label);
  // Set after a 429: the next attempt waits at the organisation's closed gate (the wait the 429
  // asked for) and goes out ahead of the requests queued there, so it is not refused twice.
  let refused = false;
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await attemptOnce<T>(ctx, request, target, label, attempt, signal, refused);
        } catch (error) {
          // Only transient failures of repeatable requests are retried here; everything else
          // (and a Retry-After longer than we are willing to wait) goes straight to the caller.
          const retryable = error instanceof TransientError && idempotent && !signal?.aborted && (error.retryAfterMs ?? 0) <= ctx.retry.maxRetryAfterMs;
          if (!retryable) throw new AbortError(error as Error);
          throw error;
        }
      },
      {
        retries: ctx.retry.attempts - 1,
        // The backoff is computed in onFailedAttempt, where Retry-After is known.
        minTimeout: 0,
        factor: 1,
        ...(signal === undefined ? {} : { signal }),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          refused = isRateLimited(error);
          if (retriesLeft <= 0) return;
          const retryAfterMs = error instanceof TransientError ? error.retryAfterMs : undefined;
          // After a 429 the wait is the organisation's pause, which the 429 started or lengthened
          // when it arrived: never shorter than its Retry-After, so no sleep of our own.
          const delayMs = refused ? Math.max(Math.ceil(ctx.semaphore.pauseRemainingMs), retryAfterMs ?? 0) : backoffDelay(ctx.retry, attemptNumber, retryAfterMs);
          ctx.logger.warn(`JumpCloud ${label} failed (attempt ${attemptNumber} of ${ctx.retry.attempts}); retrying in ${delayMs} ms`, {
            method: request.method,
            path: target,
            attempt: attemptNumber,
            delayMs,
            error: error.message,
          });
          if (!refused) await sleep(delayMs, signal);
        },
      },
    );
  } catch (error) {
    if (signal?.aborted && !(error instanceof CancelledError || error instanceof TimeoutError)) throw abortedError(signal, label);
    throw error;
  }
}

/**
 * The wait before retry number `attemptNumber`: exponential from `minDelayMs`, capped at
 * `maxDelayMs`, with "equal jitter" (half fixed, half random) so that many clients hit by the
 * same failure do not retry in step; never shorter than the server's `Retry-After`.
 */
export function backoffDelay(retry: ResolvedRetryOptions, attemptNumber: number, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const base = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** Math.max(0, attemptNumber - 1));
  const jittered = Math.round(base / 2 + random() * (base / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

async function attemptOnce<T>(
  ctx: AttemptContext,
  request: JumpCloudRequest,
  target: string,
  label: string,
  attempt: number,
  signal: AbortSignal | undefined,
  first: boolean,
): Promise<JumpCloudResponse<T>> {
  // Everything that does not need the slot is done before taking it or after giving it back:
  // the slot (one of the organisation's few requests in flight) is held only while the request
  // is on the wire, so that the next request waiting for it goes out at once.
  const headers: Record<string, string> = {
    'x-api-key': ctx.apiKey,
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'User-Agent': ctx.userAgent,
  };
  if (ctx.orgId !== undefined && sendsOrgId(request.path)) headers['x-org-id'] = ctx.orgId;
  const init: RequestInit = {
    method: request.method,
    headers,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    // Never follow a redirect: it would carry the API key to wherever it points.
    redirect: 'manual',
  };
  const url = `${ctx.baseUrl}${target}`;
  const release = await acquireSlot(ctx, label, signal, first);
  const started = performance.now();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), ctx.timeoutMs);
  const linked = linkSignals([signal, timeout.signal]);
  let response: Response;
  let text: string;
  try {
    response = await ctx.doFetch(url, { ...init, signal: linked.signal ?? timeout.signal });
    // Read the whole body inside the slot and the time limit: a connection dropped mid-body
    // is a transient failure of this attempt, like one dropped before the headers.
    text = await response.text();
  } catch (error) {
    const failure = failureWithoutResponse(ctx, error, label, signal, timeout.signal);
    clearTimeout(timer);
    linked.dispose();
    release();
    const ms = Math.round(performance.now() - started);
    ctx.logger.debug(`JumpCloud ${label} → no response (${ms} ms, attempt ${attempt}): ${failure.message}`, {
      method: request.method,
      path: target,
      ms,
      attempt,
      error: failure.code,
    });
    throw failure;
  }
  clearTimeout(timer);
  linked.dispose();
  const retryAfterMs = response.ok ? undefined : parseRetryAfter(response.headers.get('retry-after'));
  const elapsedMs = performance.now() - started;
  // Paused before the slot is given back, or the next request waiting would take it and go out.
  if (response.status === 429) ctx.pacer.rateLimited(pauseOrganisation(ctx, label, retryAfterMs ?? backoffDelay(ctx.retry, attempt, undefined)) === 'started');
  else ctx.pacer.answered(elapsedMs);
  release();
  const ms = Math.round(elapsedMs);
  ctx.logger.debug(`JumpCloud ${label} → ${response.status} (${ms} ms, attempt ${attempt})`, {
    method: request.method,
    path: target,
    status: response.status,
    ms,
    attempt,
  });
  const safeText = scrub(text, ctx.apiKey);
  if (response.status < 200 || response.status >= 300) {
    throw errorForResponse({
      method: request.method,
      path: target,
      status: response.status,
      baseUrl: ctx.baseUrl,
      ...(ctx.orgId === undefined ? {} : { orgId: ctx.orgId }),
      body: parseErrorBody(safeText),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(request.what === undefined ? {} : { what: request.what }),
      ...(response.status >= 300 && response.status < 400 ? { location: scrub(response.headers.get('location') ?? '', ctx.apiKey) } : {}),
    });
  }
  return { status: response.status, data: parseBody(safeText, response.headers.get('content-type'), label) as T, headers: response.headers, attempts: attempt };
}

/**
 * Takes one of the organisation's request slots: waits while the organisation is paused (that
 * wait is not an attempt) and for a slot, as long as the pause is one this client waits out.
 */
async function acquireSlot(ctx: AttemptContext, label: string, signal: AbortSignal | undefined, first: boolean): Promise<Release> {
  try {
    return await ctx.semaphore.acquire(signal, { first, maxPauseMs: ctx.retry.maxRetryAfterMs });
  } catch (error) {
    if (signal?.aborted) throw abortedError(signal, label);
    if (error instanceof PauseTooLongError) {
      const retryAfterMs = Math.ceil(error.remainingMs);
      // Like a 429 with that Retry-After: the engine schedules the step's next attempt.
      throw new TransientError(
        `JumpCloud ${label} was not sent: JumpCloud is rate limiting this organisation for another ${formatSeconds(retryAfterMs)}, longer than the client waits (${formatSeconds(ctx.retry.maxRetryAfterMs)})`,
        { retryAfterMs, details: { request: label, status: 429 } },
      );
    }
    throw error;
  }
}

/**
 * A 429 closes the organisation's gate for everyone: no new request of the organisation goes out
 * until `ms` has passed (requests in flight finish). Otherwise each request would find out for
 * itself, and under a sustained limit a request could be refused on every one of its attempts.
 */
function pauseOrganisation(ctx: AttemptContext, label: string, ms: number): PauseChange {
  const change = ctx.semaphore.pause(ms);
  // Once per pause: the requests in flight when it began usually lengthen it a little.
  if (change !== 'started') return change;
  ctx.logger.debug(`JumpCloud rate limit on ${label}: no request of this organisation goes out for ${ms} ms`, {
    ...(ctx.orgId === undefined ? {} : { orgId: ctx.orgId }),
    pauseMs: ms,
    inFlight: ctx.semaphore.inUse,
    queued: ctx.semaphore.queued,
  });
  return change;
}

function isRateLimited(error: Error): boolean {
  return error instanceof TransientError && error.details['status'] === 429;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function failureWithoutResponse(ctx: AttemptContext, error: unknown, label: string, signal: AbortSignal | undefined, timeoutSignal: AbortSignal): IdflowError {
  if (signal?.aborted) return abortedError(signal, label);
  if (timeoutSignal.aborted) {
    return new TransientError(`JumpCloud did not answer ${label} within ${ctx.timeoutMs} ms`, { details: { request: label, timeoutMs: ctx.timeoutMs } });
  }
  const reason = describeCause(error, ctx.apiKey);
  if (isNetworkError(error)) {
    return new TransientError(`Could not complete ${label} with JumpCloud at ${ctx.baseUrl}: ${reason}`, {
      cause: sanitisedCause(error, ctx.apiKey),
      details: { request: label },
    });
  }
  return new PermanentError(`JumpCloud request ${label} to ${ctx.baseUrl} failed: ${reason}`, {
    code: 'JUMPCLOUD_REQUEST_FAILED',
    cause: sanitisedCause(error, ctx.apiKey),
    details: { request: label },
  });
}

function abortedError(signal: AbortSignal, label: string): IdflowError {
  const reason: unknown = signal.reason;
  const reasonName = reason instanceof Error ? reason.name : undefined;
  if (reasonName === 'TimeoutError') return new TimeoutError(`JumpCloud request ${label} stopped: the step's time ran out`, { cause: reason });
  return new CancelledError(`JumpCloud request ${label} was cancelled`, { cause: reason });
}

function parseBody(text: string, contentType: string | null, label: string): unknown {
  if (text.trim() === '') return undefined;
  const looksJson = /^\s*[[{"]/.test(text) || /\bjson\b/i.test(contentType ?? '');
  if (!looksJson) return text;
  try {
    return JSON.parse(text);
  } catch {
    if (!/\bjson\b/i.test(contentType ?? '')) return text;
    throw new PermanentError(`JumpCloud answered ${label} with a body that is not valid JSON: ${text.slice(0, 200)}`, { code: 'JUMPCLOUD_BAD_RESPONSE' });
  }
}

/** `path?query`, with arrays as repeated keys. */
function pathWithQuery(path: string, query: QueryParams | undefined): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as readonly string[]) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${text}`;
}

/**
 * One signal that aborts when any of `signals` does, with a `dispose` that detaches it again.
 * Done by hand rather than with `AbortSignal.any` so that a long-lived signal (a run's, shared
 * by thousands of requests in a bulk run) is left with no listener once a request is over.
 */
function linkSignals(signals: ReadonlyArray<AbortSignal | undefined>): { signal: AbortSignal | undefined; dispose: () => void } {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return { signal: present[0], dispose: () => undefined };
  const controller = new AbortController();
  const attached: Array<{ source: AbortSignal; onAbort: () => void }> = [];
  const dispose = (): void => {
    for (const { source, onAbort } of attached.splice(0)) source.removeEventListener('abort', onAbort);
  };
  for (const source of present) {
    if (source.aborted) {
      dispose();
      controller.abort(source.reason);
      break;
    }
    const onAbort = (): void => {
      dispose();
      controller.abort(source.reason);
    };
    attached.push({ source, onAbort });
    source.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: controller.signal, dispose };
}

/** "fetch failed (ECONNRESET: other side closed)": the error and its causes, scrubbed of the key. */
function describeCause(error: unknown, apiKey: string): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${code}: ${current.message}` : current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return scrub(parts.filter((p) => p !== '').join(' ← '), apiKey) || 'unknown error';
}

/**
 * A copy of a network error chain with only name, message and code: the originals can carry
 * sockets and request details, and nothing that might hold the key may reach an error's `cause`.
 */
function sanitisedCause(error: unknown, apiKey: string, depth = 0): Error | undefined {
  if (!(error instanceof Error) || depth > 3) return undefined;
  const inner = sanitisedCause(error.cause, apiKey, depth + 1);
  const copy = new Error(scrub(error.message, apiKey), inner === undefined ? undefined : { cause: inner });
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}
