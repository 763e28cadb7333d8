import { createHash } from 'node:crypto';
import { randomHex, type Random } from './random.js';

/**
 * JumpCloud ids are 24-hex MongoDB ObjectIds (v1 `_id`, v2 `id`). JumpCloud's PowerShell module
 * checks them with `^[a-z0-9]{24}$`; the emulator is stricter and only accepts lowercase hex,
 * which is what every real id looks like.
 */
const OBJECT_ID = /^[0-9a-f]{24}$/;

/** True when `value` is a well-formed ObjectId string. */
export function isObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID.test(value);
}

/**
 * A stable id for an object named in an org file, so that ids do not change when other objects
 * are added or removed: the first 24 hex digits of SHA-1 over the kind and the name.
 */
export function deterministicObjectId(kind: string, key: string): string {
  return createHash('sha1').update(`idflow-sandbox:${kind}:${key}`).digest('hex').slice(0, 24);
}

/**
 * Makes ObjectIds the way MongoDB does (4-byte seconds timestamp, 5 random bytes, 3-byte
 * counter), so that sorting by `_id` follows creation order as it does on the real service.
 */
export class ObjectIdFactory {
  readonly #machine: string;
  #counter: number;

  constructor(random: Random) {
    this.#machine = randomHex(random, 10);
    this.#counter = Math.floor(random() * 0x1000);
  }

  /** A new, unique ObjectId. */
  next(now: Date = new Date()): string {
    const seconds = Math.floor(now.getTime() / 1000).toString(16).padStart(8, '0').slice(-8);
    this.#counter = (this.#counter + 1) % 0x1000000;
    return `${seconds}${this.#machine}${this.#counter.toString(16).padStart(6, '0')}`;
  }
}
