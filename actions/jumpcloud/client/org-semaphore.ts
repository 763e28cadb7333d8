import { CancelledError } from '../../../engine/errors/action-errors.js';

/** The default number of requests in flight at once per JumpCloud organisation. */
export const DEFAULT_MAX_CONCURRENCY = 5;

/** Gives back a slot taken with {@link Semaphore.acquire}. Calling it twice is harmless. */
export type Release = () => void;

/**
 * A counting semaphore with a FIFO queue whose limit can change while it is in use (a lower
 * limit takes effect as slots are released; nothing already running is interrupted).
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void }> = [];

  constructor(private currentLimit: number) {
    Semaphore.check(currentLimit);
  }

  /** How many slots may be held at once. */
  get limit(): number {
    return this.currentLimit;
  }

  /** How many slots are held now. */
  get inUse(): number {
    return this.active;
  }

  /** How many callers wait for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Changes the limit; waiting callers are let in at once if the limit grew. */
  setLimit(limit: number): void {
    Semaphore.check(limit);
    this.currentLimit = limit;
    this.drain();
  }

  /**
   * Waits for a slot.
   * @param signal - leaving the queue when it aborts (the promise then rejects with a `CancelledError`).
   */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(new CancelledError('Cancelled while waiting for a JumpCloud request slot', { cause: signal.reason }));
    if (this.active < this.currentLimit && this.waiting.length === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve(this.releaser());
        },
      };
      const onAbort = (): void => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new CancelledError('Cancelled while waiting for a JumpCloud request slot', { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  private drain(): void {
    while (this.active < this.currentLimit && this.waiting.length > 0) this.waiting.shift()?.grant();
  }

  private static check(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`A concurrency limit must be an integer of at least 1, got ${String(limit)}`);
  }
}

// One semaphore per organisation for the whole process: a bulk run creates a client per user,
// and the cap must hold across all of them, not per client.
const organisationSemaphores = new Map<string, Semaphore>();

/**
 * The process-wide semaphore for one JumpCloud organisation, keyed by base URL and org id
 * (single-tenant admins share the key of their base URL).
 *
 * @param limit - when given, sets the organisation's limit (the last client to ask wins);
 *   otherwise a new semaphore starts at {@link DEFAULT_MAX_CONCURRENCY}.
 */
export function organisationSemaphore(baseUrl: string, orgId: string | undefined, limit?: number): Semaphore {
  const key = `${baseUrl}|${orgId ?? ''}`;
  let semaphore = organisationSemaphores.get(key);
  if (semaphore === undefined) {
    semaphore = new Semaphore(limit ?? DEFAULT_MAX_CONCURRENCY);
    organisationSemaphores.set(key, semaphore);
  } else if (limit !== undefined && limit !== semaphore.limit) {
    semaphore.setLimit(limit);
  }
  return semaphore;
}
