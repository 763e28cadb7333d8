import { describe, expect, it } from 'vitest';
import { hashPassword, isPasswordHash, parsePasswordHash, SCRYPT_DEFAULTS, verifyDummyPassword, verifyPassword } from '../../../../engine/serve/auth/password-hash.js';

describe('password hashes', () => {
  it('are self-describing scrypt strings with a fresh salt each time, and verify only the password they were made from', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    expect(first).toMatch(new RegExp(`^scrypt\\$${SCRYPT_DEFAULTS.N}\\$${SCRYPT_DEFAULTS.r}\\$${SCRYPT_DEFAULTS.p}\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$`));
    expect(second).not.toBe(first);
    expect(first).not.toContain('horse');
    expect(await verifyPassword('correct horse battery staple', first)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', first)).toBe(false);
    expect(await verifyPassword('', first)).toBe(false);
  });

  it('verify with the cost written in the hash, so older hashes keep working when the default rises', async () => {
    const cheaper = await hashPassword('pässwörd', { N: 2 ** 14, r: 8, p: 1 });
    expect(cheaper.startsWith('scrypt$16384$8$1$')).toBe(true);
    // The same text in another Unicode normal form is the same password.
    expect(await verifyPassword('pa\u0308sswo\u0308rd', cheaper)).toBe(true);
  });

  it('refuse strings that are not hashes or whose cost is out of bounds, saying why', () => {
    const salt = Buffer.alloc(16, 1).toString('base64url');
    const hash = Buffer.alloc(32, 2).toString('base64url');
    expect(parsePasswordHash('hunter2')).toEqual({ ok: false, reason: expect.stringContaining('is not a password hash of the form scrypt$N$r$p$salt$hash') });
    expect(parsePasswordHash(`scrypt$1024$8$1$${salt}$${hash}`)).toEqual({ ok: false, reason: 'has the scrypt cost N=1024; it must be a power of two from 2^14 to 2^20' });
    expect(parsePasswordHash(`scrypt$30000$8$1$${salt}$${hash}`)).toMatchObject({ ok: false });
    expect(parsePasswordHash(`scrypt$1048576$32$1$${salt}$${hash}`)).toEqual({ ok: false, reason: 'needs 4096 MiB to verify (N×r too large); at most 256 MiB' });
    expect(parsePasswordHash(`scrypt$16384$8$1$${Buffer.alloc(8).toString('base64url')}$${hash}`)).toEqual({ ok: false, reason: 'has a salt of 8 bytes; at least 16' });
    expect(isPasswordHash(`scrypt$16384$8$1$${salt}$${hash}`)).toBe(true);
  });

  it('never match a string that is not a hash, and the dummy verification refuses everything', async () => {
    expect(await verifyPassword('hunter2', 'hunter2')).toBe(false);
    expect(await verifyDummyPassword('idflow: no such user')).toBe(false);
  });
});
