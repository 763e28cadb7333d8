/**
 * Bounds the password checks running at once. Each scrypt check takes tens of MiB and a core for
 * a while: without a bound, a burst of sign-in attempts (each failure counted only once it is
 * checked) could exhaust memory before any limit applies. A few run at once, some more wait, and
 * the rest are turned away at once.
 */
export class HashingGate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly maxActive = 2, private readonly maxWaiting = 32) {}

  /** Runs `check` when a slot is free; undefined (not run) when too many already wait. */
  async run<T>(check: () => Promise<T>): Promise<T | undefined> {
    if (this.active >= this.maxActive) {
      if (this.waiting.length >= this.maxWaiting) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.active += 1;
    try {
      return await check();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = this.waiting.shift();
      if (next === undefined) this.active -= 1;
      else next();
    }
  }
}
