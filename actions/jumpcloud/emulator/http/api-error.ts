/**
 * Errors the emulator answers with, in JumpCloud's documented bodies.
 *
 * @remarks
 * The spec's `Error` schema is `{ code, message, status }` and its standard 400 is `ErrorDetails`
 * (the same plus `details`, Google RPC style). Real responses are often just `{ message }`; the
 * emulator always sends all three fields, which satisfies both, except for the two bodies seen
 * verbatim in the wild: 401 `{"message":"Unauthorized"}` and 429 `{"message":"Too Many Requests"}`.
 */

/** One rejected field of a request body (`google.rpc.BadRequest.fieldViolationsList`). */
export interface FieldViolation {
  field: string;
  description: string;
}

/** The `status` text for each HTTP code the emulator uses (Google RPC status names). */
const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'ALREADY_EXISTS',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'BAD_GATEWAY',
  503: 'UNAVAILABLE',
};

/** An HTTP error response, thrown by route handlers and turned into a response by the server. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, options: { body?: Record<string, unknown>; headers?: Record<string, string>; statusText?: string } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = options.body ?? { message, code: status, status: options.statusText ?? STATUS_TEXT[status] ?? 'UNKNOWN' };
    this.headers = options.headers ?? {};
  }
}

/** 400 in the `ErrorDetails` shape; with field violations when given. */
export function badRequest(message: string, violations: FieldViolation[] = []): ApiError {
  const body: Record<string, unknown> = { message: `Bad Request: ${message}`, code: 400, status: STATUS_TEXT[400] };
  if (violations.length > 0) body['details'] = [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolationsList: violations }];
  return new ApiError(400, `Bad Request: ${message}`, { body });
}

/** 401, with the body JumpCloud is seen to send. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', { body: { message: 'Unauthorized' } });
}

/** 401 with a specific reason (x-org-id missing for a multi-tenant admin). */
export function unauthorizedBecause(message: string): ApiError {
  return new ApiError(401, message);
}

/** 404 naming what was not found. */
export function notFound(what: string): ApiError {
  return new ApiError(404, `Not Found: ${what}`);
}

/** 409 for an edge or membership that is already there; the text carries "Already Exists" as the real API's does. */
export function alreadyExists(what: string): ApiError {
  return new ApiError(409, `Already Exists: ${what}`);
}

/** 409 for any other conflict with the current state. */
export function conflict(message: string): ApiError {
  return new ApiError(409, `Conflict: ${message}`, { statusText: 'FAILED_PRECONDITION' });
}

/** 405 with the `Allow` header listing the methods the path supports. */
export function methodNotAllowed(method: string, allowed: readonly string[]): ApiError {
  return new ApiError(405, `Method Not Allowed: ${method} is not supported here; use ${allowed.join(', ')}`, { headers: { allow: allowed.join(', ') } });
}

/** 429 with `Retry-After` in whole seconds. */
export function tooManyRequests(retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'Too Many Requests', { body: { message: 'Too Many Requests' }, headers: { 'retry-after': String(retryAfterSeconds) } });
}

/** An injected server error (500, 502 or 503). */
export function injectedServerError(status: 500 | 502 | 503): ApiError {
  const text = status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : 'Service Unavailable';
  return new ApiError(status, text);
}
