/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3): either a number of seconds or an HTTP-date.
 *
 * @param value - the header value, or null when the response had none.
 * @param now - the current time in milliseconds (a parameter so the date form is testable).
 * @returns how long to wait in milliseconds (0 for a date in the past), or undefined when the
 *   header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Fractional seconds are not in the RFC, but cost nothing to honour.
  if (/^\d+\.\d+$/.test(text)) return Math.ceil(Number(text) * 1000);
  // An HTTP-date always names a weekday and "GMT"; Date.parse alone would also accept "5" or "2026".
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
