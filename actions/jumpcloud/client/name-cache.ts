import { CancelledError, TimeoutError } from '../../../engine/errors/action-errors.js';

/**
 * Remembers look-ups by key for the life of one client, so that naming the same system or
 * application in plan, run and verify reads it once (in a batch with others, see `batch-lookup.ts`). Concurrent callers share the
 * request in flight; a failed look-up is forgotten (the next caller tries again), and a caller
 * whose shared look-up was cancelled by someone else's signal starts its own.
 */
export class LookupCache {
  private readonly entries = new Map<string, Promise<unknown>>();

  /** The cached value for `key`, or the result of `load()` (then cached). */
  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const existing = this.entries.get(key) as Promise<T> | undefined;
    if (existing !== undefined) {
      try {
        return await existing;
      } catch (error) {
        if (!(error instanceof CancelledError || error instanceof TimeoutError)) throw error;
      }
    }
    const pending = load();
    this.entries.set(key, pending);
    pending.catch(() => {
      if (this.entries.get(key) === pending) this.entries.delete(key);
    });
    return pending;
  }

  /** Forgets one key (e.g. after the object changed). */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /** How many keys are cached (including look-ups in flight). */
  get size(): number {
    return this.entries.size;
  }
}
