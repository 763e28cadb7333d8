import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventIdOf, sameSecret, signEvent, signedString, verifySignature } from '../../../engine/serve/signature.js';

const secret = 'hr-shared-secret';
const body = Buffer.from('{"id":"evt-1","employee":{"email":"a@x.com"}}');
const now = 1_764_111_600_000;
const ts = String(now / 1000);
const event = 'hr.employee.terminated';
const signed = { event, id: 'evt-1', body };
const sign = (overrides: Partial<{ secret: string; timestamp: string; event: string; id: string; body: Buffer }> = {}): string =>
  signEvent(overrides.secret ?? secret, { timestamp: overrides.timestamp ?? ts, event: overrides.event ?? event, id: overrides.id ?? 'evt-1', body: overrides.body ?? body });

describe('webhook signatures', () => {
  it('signs "v1\\n<timestamp>\\n<event name>\\n<event id>\\n<raw body>" with HMAC-SHA256, as the README\'s openssl line does', () => {
    const text = `v1\n${ts}\n${event}\nevt-1\n${body.toString()}`;
    expect(signedString({ timestamp: ts, ...signed }).toString('utf8')).toBe(text);
    const expected = createHmac('sha256', secret).update(text).digest('hex');
    expect(sign()).toBe(`sha256=${expected}`);
  });

  it('accepts a fresh, correctly signed request', () => {
    expect(verifySignature(secret, { signature: sign(), timestamp: ts }, signed, now + 2000, 300_000)).toEqual({ ok: true, timestamp: now / 1000 });
    expect(verifySignature(secret, { signature: sign().toUpperCase().replace('SHA256=', 'sha256='), timestamp: ts }, signed, now, 300_000).ok).toBe(true);
  });

  it.each([
    ['no timestamp', { signature: 'sha256=00', timestamp: undefined }, 'missing-timestamp'],
    ['no signature', { signature: undefined, timestamp: ts }, 'missing-signature'],
    ['a timestamp that is not seconds', { signature: sign(), timestamp: '2026-11-25' }, 'bad-timestamp'],
    ['a timestamp 301 s old', { signature: sign({ timestamp: String(now / 1000 - 301) }), timestamp: String(now / 1000 - 301) }, 'stale-timestamp'],
    ['a timestamp 301 s ahead', { signature: sign({ timestamp: String(now / 1000 + 301) }), timestamp: String(now / 1000 + 301) }, 'stale-timestamp'],
    ['another secret', { signature: sign({ secret: 'other' }), timestamp: ts }, 'bad-signature'],
    ['a signature of another timestamp', { signature: sign({ timestamp: String(now / 1000 - 1) }), timestamp: ts }, 'bad-signature'],
    ['a signature of the old "<timestamp>.<body>" form', { signature: `sha256=${createHmac('sha256', secret).update(`${ts}.${body.toString()}`).digest('hex')}`, timestamp: ts }, 'bad-signature'],
    ['a malformed signature', { signature: 'v1=abc', timestamp: ts }, 'bad-signature'],
  ])('refuses %s', (_what, headers, reason) => {
    const check = verifySignature(secret, headers, signed, now, 300_000);
    expect(check).toMatchObject({ ok: false, reason });
  });

  it('refuses a changed body, another event id and another event name (a replay as a new or other event)', () => {
    const changed = Buffer.from(body.toString().replace('a@x.com', 'b@x.com'));
    expect(verifySignature(secret, { signature: sign(), timestamp: ts }, { ...signed, body: changed }, now, 300_000)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(verifySignature(secret, { signature: sign(), timestamp: ts }, { ...signed, id: 'evt-2' }, now, 300_000)).toMatchObject({ ok: false, reason: 'bad-signature', message: expect.stringContaining('"evt-2"') });
    expect(verifySignature(secret, { signature: sign(), timestamp: ts }, { ...signed, event: 'hr.employee.hired' }, now, 300_000)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('takes the event id from the header (trimmed), else the body\'s id', () => {
    expect(eventIdOf('  hdr-1 ', { id: 'body-1' })).toBe('hdr-1');
    expect(eventIdOf('   ', { id: ' body-1 ' })).toBe('body-1');
    expect(eventIdOf(undefined, { id: 42 })).toBe('42');
    expect(eventIdOf(undefined, { id: { nested: 1 } })).toBeUndefined();
    expect(eventIdOf(undefined, [{ id: 'x' }])).toBeUndefined();
    expect(eventIdOf(undefined, undefined)).toBeUndefined();
  });

  it('compares tokens whatever their lengths', () => {
    expect(sameSecret('token-1', 'token-1')).toBe(true);
    expect(sameSecret('token-1', 'token-12')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});
