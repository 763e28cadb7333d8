import { createRequire } from 'node:module';
import type { IdflowError } from '../../../engine/errors/idflow-error.js';
import { ConflictError, NotFoundError, PermanentError, TransientError } from '../../../engine/errors/action-errors.js';

/** What JumpCloud said in an error body, whichever of its shapes it used. */
export interface JumpCloudErrorBody {
  /** `message` (all shapes), or the raw text of a non-JSON body (shortened). */
  message?: string;
  /** `status`, e.g. `INVALID_ARGUMENT` (the `Error`/`ErrorDetails` shapes). */
  status?: string;
  /** `details[].fieldViolationsList[]` of the `ErrorDetails` shape (v2 and v1 user writes). */
  fieldViolations: Array<{ field: string; description: string }>;
}

/** Everything about a failed response that goes into the error (never headers or the key). */
export interface FailedResponse {
  method: string;
  /** Path and query, e.g. `/api/systemusers/5f00…`. */
  path: string;
  status: number;
  baseUrl: string;
  orgId?: string;
  body: JumpCloudErrorBody;
  /** From `Retry-After`, in milliseconds. */
  retryAfterMs?: number;
  /** What was asked for, for 404 messages, e.g. `user 5f00…01`. */
  what?: string;
  /** The `Location` of a redirect (3xx), which the client never follows. */
  location?: string;
}

const MAX_SERVER_TEXT = 500;

/**
 * Reads an error body: JSON `{ message, code, status, details }` (JumpCloud's `Error` and
 * `ErrorDetails` shapes, or the bare `{ message }` seen in practice), `{ error }`, or plain text.
 */
export function parseErrorBody(text: string): JumpCloudErrorBody {
  const trimmed = text.trim();
  if (trimmed === '') return { fieldViolations: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { message: shorten(trimmed), fieldViolations: [] };
  }
  if (typeof parsed === 'string') return { message: shorten(parsed), fieldViolations: [] };
  if (typeof parsed !== 'object' || parsed === null) return { message: shorten(trimmed), fieldViolations: [] };
  const record = parsed as Record<string, unknown>;
  const message = typeof record['message'] === 'string' ? record['message'] : typeof record['error'] === 'string' ? record['error'] : undefined;
  const status = typeof record['status'] === 'string' ? record['status'] : undefined;
  const fieldViolations: Array<{ field: string; description: string }> = [];
  const details = record['details'];
  if (Array.isArray(details)) {
    for (const detail of details) {
      const list = typeof detail === 'object' && detail !== null ? (detail as Record<string, unknown>)['fieldViolationsList'] ?? (detail as Record<string, unknown>)['fieldViolations'] : undefined;
      if (!Array.isArray(list)) continue;
      for (const violation of list) {
        if (typeof violation !== 'object' || violation === null) continue;
        const v = violation as Record<string, unknown>;
        fieldViolations.push({ field: String(v['field'] ?? '?'), description: String(v['description'] ?? '') });
      }
    }
  }
  return { ...(message === undefined ? {} : { message: shorten(message) }), ...(status === undefined ? {} : { status }), fieldViolations };
}

/** True when a body says the membership or association already exists (JumpCloud's "Already Exists"). */
export function saysAlreadyExists(body: JumpCloudErrorBody): boolean {
  return /already\s*exists/i.test(body.message ?? '') || body.status === 'ALREADY_EXISTS';
}

/**
 * Turns a non-2xx JumpCloud response into the engine's typed error:
 * 401/403 `PermanentError` naming the credential or organisation to check, 400 `PermanentError`
 * with the server's message and field violations, 404 `NotFoundError` (a `PermanentError` when it
 * is the organisation that is unknown), 409 `ConflictError`,
 * 429 and 5xx `TransientError` (carrying `retryAfterMs`), a redirect or any other status `PermanentError`.
 */
