import { IdflowError } from './idflow-error.js';
import { CancelledError, PermanentError, TimeoutError, TransientError } from './action-errors.js';

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN',
  'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

function readNumber(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' ? field : undefined;
}

function readString(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

/** True for the errors `fetch` and sockets raise when the network, not the server, failed. */
export function isNetworkError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const code = readString(current, 'code');
    if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return true;
    if (current instanceof TypeError && /fetch failed|network|terminated|other side closed/i.test(current.message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Turns anything thrown by an action into an {@link IdflowError}, deciding whether it is
 * retryable. Plugins that do not import idflow can steer retries with plain properties:
 * `retryable: boolean`, `code: 'TRANSIENT' | 'PERMANENT' | ...`, or an HTTP `status`
 * (429 and 5xx are transient, other 4xx permanent). Network errors are transient; anything
 * else (a bug, a validation failure) is permanent, so it fails at once instead of retrying.
 */
export function classifyError(error: unknown): IdflowError {
  if (error instanceof IdflowError) return error;
  if (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError') {
    const reason = error instanceof Error ? error.message : 'aborted';
    return /timed? ?out/i.test(reason) ? new TimeoutError(reason, { cause: error }) : new CancelledError(reason, { cause: error });
  }
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : `Non-error thrown: ${safeStringify(error)}`;
  const retryable = typeof error === 'object' && error !== null ? (error as { retryable?: unknown }).retryable : undefined;
  const code = readString(error, 'code');
  // An error class from another copy of idflow (or a plugin's own) keeps its stable code.
  const ownCode = code !== undefined && /^[A-Z][A-Z0-9_]*$/.test(code) ? { code } : {};
  if (typeof retryable === 'boolean') {
    return retryable ? new TransientError(message, { cause: error, retryAfterMs: readNumber(error, 'retryAfterMs') }) : new PermanentError(message, { cause: error, ...ownCode });
  }
  if (code === 'TRANSIENT') return new TransientError(message, { cause: error, retryAfterMs: readNumber(error, 'retryAfterMs') });
  const status = readNumber(error, 'status') ?? readNumber(error, 'statusCode');
  if (status !== undefined) {
    if (status === 429 || status >= 500) return new TransientError(message, { cause: error, retryAfterMs: readNumber(error, 'retryAfterMs') });
    return new PermanentError(message, { cause: error, details: { status } });
  }
  if (isNetworkError(error)) return new TransientError(message, { cause: error });
  return new PermanentError(message, { cause: error, ...ownCode });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
