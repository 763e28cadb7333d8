import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: HMAC-SHA256 with the source's shared secret over
 * `<timestamp>.<raw body>`, sent as
 *
 * ```
 * X-Idflow-Timestamp: 1764111600            (Unix seconds)
 * X-Idflow-Signature: sha256=<64 hex digits>
 * ```
 *
 * Signing the timestamp with the body means an attacker who captured a request cannot replay
 * it later with a fresh timestamp; the tolerance window bounds how long a captured request
 * stays usable, and the event id (accepted once) closes that window too. This is the scheme
 * Stripe and Slack use, so senders can reuse their code.
 */

/** The signature header (lower-case, as node:http gives header names): `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'x-idflow-signature';
/** The timestamp header: Unix seconds, signed together with the body. */
export const TIMESTAMP_HEADER = 'x-idflow-timestamp';

/** The signature header value for a body: `sha256=<hex>`. */
export function signEvent(secret: string, timestamp: number | string, body: string | Buffer): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(body);
  return `sha256=${hmac.digest('hex')}`;
}

/** Why a signature was refused (all answered 401; the reason is told to the sender). */
export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing-signature' | 'missing-timestamp' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature'; message: string };

/**
 * Checks a request's signature and timestamp against the source's secret.
 *
 * @param headers - the signature and timestamp header values (undefined when absent).
 * @param nowMs - the server's clock.
 * @param toleranceMs - how far the timestamp may be from `nowMs`, either way.
 */
export function verifySignature(secret: string, headers: { signature: string | undefined; timestamp: string | undefined }, body: Buffer, nowMs: number, toleranceMs: number): SignatureCheck {
  const { signature, timestamp } = headers;
  if (timestamp === undefined || timestamp.trim() === '') return { ok: false, reason: 'missing-timestamp', message: 'the X-Idflow-Timestamp header (Unix seconds) is missing' };
  if (signature === undefined || signature.trim() === '') return { ok: false, reason: 'missing-signature', message: 'the X-Idflow-Signature header (sha256=<hex HMAC of "<timestamp>.<body>">) is missing' };
  if (!/^\d{1,12}$/.test(timestamp.trim())) return { ok: false, reason: 'bad-timestamp', message: 'X-Idflow-Timestamp must be whole Unix seconds' };
  const seconds = Number(timestamp.trim());
  if (Math.abs(nowMs - seconds * 1000) > toleranceMs) {
    return { ok: false, reason: 'stale-timestamp', message: `X-Idflow-Timestamp is more than ${Math.round(toleranceMs / 1000)}s from the server's clock (a replayed or delayed request, or a wrong clock)` };
  }
  const given = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim());
  const expected = Buffer.from(signEvent(secret, timestamp.trim(), body).slice('sha256='.length), 'hex');
  // Compared in constant time, and a malformed header still costs one comparison.
  const actual = given?.[1] === undefined ? Buffer.alloc(expected.length) : Buffer.from(given[1], 'hex');
  if (!timingSafeEqual(actual, expected) || given === null) {
    return { ok: false, reason: 'bad-signature', message: 'the signature does not match: sign "<timestamp>.<raw body>" with HMAC-SHA256 and the source\'s shared secret, as sha256=<hex>' };
  }
  return { ok: true, timestamp: seconds };
}

/** Compares two secrets (e.g. bearer tokens) in constant time, whatever their lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHmac('sha256', 'idflow-compare').update(given).digest();
  const b = createHmac('sha256', 'idflow-compare').update(expected).digest();
  return timingSafeEqual(a, b);
}