export function errorForResponse(failed: FailedResponse): IdflowError {
  const { method, path, status, baseUrl, orgId, body } = failed;
  const statusLine = `${status} ${statusText(status)}`;
  const request = `${method} ${path}`;
  const said = body.message !== undefined && body.message !== '' ? `; JumpCloud said: "${body.message}"` : '';
  const details: Record<string, unknown> = {
    status,
    request,
    ...(body.message !== undefined ? { serverMessage: body.message } : {}),
    ...(body.fieldViolations.length > 0 ? { fieldViolations: body.fieldViolations } : {}),
  };

  if (status === 401) {
    const orgHint = orgId === undefined ? '; a multi-tenant (MSP) administrator must also name the organisation with JUMPCLOUD_ORG_ID or the jumpcloud_org_id variable' : '';
    return new PermanentError(
      `JumpCloud rejected the API key (${statusLine}) for ${baseUrl} — check JUMPCLOUD_API_KEY or connections.jumpcloud.api_key${orgHint}${said}`,
      { code: 'JUMPCLOUD_UNAUTHORIZED', details },
    );
  }
  if (status === 403) {
    if (orgId !== undefined) {
      return new PermanentError(
        `JumpCloud refused access to organisation ${orgId} (${statusLine}) on ${request} — check x-org-id / jumpcloud_org_id (JUMPCLOUD_ORG_ID, connections.jumpcloud.org_id) and that the API key's administrator manages that organisation${said}`,
        { code: 'JUMPCLOUD_FORBIDDEN', details: { ...details, orgId } },
      );
    }
    return new PermanentError(
      `JumpCloud refused access (${statusLine}) on ${request} for ${baseUrl} — the administrator behind JUMPCLOUD_API_KEY lacks the permission, or is a multi-tenant admin who must set jumpcloud_org_id / JUMPCLOUD_ORG_ID${said}`,
      { code: 'JUMPCLOUD_FORBIDDEN', details },
    );
  }
  if (status === 400) {
    const violations = body.fieldViolations.map((v) => `${v.field}: ${v.description}`).join(', ');
    return new PermanentError(
      `JumpCloud rejected ${request} as invalid (${statusLine})${said}${violations === '' ? '' : `; field violations: ${violations}`}`,
      { code: 'JUMPCLOUD_BAD_REQUEST', details },
    );
  }
  if (status === 404 && orgId !== undefined && /organi[sz]ation/i.test(body.message ?? '')) {
    // x-org-id names an organisation JumpCloud does not know ("404 Organization ID Not Found"):
    // a configuration mistake, not a missing object.
    return new PermanentError(
      `JumpCloud does not know organisation ${orgId} (${statusLine} on ${request}) — check x-org-id / jumpcloud_org_id (JUMPCLOUD_ORG_ID, connections.jumpcloud.org_id)${said}`,
      { code: 'JUMPCLOUD_UNKNOWN_ORG', details: { ...details, orgId } },
    );
  }
  if (status === 404) {
    return new NotFoundError(`${failed.what === undefined ? 'The requested object' : capitalise(failed.what)} was not found in JumpCloud (${statusLine} on ${request})${said}`, { details });
  }
  if (status === 409) {
    return new ConflictError(`JumpCloud reported a conflict on ${request} (${statusLine})${said}`, {
      code: saysAlreadyExists(body) ? 'JUMPCLOUD_ALREADY_EXISTS' : 'CONFLICT',
      details,
    });
  }
  if (status === 429 || status >= 500) {
    const wait = failed.retryAfterMs === undefined ? '' : `; it asked to wait ${formatMs(failed.retryAfterMs)}`;
    const what = status === 429 ? 'JumpCloud is rate limiting requests' : 'JumpCloud had a server error';
    return new TransientError(`${what} (${statusLine}) on ${request}${wait}${said}`, {
      ...(failed.retryAfterMs === undefined ? {} : { retryAfterMs: failed.retryAfterMs }),
      details,
    });
  }
  if (status >= 300 && status < 400) {
    // Following a redirect would send the API key to wherever it points; a base URL that
    // redirects is a configuration mistake (e.g. http:// instead of https://, or a wrong host).
    return new PermanentError(
      `JumpCloud answered ${request} with a redirect (${statusLine})${failed.location ? ` to ${failed.location}` : ''}; the client does not follow redirects — check the base URL ${baseUrl} (JUMPCLOUD_API_URL, connections.jumpcloud.base_url)`,
      { code: 'JUMPCLOUD_REDIRECT', details },
    );
  }
  return new PermanentError(`JumpCloud refused ${request} (${statusLine})${said}`, { code: 'JUMPCLOUD_HTTP_ERROR', details });
}

function shorten(text: string): string {
  const single = text.replace(/\s+/g, ' ').trim();
  return single.length > MAX_SERVER_TEXT ? `${single.slice(0, MAX_SERVER_TEXT)}…` : single;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

// node:http is required when an error is mapped, not imported with the client: every command
// that loads the JumpCloud pack (a cold `idflow validate` too) would otherwise load the HTTP
// stack for its status texts.
const require = createRequire(import.meta.url);
let statusCodes: Record<number, string | undefined> | undefined;

/** The reason phrase of an HTTP status, e.g. `Too Many Requests`. */
function statusText(status: number): string {
  statusCodes ??= (require('node:http') as typeof import('node:http')).STATUS_CODES;
  return statusCodes[status] ?? 'Unknown Status';
}
