import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../../engine/errors/index.js';
import { organisationSemaphore, Semaphore } from '../../../../actions/jumpcloud/client/org-semaphore.js';

describe('Semaphore', () => {
  it('lets in up to the limit and queues the rest in order', async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    const first = await semaphore.acquire();
    const second = await semaphore.acquire();
    const third = semaphore.acquire().then((release) => (order.push(3), release));
    const fourth = semaphore.acquire().then((release) => (order.push(4), release));
    expect(semaphore.inUse).toBe(2);
    expect(semaphore.queued).toBe(2);
    first();
    first(); // releasing twice is harmless
    const releaseThird = await third;
    expect(order).toEqual([3]);
    second();
    const releaseFourth = await fourth;
    expect(order).toEqual([3, 4]);
    releaseThird();
    releaseFourth();
    expect(semaphore.inUse).toBe(0);
  });

  it('leaves the queue when the signal aborts', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    expect(semaphore.queued).toBe(0);
    held();
    expect(semaphore.inUse).toBe(0);
  });

  it('a raised limit lets waiting callers in at once', async () => {
    const semaphore = new Semaphore(1);
    await semaphore.acquire();
    const waiting = semaphore.acquire();
    semaphore.setLimit(2);
    await waiting;
    expect(semaphore.inUse).toBe(2);
  });

  it('rejects a limit below 1', () => {
    expect(() => new Semaphore(0)).toThrow('A concurrency limit must be an integer of at least 1, got 0');
  });
});

describe('organisationSemaphore', () => {
  it('is shared per base URL and organisation', () => {
    const a = organisationSemaphore('https://sem.example', 'org-a');
    expect(organisationSemaphore('https://sem.example', 'org-a')).toBe(a);
    expect(organisationSemaphore('https://sem.example', 'org-b')).not.toBe(a);
    expect(organisationSemaphore('https://other.example', 'org-a')).not.toBe(a);
    expect(a.limit).toBe(5);
    organisationSemaphore('https://sem.example', 'org-a', 3);
    expect(a.limit).toBe(3);
  });
});
