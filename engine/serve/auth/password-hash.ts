import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes of the console's local users: scrypt (node:crypto, no native module) in a
 * self-describing string, `scrypt$N$r$p$salt$hash` with salt and hash in base64url, so that the
 * cost can be raised later without breaking hashes already in config files.
 */

/** The cost of new hashes: N=2^15, r=8, p=3 is one of OWASP's equivalent scrypt settings, at 32 MiB per hash rather than 128 MiB. */
export const SCRYPT_DEFAULTS = { N: 2 ** 15, r: 8, p: 3 } as const;

const SALT_BYTES = 16;
const HASH_BYTES = 32;

/** The bounds a hash's parameters must keep: cheaper is too easy to crack, dearer lets one sign-in exhaust memory. */
const BOUNDS = { minLogN: 14, maxLogN: 20, maxR: 32, maxP: 16, maxMemory: 256 * 1024 * 1024 } as const;

/** What a password hash string holds. */
export interface ParsedPasswordHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

const FORMAT = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** The format, for error messages and the config schema. */
export const PASSWORD_HASH_FORMAT = 'scrypt$N$r$p$salt$hash (as printed by idflow serve hash-password)';

/**
 * Reads a hash string.
 * @returns the parts, or why the string is not a usable hash (in words, never quoting it).
 */
export function parsePasswordHash(text: string): { ok: true; value: ParsedPasswordHash } | { ok: false; reason: string } {
  const match = FORMAT.exec(text);
  if (match === null) return { ok: false, reason: `is not a password hash of the form ${PASSWORD_HASH_FORMAT}` };
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const salt = Buffer.from(match[4] as string, 'base64url');
  const hash = Buffer.from(match[5] as string, 'base64url');
  const logN = Math.log2(N);
  if (!Number.isInteger(logN) || logN < BOUNDS.minLogN || logN > BOUNDS.maxLogN) return { ok: false, reason: `has the scrypt cost N=${N}; it must be a power of two from 2^${BOUNDS.minLogN} to 2^${BOUNDS.maxLogN}` };
  if (r < 1 || r > BOUNDS.maxR) return { ok: false, reason: `has the scrypt block size r=${r}; it must be 1 to ${BOUNDS.maxR}` };
  if (p < 1 || p > BOUNDS.maxP) return { ok: false, reason: `has the scrypt parallelism p=${p}; it must be 1 to ${BOUNDS.maxP}` };
  if (128 * N * r > BOUNDS.maxMemory) return { ok: false, reason: `needs ${(128 * N * r) / 2 ** 20} MiB to verify (N×r too large); at most ${BOUNDS.maxMemory / 2 ** 20} MiB` };
  if (salt.length < SALT_BYTES) return { ok: false, reason: `has a salt of ${salt.length} bytes; at least ${SALT_BYTES}` };
  if (hash.length < HASH_BYTES || hash.length > 64) return { ok: false, reason: `has a hash of ${hash.length} bytes; 32 to 64` };
  return { ok: true, value: { N, r, p, salt, hash } };
}

/** True for a string {@link verifyPassword} can check against. */
export function isPasswordHash(text: string): boolean {
  return parsePasswordHash(text).ok;
}

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string, cost: { N: number; r: number; p: number } = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * Whether `password` is the one `stored` was made from, compared in constant time. A `stored`
 * that is not a valid hash never matches (settings refuse such hashes at start-up already).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed.ok) return false;
  const { N, r, p, salt, hash } = parsed.value;
  const candidate = await derive(password, salt, hash.length, { N, r, p });
  return timingSafeEqual(candidate, hash);
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time of a real verification and returns false: run for a name that is not a user,
 * so that how long a refusal takes does not tell which names exist.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummy ??= hashPassword('idflow: no such user');
  await verifyPassword(password, await dummy);
  return false;
}

function derive(password: string, salt: Buffer, length: number, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  // Node refuses scrypt above 32 MiB unless maxmem says otherwise; the bounds above cap it.
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 128 * cost.N * cost.r * 2 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
