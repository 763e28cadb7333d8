import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../../engine/errors/index.js';
import { organisationSemaphore, PauseTooLongError, Semaphore } from '../../../../actions/jumpcloud/client/org-semaphore.js';

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

describe('Semaphore.pause', () => {
  it('grants nothing while paused, keeps the queue in order, and lets it in when the pause ends', async () => {
    const semaphore = new Semaphore(2);
    const held = await semaphore.acquire();
    // Taken before the pause starts: a lower bound on its start, however long the call takes on a busy machine.
    const pausedAt = performance.now();
    expect(semaphore.pause(80)).toBe('started');
    const order: string[] = [];
    const waiting = ['a', 'b', 'c'].map((name) => semaphore.acquire().then((release) => (order.push(name), release)));
    held(); // a slot freed during the pause is not granted
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(semaphore.inUse).toBe(0);
    expect(semaphore.queued).toBe(3);
    const [a, b] = await Promise.all(waiting.slice(0, 2));
    expect(performance.now() - pausedAt).toBeGreaterThanOrEqual(79);
    expect(order).toEqual(['a', 'b']); // up to the limit, in order
    a!();
    await waiting[2];
    expect(order).toEqual(['a', 'b', 'c']);
    b!();
  });

  it('only ever lengthens a pause, and says whether it started one', () => {
    const semaphore = new Semaphore(1);
    expect(semaphore.pause(200)).toBe('started');
    expect(semaphore.pause(50)).toBe('unchanged');
    expect(semaphore.pause(300)).toBe('extended');
    expect(semaphore.pauseRemainingMs).toBeGreaterThan(250);
  });

  it('lets a caller marked first go ahead of those queued before it', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const order: string[] = [];
    const take = (name: string, first: boolean) => semaphore.acquire(undefined, { first }).then((release) => (order.push(name), release()));
    const all = [take('plain-1', false), take('plain-2', false), take('first-1', true), take('first-2', true)];
    held();
    await Promise.all(all);
    expect(order).toEqual(['first-1', 'first-2', 'plain-1', 'plain-2']);
  });

  it('refuses at once a caller whose maxPauseMs the pause exceeds, and one queued when a pause outgrows it', async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const patient = semaphore.acquire(undefined, { maxPauseMs: 10_000 });
    const hasty = semaphore.acquire(undefined, { maxPauseMs: 500 });
    semaphore.pause(1_000);
    const error = await hasty.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PauseTooLongError);
    expect((error as PauseTooLongError).remainingMs).toBe(1_000);
    await expect(semaphore.acquire(undefined, { maxPauseMs: 500 })).rejects.toBeInstanceOf(PauseTooLongError);
    expect(semaphore.queued).toBe(1); // the patient one still waits
    held();
    expect(semaphore.inUse).toBe(0);
    const controller = new AbortController();
    const stopped = semaphore.acquire(controller.signal);
    controller.abort();
    await expect(stopped).rejects.toBeInstanceOf(CancelledError);
    semaphore.pause(0); // changes nothing: the pause runs on
    expect(semaphore.queued).toBe(1);
    void patient.then((release) => release());
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
