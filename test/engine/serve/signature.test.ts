import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sameSecret, signEvent, verifySignature } from '../../../engine/serve/signature.js';

const secret = 'hr-shared-secret';
const body = Buffer.from('{"id":"evt-1","employee":{"email":"a@x.com"}}');
const now = 1_764_111_600_000;
const ts = String(now / 1000);

describe('webhook signatures', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256, as the README\'s openssl line does', () => {
    const expected = createHmac('sha256', secret).update(`${ts}.${body.toString()}`).digest('hex');
    expect(signEvent(secret, ts, body)).toBe(`sha256=${expected}`);
  });

  it('accepts a fresh, correctly signed request', () => {
    expect(verifySignature(secret, { signature: signEvent(secret, ts, body), timestamp: ts }, body, now + 2000, 300_000)).toEqual({ ok: true, timestamp: now / 1000 });
    expect(verifySignature(secret, { signature: signEvent(secret, ts, body).toUpperCase().replace('SHA256=', 'sha256='), timestamp: ts }, body, now, 300_000).ok).toBe(true);
  });

  it.each([
    ['no timestamp', { signature: 'sha256=00', timestamp: undefined }, 'missing-timestamp'],
    ['no signature', { signature: undefined, timestamp: ts }, 'missing-signature'],
    ['a timestamp that is not seconds', { signature: signEvent(secret, ts, body), timestamp: '2026-11-25' }, 'bad-timestamp'],
    ['a timestamp 301 s old', { signature: signEvent(secret, String(now / 1000 - 301), body), timestamp: String(now / 1000 - 301) }, 'stale-timestamp'],
    ['a timestamp 301 s ahead', { signature: signEvent(secret, String(now / 1000 + 301), body), timestamp: String(now / 1000 + 301) }, 'stale-timestamp'],
    ['another secret', { signature: signEvent('other', ts, body), timestamp: ts }, 'bad-signature'],
    ['a signature of another timestamp', { signature: signEvent(secret, String(now / 1000 - 1), body), timestamp: ts }, 'bad-signature'],
    ['a malformed signature', { signature: 'v1=abc', timestamp: ts }, 'bad-signature'],
  ])('refuses %s', (_what, headers, reason) => {
    const check = verifySignature(secret, headers, body, now, 300_000);
    expect(check).toMatchObject({ ok: false, reason });
  });

  it('refuses a changed body', () => {
    const changed = Buffer.from(body.toString().replace('a@x.com', 'b@x.com'));
    expect(verifySignature(secret, { signature: signEvent(secret, ts, body), timestamp: ts }, changed, now, 300_000)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('compares tokens whatever their lengths', () => {
    expect(sameSecret('token-1', 'token-1')).toBe(true);
    expect(sameSecret('token-1', 'token-12')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});
