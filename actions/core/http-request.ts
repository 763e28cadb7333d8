import { createHash } from 'node:crypto';
import { PermanentError } from '../../engine/errors/action-errors.js';
import type { ActionPlan, ActionResult } from '../../engine/plugin-api/action.js';
import type { ActionContext } from '../../engine/plugin-api/context.js';
import { defineAction } from '../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../engine/plugin-api/json-schema.js';
import { hasHeader, headerStrings, mergeHeaders } from './header-values.js';
import { unexpectedStatusError } from './http-errors.js';
import { sendHttp, type HttpReply } from './http-send.js';
import { parseResponseBody } from './response-body.js';
import { sandboxHoldReason } from './sandbox-delivery.js';
import { redactSensitiveHeaders } from './sensitive-headers.js';
import { timeoutMs, timeoutParamSchema } from './timeout-param.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];

const params = {
  type: 'object',
  description: 'Makes an HTTP request and returns the status, headers and body.',
  properties: {
    method: {
      type: 'string',
      // Lower case too: `method: post` is how many people write it.
      enum: [...METHODS, ...METHODS.map((m) => m.toLowerCase())],
      default: 'GET',
      description: 'GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS.',
    },
    url: { type: 'string', minLength: 1, description: 'The http:// or https:// URL.' },
    headers: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'Request headers (credential headers are redacted in logs). A mutating request gets an Idempotency-Key unless one is given here.' },
    query: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean', 'array'], items: { type: ['string', 'number', 'boolean'] } },
      description: 'Query parameters added to the URL; a list repeats the parameter.',
    },
    json: { description: 'A body sent as JSON (sets Content-Type: application/json unless given).' },
    body: { type: 'string', description: 'A body sent as is (set Content-Type in headers).' },
    expect_status: {
      type: 'array',
      minItems: 1,
      items: { anyOf: [{ type: 'integer', minimum: 100, maximum: 599 }, { type: 'string', pattern: '^[1-5]xx$' }] },
      description: 'Statuses that count as success: codes (404) or classes ("2xx"). Default ["2xx"].',
    },
    timeout: timeoutParamSchema,
    mutating: { type: 'boolean', description: 'Whether the request changes something. Default: true except for GET, HEAD and OPTIONS.' },
  },
  required: ['url'],
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** What `http.request` returns. */
export interface HttpRequestOutput {
  status: number;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  /** Parsed JSON when the content type says JSON, else the text; `null` when empty. */
  body: unknown;
}

