import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: HMAC-SHA256, keyed with the source's shared secret, over every part of a
 * request that decides what runs, sent as
 *
 * ```
 * X-Idflow-Timestamp: 1764111600            (Unix seconds)
 * X-Idflow-Signature: sha256=<64 hex digits>
 * ```
 *
 * The signed string ({@link signedString}) is five fields joined by line feeds (`\n`):
 *
 * ```
 * v1
 * <timestamp>      the X-Idflow-Timestamp value, digits only
 * <event name>     from the path, e.g. hr.employee.terminated
 * <event id>       the id serve deduplicates on: X-Idflow-Event-Id (trimmed), else the body's "id"
 * <raw body>       the body exactly as sent
 * ```
 *
 * Only the body may contain a line feed (a timestamp is digits, an event name dot-separated
 * words, an event id printable text), so the fields cannot be shifted into one another.
 * Signing the timestamp stops a captured request from being replayed later with a fresh one; the
 * tolerance window bounds how long it stays usable; signing the event id and name stops it from
 * being replayed within that window as a "new" event (another id header) or as another event
 * (another path), and the id, accepted once, closes the window.
 */

/** The signature header (lower-case, as node:http gives header names): `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'x-idflow-signature';
/** The timestamp header: Unix seconds, signed together with the event name, id and body. */
export const TIMESTAMP_HEADER = 'x-idflow-timestamp';
/** The header that carries an event's id (else the body's `id`); signed. */
export const EVENT_ID_HEADER = 'x-idflow-event-id';

/** The version tag that opens the signed string. */
const SCHEME = 'v1';

/** What a webhook signature covers. */
export interface SignedEvent {
  /** The X-Idflow-Timestamp value (Unix seconds). */
  timestamp: number | string;
  /** The event name from the path, `/events/{event}`. */
  event: string;
  /** The event id serve deduplicates on (see {@link eventIdOf}). */
  id: string;
  /** The raw body, exactly as sent. */
  body: string | Buffer;
}

/**
 * The exact text a sender signs: `v1\n<timestamp>\n<event name>\n<event id>\n<raw body>`.
 */
export function signedString(fields: SignedEvent): Buffer {
  const head = Buffer.from(`${SCHEME}\n${fields.timestamp}\n${fields.event}\n${fields.id}\n`, 'utf8');
  return Buffer.concat([head, typeof fields.body === 'string' ? Buffer.from(fields.body, 'utf8') : fields.body]);
}

/**
 * The X-Idflow-Signature value for an event: `sha256=<hex HMAC-SHA256 of {@link signedString}>`.
 * Every sender (and every test that plays one) signs with this.
 */
export function signEvent(secret: string, fields: SignedEvent): string {
  return `sha256=${createHmac('sha256', secret).update(signedString(fields)).digest('hex')}`;
}

/**
 * The id serve deduplicates an event on, and the one its signature covers: the
 * X-Idflow-Event-Id header's value, trimmed, when it is not blank; else the body's top-level
 * `id` (a string, trimmed, or a number as JavaScript writes it); else undefined.
 */
export function eventIdOf(headerValue: string | undefined, payload: unknown): string | undefined {
  if (headerValue !== undefined && headerValue.trim() !== '') return headerValue.trim();
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const id = (payload as Record<string, unknown>)['id'];
  return typeof id === 'string' || typeof id === 'number' ? String(id).trim() : undefined;
}

/** Why a signature was refused (all answered 401; the reason is told to the sender). */
export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing-signature' | 'missing-timestamp' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature'; message: string };

/**
 * Checks a request's signature and timestamp against the source's secret.
 *
 * @param headers - the signature and timestamp header values (undefined when absent).
 * @param signed - the event name, the event id serve would use ('' when there is none) and the raw body.
 * @param nowMs - the server's clock.
 * @param toleranceMs - how far the timestamp may be from `nowMs`, either way.
 */
export function verifySignature(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  signed: Omit<SignedEvent, 'timestamp'>,
  nowMs: number,
  toleranceMs: number,
): SignatureCheck {
  const { signature, timestamp } = headers;
  if (timestamp === undefined || timestamp.trim() === '') return { ok: false, reason: 'missing-timestamp', message: 'the X-Idflow-Timestamp header (Unix seconds) is missing' };
  if (signature === undefined || signature.trim() === '') return { ok: false, reason: 'missing-signature', message: `the X-Idflow-Signature header (sha256=<hex HMAC-SHA256 of ${SIGNED_FORM}>) is missing` };
  if (!/^\d{1,12}$/.test(timestamp.trim())) return { ok: false, reason: 'bad-timestamp', message: 'X-Idflow-Timestamp must be whole Unix seconds' };
  const seconds = Number(timestamp.trim());
  if (Math.abs(nowMs - seconds * 1000) > toleranceMs) {
    return { ok: false, reason: 'stale-timestamp', message: `X-Idflow-Timestamp is more than ${Math.round(toleranceMs / 1000)}s from the server's clock (a replayed or delayed request, or a wrong clock)` };
  }
  const given = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim());
  const expected = Buffer.from(signEvent(secret, { ...signed, timestamp: timestamp.trim() }).slice('sha256='.length), 'hex');
  // Compared in constant time, and a malformed header still costs one comparison.
  const actual = given?.[1] === undefined ? Buffer.alloc(expected.length) : Buffer.from(given[1], 'hex');
  if (!timingSafeEqual(actual, expected) || given === null) {
    return {
      ok: false,
      reason: 'bad-signature',
      message: `the signature does not match: sign ${SIGNED_FORM} with HMAC-SHA256 and the source's shared secret, as sha256=<hex>; the event id signed here was ${signed.id === '' ? 'empty (no X-Idflow-Event-Id header and no "id" in the body)' : JSON.stringify(signed.id)}`,
    };
  }
  return { ok: true, timestamp: seconds };
}

/** How error messages name the signed string. */
const SIGNED_FORM = '"v1\\n<timestamp>\\n<event name>\\n<event id>\\n<raw body>"';

/** Compares two secrets (e.g. bearer tokens) in constant time, whatever their lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHmac('sha256', 'idflow-compare').update(given).digest();
  const b = createHmac('sha256', 'idflow-compare').update(expected).digest();
  return timingSafeEqual(a, b);
}
