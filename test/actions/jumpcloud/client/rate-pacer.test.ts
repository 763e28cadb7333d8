import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/index.js';
import { createJumpCloudClient, type JumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { organisationSemaphore, Semaphore } from '../../../../actions/jumpcloud/client/org-semaphore.js';
import { DEFAULT_PACER_TUNING, estimateLimit, organisationPacer, RatePacer } from '../../../../actions/jumpcloud/client/rate-pacer.js';

// Adaptive pacing per organisation (issue 14): the rate is learned from 429s (multiplicative
// decrease) and probed upwards (additive increase), shared by every client of the organisation,
// capped by a ceiling. Timing bounds are generous: the machine is shared.

describe('Semaphore pacing', () => {
  it('grants at most one slot per interval, and stops pacing at 0', async () => {
    const semaphore = new Semaphore(10);
    semaphore.setPace(40);
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, async () => {
      const release = await semaphore.acquire();
      times.push(performance.now() - started);
      release();
    }));
    // 6 grants, 40 ms apart: the last no sooner than 200 ms after the first.
    // (The first may be recorded late on a busy machine; the schedule keeps to its grant.)
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(170);
    semaphore.setPace(0);
    const free = performance.now();
    await Promise.all(Array.from({ length: 6 }, async () => (await semaphore.acquire())()));
    expect(performance.now() - free).toBeLessThan(100);
  });
});

describe('RatePacer', () => {
  function pacerAt(): { pacer: RatePacer; semaphore: Semaphore; clock: { t: number } } {
    const clock = { t: 10_000 };
    const semaphore = new Semaphore(5);
    return { pacer: new RatePacer(semaphore, DEFAULT_PACER_TUNING, () => clock.t), semaphore, clock };
  }

  it('paces nothing until a 429, then lowers to what was accepted, and lowers again once per pause', () => {
    const { pacer, semaphore, clock } = pacerAt();
    for (let i = 0; i < 100; i++) {
      clock.t += 5;
      pacer.answered(20);
    }
    expect(pacer.state.rate).toBeUndefined();
    expect(semaphore.paceMs).toBe(0);
    pacer.rateLimited(true);
    // 100 accepted over 495 ms of sending: a limit N with a second's worth at once gives
    // N + 0.495 N = 100, so N ≈ 66.9; paced at 0.95 of it.
    expect(pacer.state.rate).toBeCloseTo((100 / 1.495) * 0.95, 5);
    expect(semaphore.paceMs).toBeCloseTo(1000 / ((100 / 1.495) * 0.95), 5);
    pacer.rateLimited(false);
    expect(pacer.state).toMatchObject({ decreases: 1 });
    const first = pacer.state.rate as number;
    clock.t += 2_000;
    pacer.rateLimited(true);
    expect(pacer.state.rate).toBeCloseTo(first * DEFAULT_PACER_TUNING.decrease, 5);
    expect(pacer.state.decreases).toBe(2);
  });

  it("estimates the limit behind a first 429 without the burst a second's worth of bucket let through", () => {
    // 60 a second, a bucket of 60: sending 250 a second runs it dry after 0.32 s, 80 accepted.
    expect(Math.abs(estimateLimit(80, 0.32) - 60)).toBeLessThan(1);
    // Sending 70 a second runs it dry after 6 s; 70 accepted in the last second.
    expect(Math.abs(estimateLimit(70, 6) - 60)).toBeLessThan(1);
  });

  it('grows the rate only while it binds, and never past the ceiling', async () => {
    const { pacer, semaphore, clock } = pacerAt();
    pacer.setCeiling(12);
    expect(semaphore.paceMs).toBeCloseTo(1000 / 12, 5);
    for (let i = 0; i < 10; i++) {
      clock.t += 100;
      pacer.answered(20);
    }
    pacer.rateLimited(true);
    // 10 accepted over 900 ms: N ≈ 10 / 1.9, × 0.95.
    const learned = (10 / 1.9) * 0.95;
    expect(pacer.state.rate).toBeCloseTo(learned, 5);
    // Nobody waits: no growth however long it goes on.
    for (let i = 0; i < 20; i++) {
      clock.t += 1000 / learned;
      pacer.answered(20);
    }
    expect(pacer.state.rate).toBeCloseTo(learned, 5);
    // Requests wait for their turn: +0.5 per second, up to the ceiling.
    const held = await Promise.all(Array.from({ length: 5 }, () => semaphore.acquire()));
    const queued = semaphore.acquire();
    // JumpCloud accepts all it is sent, at the rate paced.
    for (let i = 0; i < 400; i++) {
      clock.t += 1000 / (pacer.state.rate as number);
      pacer.answered(20);
    }
    expect(pacer.state.rate).toBe(12);
    held.forEach((release) => release());
    (await queued)();
    expect(() => pacer.setCeiling(0)).toThrow('A rate ceiling must be a number of requests per second above 0, got 0');
  });

  it('probes faster the longer no 429 comes, and forgets the rate after an idle spell', async () => {
    const { pacer, semaphore, clock } = pacerAt();
    for (let i = 0; i < 10; i++) {
      clock.t += 100;
      pacer.answered(20);
    }
    pacer.rateLimited(true);
    const held = await Promise.all(Array.from({ length: 5 }, () => semaphore.acquire()));
    const queued = semaphore.acquire();
    const grow = (seconds: number): number => {
      const from = pacer.state.rate as number;
      const until = clock.t + seconds * 1000;
      while (clock.t < until) {
        clock.t += 1000 / (pacer.state.rate as number);
        pacer.answered(20);
      }
      return (pacer.state.rate as number) - from;
    };
    const early = grow(10);
    grow(30);
    const late = grow(10);
    // 0.5/s ramping by 0.5/s every 10 s: about 7.5 in the first 10 s, about 27.5 in the fifth 10 s.
    expect(late).toBeGreaterThan(early * 2.5);
    held.forEach((release) => release());
    (await queued)();
    clock.t += DEFAULT_PACER_TUNING.forgetAfterIdleMs + 1;
    pacer.answered(20);
    expect(pacer.state.rate).toBeUndefined();
    expect(semaphore.paceMs).toBe(0);
  });

  it('lowers a rate in force when latency rises well above its recent minimum', () => {
    const { pacer, clock } = pacerAt();
    for (let i = 0; i < 40; i++) {
      clock.t += 20;
      pacer.answered(20);
    }
    pacer.rateLimited(true);
    const learned = pacer.state.rate as number;
    clock.t += 2_000;
    for (let i = 0; i < 40; i++) {
      clock.t += 20;
      pacer.answered(500);
    }
    expect(pacer.state.rate).toBeLessThan(learned);
    expect(pacer.state.decreases).toBeGreaterThanOrEqual(2);
  });
});

