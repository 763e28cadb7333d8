/**
 * A small seeded pseudo-random generator, so that fault injection and generated ids are
 * reproducible: the same seed and the same sequence of requests give the same faults.
 */

/** Returns numbers in [0, 1), like `Math.random`, from a 32-bit seed (mulberry32). */
export type Random = () => number;

/** Creates a generator from a numeric or string seed; without a seed, from the clock and `Math.random`. */
export function createRandom(seed?: number | string): Random {
  let state = seed === undefined ? (Date.now() ^ Math.floor(Math.random() * 0x100000000)) >>> 0 : seedToNumber(seed);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

/** Folds a seed into 32 bits (FNV-1a for strings, so `"42"` and `42` differ on purpose). */
function seedToNumber(seed: number | string): number {
  if (typeof seed === 'number') return Math.trunc(seed) >>> 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `count` random lowercase hex digits. */
export function randomHex(random: Random, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

/** A random RFC 4122 version-4 UUID built from the generator (used for event and request ids). */
export function randomUuid(random: Random): string {
  const hex = randomHex(random, 32).split('');
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
