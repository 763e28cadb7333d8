import { PermanentError, TransientError } from '../../engine/errors/action-errors.js';

/** How much of a response body an error message quotes. */
const SNIPPET_LENGTH = 300;

/**
 * Reads a `Retry-After` header: delay-seconds (`120`) or an HTTP date. Undefined when absent or
 * unreadable; never negative.
 *
 * @param now - the current time in ms (for HTTP dates); `Date.now()` by default.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True for the statuses worth retrying: 408 (request timeout), 425 (too early), 429 and 5xx. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/** The start of a response body on one line, for error messages. */
export function bodySnippet(body: string): string {
  const oneLine = body.replace(/\s+/g, ' ').trim();
  return oneLine.length > SNIPPET_LENGTH ? `${oneLine.slice(0, SNIPPET_LENGTH)}…` : oneLine;
}

/**
 * The error for a response whose status was not the one expected: transient for 408/425/429/5xx
 * (carrying `Retry-After` as `retryAfterMs`), permanent for anything else, with the status and
 * the start of the body in the message and `status` in the details.
 *
 * @param what - what was sent where, e.g. `POST to hooks.slack.com` (never a secret URL).
 * @param reply - the response.
 * @param expected - what was expected instead, for the message (e.g. `2xx`).
 */
export function unexpectedStatusError(
  what: string,
  reply: { status: number; statusText: string; headers: Headers; text: string },
  expected = '2xx',
): TransientError | PermanentError {
  const snippet = bodySnippet(reply.text);
  const status = `${reply.status}${reply.statusText === '' ? '' : ` ${reply.statusText}`}`;
  const details = { status: reply.status, ...(snippet === '' ? {} : { body: snippet }) };
  if (isRetryableStatus(reply.status)) {
    const retryAfterMs = parseRetryAfter(reply.headers.get('retry-after'));
    const wait = retryAfterMs === undefined ? '' : `; the server asked to wait ${Math.ceil(retryAfterMs / 1000)}s`;
    return new TransientError(`${what} returned ${status}${snippet === '' ? '' : `: ${snippet}`}${wait}`, {
      details,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  return new PermanentError(`${what} returned ${status} (expected ${expected})${snippet === '' ? '' : `: ${snippet}`}`, { code: 'HTTP_STATUS', details });
}

/**
 * Describes why `fetch` failed at the network level (refused, reset, DNS), reading the
 * `cause` chain undici puts under its generic "fetch failed".
 */
export function networkFailureReason(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (typeof current === 'object') {
      const { code, message } = current as { code?: unknown; message?: unknown };
      if (typeof message === 'string' && message !== '' && message !== 'fetch failed') parts.push(message);
      else if (typeof code === 'string') parts.push(code);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return parts[0] ?? (error instanceof Error ? error.message : String(error));
}