const outputSchema = {
  type: 'object',
  properties: {
    status: { type: 'integer' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: {},
  },
  required: ['status', 'headers', 'body'],
  additionalProperties: false,
} as const;

/** A request, checked and ready to send. */
interface PreparedRequest {
  method: Method;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  mutating: boolean;
  timeoutMs: number;
  /** `POST https://host/path`: the request without its query, which may hold tokens. */
  display: string;
  expected: ReadonlyArray<number | string>;
}

function prepare(ctx: ActionContext, p: Params): PreparedRequest {
  const fail = (message: string): never => {
    throw new PermanentError(`http.request: ${message}`, { code: 'INVALID_PARAMS' });
  };
  const method = p.method.toUpperCase() as Method;
  let url: URL;
  try {
    url = new URL(p.url);
  } catch {
    return fail(`"url" is not a valid URL: "${p.url}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`"url" must be an http:// or https:// URL, got ${url.protocol}//`);
  for (const [name, value] of Object.entries(p.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
  }
  let headers = headerStrings(p.headers, 'http.request "headers"');
  // fetch refuses URLs with credentials; send them the way a browser would.
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    if (password !== '') ctx.addRedaction(password);
    headers = mergeHeaders({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }, headers);
    url.username = '';
    url.password = '';
  }
  if (p.json !== undefined && p.body !== undefined) fail('give either "json" or "body", not both');
  let body: string | undefined;
  if (p.json !== undefined) {
    body = JSON.stringify(p.json);
    if (!hasHeader(headers, 'content-type')) headers = { ...headers, 'content-type': 'application/json' };
  } else if (p.body !== undefined) {
    body = p.body;
  }
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) fail(`a ${method} request cannot have a body; use POST, PUT or PATCH, or move the data to "query"`);
  redactSensitiveHeaders(ctx, headers);
  const mutating = p.mutating ?? !(method === 'GET' || method === 'HEAD' || method === 'OPTIONS');
  if (mutating && !hasHeader(headers, 'idempotency-key')) headers = { ...headers, 'Idempotency-Key': idempotencyKey(ctx, method, url, body) };
  return {
    method,
    url,
    headers,
    ...(body === undefined ? {} : { body }),
    mutating,
    timeoutMs: timeoutMs(p.timeout, 'http.request "timeout"'),
    display: `${method} ${url.origin}${url.pathname}`,
    expected: p.expect_status ?? ['2xx'],
  };
}

/**
 * The `Idempotency-Key` of a mutating request (the IETF httpapi draft, as Stripe and PayPal use
 * it): derived from the run, the step and the request, so every retry and resume of the step
 * sends the same key and a server that honours it applies the request once, while a request
 * that renders differently (another user, another body) gets a key of its own.
 */
function idempotencyKey(ctx: Pick<ActionContext, 'runId' | 'stepId'>, method: string, url: URL, body: string | undefined): string {
  const digest = createHash('sha256').update(JSON.stringify([ctx.runId, ctx.stepId, method, url.href, body ?? null])).digest('hex');
  return `idflow-${digest.slice(0, 40)}`;
}

/** True when the status is one of the expected codes or classes. */
export function statusMatches(status: number, expected: ReadonlyArray<number | string>): boolean {
  return expected.some((e) => (typeof e === 'number' ? e === status : Math.floor(status / 100) === Number(e[0])));
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  // Headers yields names in lower case, and each Set-Cookie separately: join repeats.
  headers.forEach((value, name) => {
    record[name] = record[name] === undefined ? value : `${record[name]}, ${value}`;
  });
  return record;
}

async function perform(ctx: ActionContext, request: PreparedRequest): Promise<{ reply: HttpReply; output: HttpRequestOutput }> {
  ctx.logger.info(`HTTP ${request.display}`);
  const reply = await sendHttp({
    method: request.method,
    url: request.url,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    timeoutMs: request.timeoutMs,
    signal: ctx.signal,
    what: request.display,
  });
  if (!statusMatches(reply.status, request.expected)) throw unexpectedStatusError(request.display, reply, request.expected.join(', '));
  if (request.mutating) {
    // Recorded before the body is parsed: the change happened even if the answer is unreadable.
    ctx.changes.record({ target: request.display, operation: 'request', after: { status: reply.status }, result: 'changed' });
  }
  ctx.logger.info(`HTTP ${request.display} answered ${reply.status}`);
  const body = request.method === 'HEAD' ? null : parseResponseBody(reply, { what: request.display });
  return { reply, output: { status: reply.status, headers: headerRecord(reply.headers), body } };
}

/**
 * In a sandbox run, refuses a mutating request to a host not on this machine: a trial run must
 * not change anything in the real world (lock real devices, close a real HR record), and there
 * is no honest response to hand later steps instead. Read-only requests are sent.
 * @throws PermanentError (`SANDBOX_REQUEST_REFUSED`) saying what was not sent and what to do.
 */
function refuseInSandbox(ctx: ActionContext, request: PreparedRequest): void {
  if (!request.mutating) return;
  const held = sandboxHoldReason(ctx.sandbox, request.url.hostname, request.url.host);
  if (held === undefined) return;
  throw new PermanentError(
    `http.request: ${request.display} was not sent (${held}): a sandbox run changes nothing outside this machine. ` +
      'For a trial, point the URL at a server on this machine (e.g. through a variable), mark the step continue_on_error, or run without --sandbox',
    { code: 'SANDBOX_REQUEST_REFUSED', details: { host: request.url.host } },
  );
}

/**
 * `http.request`: a generic HTTP call. The status must be one of `expect_status` (default any
 * 2xx); otherwise 408/425/429/5xx are transient (`Retry-After` honoured) and anything else is
 * permanent. `changed` is whether the request is mutating. `plan()` describes a mutating request
 * without sending it, and performs a read-only one so that later steps can plan with its output.
 * A sandbox run sends a mutating request only to a host on this machine ({@link refuseInSandbox}).
 *
 * @remarks
 * Unlike the notifications, a mutating request is sent again when the step is retried or its run
 * resumed: its response (which later steps read) cannot be replayed from the audit trail. It
 * carries an `Idempotency-Key` that is the same on every attempt (see {@link idempotencyKey}),
 * so a server that honours the header applies it once; for one that does not, make the request
 * idempotent itself (PUT, or a check before the write).
 */
export const httpRequestAction = defineAction({
  id: 'http.request',
  description: 'Make an HTTP request (GET, POST, …) and return status, headers and body',
  params,
  output: outputSchema,
  examples: [
    {
      description: 'Close the ticket in a PSA',
      with: {
        method: 'POST',
        url: 'https://psa.example.com/api/tickets/{{inputs.ticket}}/close',
        headers: { Authorization: 'Bearer {{secret "psa_token"}}' },
        json: { note: 'Offboarded by idflow run {{run.id}}' },
      },
    },
  ],
  async run(ctx, p): Promise<ActionResult<HttpRequestOutput>> {
    const request = prepare(ctx, p);
    refuseInSandbox(ctx, request);
    const { output } = await perform(ctx, request);
    return { changed: request.mutating, output, summary: `${request.display} → ${output.status}` };
  },
  async plan(ctx, p): Promise<ActionPlan<HttpRequestOutput>> {
    const request = prepare(ctx, p);
    refuseInSandbox(ctx, request);
    if (request.mutating) {
      const after = {
        method: request.method,
        url: `${request.url.origin}${request.url.pathname}`,
        ...(request.url.search === '' ? {} : { query: Object.fromEntries(request.url.searchParams) }),
        ...(p.json !== undefined ? { json: p.json } : p.body !== undefined ? { body: p.body.length > 500 ? `${p.body.slice(0, 500)}…` : p.body } : {}),
      };
      return { changes: [{ target: request.display, operation: 'request', after, note: `would send ${request.display}` }], summary: `would send ${request.display}` };
    }
    // Read-only: performing it is allowed in a plan, and gives later steps real data to plan with.
    const { output } = await perform(ctx, request);
    return { changes: [], output, summary: `${request.display} → ${output.status} (read-only, performed)` };
  },
});
