/**
 * Counts failed sign-ins per key (a client address, a user name) and refuses more once a key has
 * failed too often in a window: password guessing is slowed to a few tries per window, whatever
 * the client. Memory is bounded: at most `maxKeys` keys are tracked, the oldest forgotten first.
 */
export class SignInThrottle {
  private readonly entries = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    private readonly limits: { maxFailures: number; windowMs: number; maxKeys: number } = SIGN_IN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long until `key` may try again, in ms; undefined when it may now. */
  retryAfterMs(key: string): number | undefined {
    const entry = this.current(key);
    if (entry === undefined || entry.failures < this.limits.maxFailures) return undefined;
    return entry.resetAt - this.now();
  }

  /** Counts a failure of `key`; the window starts at its first failure. */
  fail(key: string): void {
    const entry = this.current(key);
    if (entry !== undefined) {
      entry.failures += 1;
      return;
    }
    if (this.entries.size >= this.limits.maxKeys) this.evict();
    this.entries.set(key, { failures: 1, resetAt: this.now() + this.limits.windowMs });
  }

  /** Forgets `key`'s failures (a successful sign-in of that name). */
  reset(key: string): void {
    this.entries.delete(key);
  }

  /** How many keys are tracked (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }

  private current(key: string): { failures: number; resetAt: number } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.resetAt > this.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.resetAt <= now) this.entries.delete(key);
    // Still full: the oldest window goes (Map keeps insertion order).
    if (this.entries.size >= this.limits.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** Five failures in 15 minutes, per address and per name; at most 10,000 of each tracked. */
export const SIGN_IN_LIMITS = { maxFailures: 5, windowMs: 15 * 60_000, maxKeys: 10_000 } as const;
