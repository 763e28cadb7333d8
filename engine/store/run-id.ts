import { randomInt } from 'node:crypto';

/** Letters and digits for the random part; lower-case so ids are easy to type. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A new run id: `YYYYMMDD-HHMM-xxxxxx`, the UTC start minute and six random characters, e.g.
 * `20261122-2305-k3x9p2`. Ids sort by start time (to the minute; the store sorts by the exact
 * start time), are short enough to type, and any unique prefix selects a run.
 */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-22T23:05:12.345Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
  let random = '';
  for (let i = 0; i < 6; i++) random += ALPHABET[randomInt(ALPHABET.length)];
  return `${stamp}-${random}`;
}

/**
 * True when `text` could be (a prefix of) a run id: lower-case letters, digits and dashes.
 * Anything else (slashes, dots) is refused before it reaches the file system.
 */
export function isRunIdPrefix(text: string): boolean {
  return /^[0-9a-z][0-9a-z-]{0,63}$/.test(text);
}
