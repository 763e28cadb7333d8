import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MIN_SECRET_LENGTH, REDACTED, Redactor } from '../../../engine/logging/redactor.js';

describe('Redactor', () => {
  it('replaces a secret wherever it occurs in text', () => {
    const redactor = new Redactor();
    redactor.add('sk-live-1234');
    expect(redactor.redact('key=sk-live-1234; again sk-live-1234.')).toBe(`key=${REDACTED}; again ${REDACTED}.`);
    expect(redactor.size).toBe(1);
  });

  it('ignores values shorter than the minimum length, and counts each value once', () => {
    const redactor = new Redactor();
    redactor.add('abc');
    redactor.add('');
    redactor.add('    ');
    redactor.add(' ab ');
    redactor.add('abcd');
    redactor.add('abcd');
    expect(MIN_SECRET_LENGTH).toBe(4);
    expect(redactor.size).toBe(1);
    expect(redactor.redact('abc abcd')).toBe(`abc ${REDACTED}`);
  });

  it('redacts the JSON-escaped form of a secret inside serialized JSON', () => {
    const secret = 'pa"ss\\wo\nrd';
    const redactor = new Redactor();
    redactor.add(secret);
    const line = JSON.stringify({ message: `login with ${secret}`, nested: { body: JSON.stringify({ password: secret }) } });
    expect(line).not.toContain(secret);
    const redacted = redactor.redactJson(line);
    expect(JSON.parse(redacted)).toEqual({ message: `login with ${REDACTED}`, nested: { body: JSON.stringify({ password: REDACTED }) } });
    expect(redactor.redact(line)).not.toContain(JSON.stringify(secret).slice(1, -1));
  });

  it('redacts URL-encoded forms (path segment, query value, form body)', () => {
    const secret = 'a b/c&d=e+f';
    const redactor = new Redactor();
    redactor.add(secret);
    const url = `https://api.example.test/v1/${encodeURIComponent(secret)}?token=${encodeURIComponent(secret)}`;
    const form = new URLSearchParams({ password: secret }).toString();
    expect(redactor.redact(url)).toBe(`https://api.example.test/v1/${REDACTED}?token=${REDACTED}`);
    expect(redactor.redact(form)).toBe(`password=${REDACTED}`);
  });

  it('replaces a secret that contains another secret as a whole', () => {
    const redactor = new Redactor();
    redactor.add('token');
    redactor.add('token-extended-value');
    expect(redactor.redact('x token-extended-value y token')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('treats regular-expression characters in secrets literally', () => {
    const redactor = new Redactor();
    redactor.add('a.b*c(d)[e]$');
    expect(redactor.redact('aXbbbc(d)[e]$ and a.b*c(d)[e]$')).toBe(`aXbbbc(d)[e]$ and ${REDACTED}`);
  });

  it('redactJson leaves escape sequences intact so the line stays valid JSON', () => {
    const redactor = new Redactor();
    redactor.add('nSECRET');
    // "\nSECRET" is a newline followed by SECRET: not the secret; "nSECRET" after an escaped backslash is.
    const line = JSON.stringify({ a: '\nSECRET', b: '\\nSECRET', c: 'xnSECRET' });
    const redacted = redactor.redactJson(line);
    expect(JSON.parse(redacted)).toEqual({ a: '\nSECRET', b: `\\${REDACTED}`, c: `x${REDACTED}` });
  });

  it('redactDeep returns a redacted copy and never mutates its argument', () => {
    const redactor = new Redactor();
    redactor.add('hunter2-secret');
    const original = { with: { token: 'hunter2-secret', list: ['ok', 'Bearer hunter2-secret'] }, 'hunter2-secret': 1, count: 3, flag: true, none: null };
    const snapshot = structuredClone(original);
    const copy = redactor.redactDeep(original);
    expect(original).toEqual(snapshot);
    expect(copy).toEqual({ with: { token: REDACTED, list: ['ok', `Bearer ${REDACTED}`] }, [REDACTED]: 1, count: 3, flag: true, none: null });
    expect(copy.with).not.toBe(original.with);
  });

  it('redactDeep copies errors as plain data and survives cycles', () => {
    const redactor = new Redactor();
    redactor.add('hunter2-secret');
    const cyclic: Record<string, unknown> = { name: 'hunter2-secret' };
    cyclic['self'] = cyclic;
    const copy = redactor.redactDeep({ error: new Error('denied for hunter2-secret'), cyclic }) as { error: { message: string; stack: string }; cyclic: Record<string, unknown> };
    expect(copy.error.message).toBe(`denied for ${REDACTED}`);
    expect(copy.error.stack).not.toContain('hunter2-secret');
    expect(copy.cyclic['name']).toBe(REDACTED);
    expect(copy.cyclic['self']).toBe(copy.cyclic);
  });

  it('rebuilds its pattern when the set grows', () => {
    const redactor = new Redactor();
    redactor.add('first-secret');
    expect(redactor.redact('second-secret')).toBe('second-secret');
    redactor.add('second-secret');
    expect(redactor.redact('first-secret second-secret')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('passes texts shorter than every secret as they are, and checks them again once a shorter secret is added', () => {
    const redactor = new Redactor();
    redactor.add('a-long-api-key-0123456789');
    expect(redactor.redact('a-long-api-key')).toBe('a-long-api-key');
    expect(redactor.redactDeep({ key: 'a-long-api-key-0123456789', n: 'short' })).toEqual({ key: REDACTED, n: 'short' });
    redactor.add('pin1');
    expect(redactor.redact('pin1')).toBe(REDACTED);
    expect(redactor.redactJson('"pin1"')).toBe(`"${REDACTED}"`);
    expect(redactor.redactDeep({ pin1: 'x', code: 'pin1', k: 'a-long-api-key-0123456789' })).toEqual({ [REDACTED]: 'x', code: REDACTED, k: REDACTED });
    expect(redactor.redact('pin')).toBe('pin');
  });

  it('never leaves a registered secret in any text or in JSON of any value (property)', () => {
    fc.assert(
      // Secrets that could be read inside "[REDACTED]" itself are left out: they are "found" in the replacement.
      fc.property(fc.string({ minLength: MIN_SECRET_LENGTH, maxLength: 24 }).filter((s) => s.trim().length >= MIN_SECRET_LENGTH && !/[[\]]/.test(s) && !REDACTED.includes(s)), fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (secret, before, after) => {
        const redactor = new Redactor();
        redactor.add(secret);
        const text = `${before}${secret}${after}`;
        expect(redactor.redact(text)).not.toContain(secret);
        const json = redactor.redactJson(JSON.stringify({ text }));
        expect(() => JSON.parse(json)).not.toThrow();
        expect(JSON.stringify(redactor.redactDeep({ text }))).not.toContain(JSON.stringify(secret).slice(1, -1));
      }),
      { numRuns: 300 },
    );
  });
});