describe('pacing against the emulator', () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  const clientOf = (running: RunningEmulator, extra: { orgId?: string; maxRequestsPerSecond?: number } = {}): JumpCloudClient =>
    createJumpCloudClient({ baseUrl: running.url, apiKey: running.apiKey, orgId: extra.orgId ?? running.orgId, retry: { attempts: 6 }, ...(extra.maxRequestsPerSecond === undefined ? {} : { maxRequestsPerSecond: extra.maxRequestsPerSecond }) });

  it('converges under a rate limit: few 429s, wall time near calls ÷ limit, the rate settled near the limit', async () => {
    emulator = await startEmulator({ seed: 'pacing' });
    const limit = 40;
    const calls = 320;
    emulator.setFaults({ rateLimit: limit });
    // Three clients of one organisation, as the runs of a bulk run.
    const clients = [clientOf(emulator), clientOf(emulator), clientOf(emulator)];
    const started = performance.now();
    await Promise.all(Array.from({ length: calls }, (_, i) => (clients[i % 3] as JumpCloudClient).listUsers()));
    const wallMs = performance.now() - started;
    const log = emulator.requests();
    const refused = log.filter((r) => r.fault === 'rate_limit').length;
    // The bound: the first second's worth at once, then `limit` a second.
    const boundMs = ((calls - limit) / limit) * 1000;
    expect(log.length - refused).toBe(calls);
    expect(refused / log.length).toBeLessThanOrEqual(0.05);
    expect(wallMs).toBeLessThan(boundMs * 1.6);
    const rate = organisationPacer(organisationSemaphore(emulator.url, emulator.orgId)).state.rate as number;
    expect(rate).toBeGreaterThan(limit * 0.5);
    expect(rate).toBeLessThan(limit * 1.3);
  }, 30_000);

  it('honours Retry-After: after a 429, nothing of the organisation goes out until it has passed', async () => {
    emulator = await startEmulator({ seed: 'retry-after' });
    emulator.setFaults({ rateLimit: 5 });
    const client = clientOf(emulator);
    await Promise.all(Array.from({ length: 12 }, () => client.listUsers()));
    const log = emulator.requests();
    const first429 = log.findIndex((r) => r.fault === 'rate_limit');
    expect(first429).toBeGreaterThanOrEqual(0);
    // The emulator asks for a second. Only the (at most 4) other requests already in flight when
    // the 429 came may arrive within it; then nothing until it has passed.
    const at = Date.parse((log[first429] as { at: string }).at);
    const later = log.slice(first429 + 1).map((r) => Date.parse(r.at) - at);
    expect(later.filter((ms) => ms < 950).length).toBeLessThanOrEqual(4);
    expect(later.some((ms) => ms >= 950)).toBe(true);
  }, 30_000);

  it('holds a ceiling from the first request, with no 429 needed', async () => {
    emulator = await startEmulator({ seed: 'ceiling' });
    const client = clientOf(emulator, { maxRequestsPerSecond: 20 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 21 }, () => client.listUsers()));
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    const times = emulator.requests().map((r) => Date.parse(r.at));
    const first = Math.min(...times);
    expect(times.filter((t) => t - first < 500).length).toBeLessThanOrEqual(12);
  }, 30_000);

  it('shares what it learned between the clients of one organisation, not with another', async () => {
    emulator = await startEmulator({ seed: 'shared' });
    emulator.setFaults({ rateLimit: 10 });
    await Promise.all(Array.from({ length: 30 }, () => clientOf(emulator as RunningEmulator).listUsers()));
    const same = organisationSemaphore(emulator.url, emulator.orgId);
    expect(organisationPacer(same).state.rate).toBeGreaterThan(0);
    // A new client of the same organisation is paced from its first request.
    clientOf(emulator);
    expect(same.paceMs).toBeGreaterThan(0);
    const other = organisationSemaphore(emulator.url, '5e00000000000000000000ff');
    expect(other).not.toBe(same);
    expect(organisationPacer(other).state.rate).toBeUndefined();
    expect(other.paceMs).toBe(0);
  }, 30_000);
});
