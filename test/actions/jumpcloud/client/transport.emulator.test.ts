import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError, TransientError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/index.js';
import { createTransport, type Transport } from '../../../../actions/jumpcloud/client/transport.js';
import type { JumpCloudClientOptions } from '../../../../actions/jumpcloud/client/options.js';
import { recordingLogger } from './support/loopback-server.js';
import { failure } from './support/failure.js';

// The organisation's pause after a 429, against the emulator's rate limit (a token bucket of one
// second's requests; beyond it 429 with Retry-After in whole seconds, at least 1).
// Each test starts its own emulator: the pause is per organisation and base URL, process-wide.

const ORG_ID = '5e00000000000000000000b2';
const USERS = Array.from({ length: 20 }, (_, i) => ({ username: `leaver${String(i).padStart(2, '0')}`, email: `leaver${i}@company.com` }));
const PAUSE_LINE = /^JumpCloud rate limit on .+: no request of this organisation goes out for \d+ ms$/;

const emulators: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

async function throttled(rateLimit: number): Promise<RunningEmulator> {
  const emulator = await startEmulator({ orgId: ORG_ID, data: { users: USERS }, seed: 'pause-tests' });
  emulators.push(emulator);
  // Set after the start, so that the bucket starts full now rather than when the data was loaded.
  emulator.setFaults({ rateLimit });
  return emulator;
}

function transportFor(emulator: RunningEmulator, options: Partial<JumpCloudClientOptions> = {}): Transport {
  return createTransport({ baseUrl: emulator.url, apiKey: emulator.apiKey, orgId: emulator.orgId, ...options });
}

/**
 * Resolves once the client has paused the organisation after a 429 (seen in its debug log, not
 * in the emulator's, which has it a moment before the client does); returns when the 429 arrived.
 */
async function paused(emulator: RunningEmulator, logger: ReturnType<typeof recordingLogger>): Promise<number> {
  await expect.poll(() => logger.lines.some((l) => PAUSE_LINE.test(l.message)), { interval: 2, timeout: 2_000 }).toBe(true);
  return Date.parse(emulator.requests().find((r) => r.status === 429)!.at);
}

const arrivals = (emulator: RunningEmulator, path: string): number[] => emulator.requests().filter((r) => r.path === path).map((r) => Date.parse(r.at));

describe('a 429 pauses the whole organisation', () => {
  it('gets a few hundred requests from parallel clients through a sustained limit of 40/s, each sent at most twice, with few 429s', async () => {
    const emulator = await throttled(40);
    const logger = recordingLogger();
    // Four clients of one organisation (as the runs of a bulk offboarding), the default settings:
    // 5 in flight, 4 attempts, Retry-After waited out up to 60 s.
    const clients = Array.from({ length: 4 }, () => transportFor(emulator, { logger }));
    const users = emulator.state.users();
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const user = users[i % users.length]!;
        const path = i % 2 === 0 ? `/api/systemusers/${user._id}` : `/api/v2/users/${user._id}/memberof`;
        return clients[i % clients.length]!.request({ method: 'GET', path });
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    expect(responses.every((r) => r.status === 200)).toBe(true);
    const log = emulator.requests();
    const refusals = log.filter((r) => r.status === 429).length;
    const pauses = logger.lines.filter((l) => l.level === 'debug' && PAUSE_LINE.test(l.message)).length;
    // The limit really held the workload back: 40 requests went out at once, the other 160 at
    // 40 a second. The first time the bucket ran dry the organisation paused, and the clients
    // learned the rate (rate-pacer.ts): the rest went out paced, with at most a pause or two
    // more while the rate settles (before pacing, one pause each time the bucket ran dry: 3–4).
    expect(pauses).toBeGreaterThanOrEqual(1);
    expect(pauses).toBeLessThanOrEqual(3);
    expect(seconds).toBeGreaterThan(3);
    // A refused request goes first when the pause ends, with the bucket full again: none is
    // refused twice, so none comes near its 4 attempts.
    expect(Math.max(...responses.map((r) => r.attempts))).toBeLessThanOrEqual(2);
    // Only the requests already in flight when the bucket ran dry are refused: at most 5 (the
    // in-flight cap) per pause, and there is at most one pause per Retry-After (1 s) of the
    // run. (Without the shared pause, each request finding out for itself, this workload drew
    // about 300 429s, and some requests needed all 4 attempts.)
    expect(refusals).toBeGreaterThan(0);
    expect(refusals).toBeLessThanOrEqual(5 * pauses);
    expect(pauses).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(refusals).toBeLessThanOrEqual(0.15 * responses.length);
    expect(log).toHaveLength(responses.length + refusals);
    // The pause is logged once per pause (a burst of 429s, more than half a second after the
    // last), not once per refused or waiting request.
    const refusedAt = log.filter((r) => r.status === 429).map((r) => Date.parse(r.at));
    const bursts = refusedAt.filter((at, i) => i === 0 || at - refusedAt[i - 1]! > 500).length;
    expect(pauses).toBe(bursts);
  }, 20_000);

  it('holds back a request issued during the pause until the Retry-After has passed', async () => {
    const emulator = await throttled(2);
    const logger = recordingLogger();
    const transport = transportFor(emulator, { logger });
    const [a, b, c] = emulator.state.users().map((u) => `/api/systemusers/${u._id}`);
    await transport.request({ method: 'GET', path: a! });
    await transport.request({ method: 'GET', path: a! });
    const refused = transport.request({ method: 'GET', path: b! }); // the bucket is empty: 429, Retry-After 1 s
    const refusedAt = await paused(emulator, logger);
    const later = transport.request({ method: 'GET', path: c! });
    const [first, second] = await Promise.all([refused, later]);

    expect(first.attempts).toBe(2);
    expect(second.attempts).toBe(1);
    // c never reached the server before the pause ended (the log's times are whole milliseconds).
    expect(arrivals(emulator, c!)).toHaveLength(1);
    expect(arrivals(emulator, c!)[0]!).toBeGreaterThanOrEqual(refusedAt + 999);
    expect(arrivals(emulator, b!)[1]!).toBeGreaterThanOrEqual(refusedAt + 999);
    expect(emulator.requests().filter((r) => r.status === 429)).toHaveLength(1);
  }, 10_000);

  it('stops a request waiting at the closed gate at once when its signal aborts, or its step times out', async () => {
    const emulator = await throttled(1);
    const logger = recordingLogger();
    const transport = transportFor(emulator, { logger });
    const [a, b, c, d] = emulator.state.users().map((u) => `/api/systemusers/${u._id}`);
    await transport.request({ method: 'GET', path: a! });
    const refused = transport.request({ method: 'GET', path: b! });
    await paused(emulator, logger);

    const controller = new AbortController();
    const cancelled = failure(transport.request({ method: 'GET', path: c!, signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const abortedAt = performance.now();
    controller.abort();
    const error = await cancelled;
    // At once: well before the one-second pause would have let it go.
    expect(performance.now() - abortedAt).toBeLessThan(300);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.message).toBe(`JumpCloud request GET ${c!} was cancelled`);

    const timedOut = await failure(transport.request({ method: 'GET', path: d!, signal: AbortSignal.timeout(100) }));
    expect(timedOut).toBeInstanceOf(TimeoutError);

    await refused;
    // Neither was ever sent.
    expect(arrivals(emulator, c!)).toEqual([]);
    expect(arrivals(emulator, d!)).toEqual([]);
  }, 10_000);

  it('fails at once, as before, on a Retry-After longer than the client waits; the requests issued during that pause fail unsent', async () => {
    const emulator = await throttled(1);
    // The client waits at most 0.2 s of the 1 s pause, leaving a loaded machine 0.8 s for the
    // requests below to count as issued "during that pause".
    const transport = transportFor(emulator, { retry: { maxRetryAfterMs: 200 } });
    const [a, b, c, d] = emulator.state.users().map((u) => `/api/systemusers/${u._id}`);
    await transport.request({ method: 'GET', path: a! });

    const started = performance.now();
    const tooLong = await failure(transport.request({ method: 'GET', path: b! }));
    expect(tooLong).toBeInstanceOf(TransientError);
    expect((tooLong as TransientError).retryAfterMs).toBe(1_000);
    expect(tooLong.message).toMatch(/^JumpCloud is rate limiting requests \(429 Too Many Requests\) on GET \S+; it asked to wait 1(\.0)? s/);
    expect(arrivals(emulator, b!)).toHaveLength(1);

    const unsent = await failure(transport.request({ method: 'GET', path: c! }));
    expect(performance.now() - started).toBeLessThan(800);
    expect(unsent).toBeInstanceOf(TransientError);
    expect(unsent.retryable).toBe(true);
    expect((unsent as TransientError).retryAfterMs).toBeGreaterThan(200);
    expect((unsent as TransientError).retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(unsent.message).toMatch(/^JumpCloud GET \S+ was not sent: JumpCloud is rate limiting this organisation for another \d+(\.\d)? s, longer than the client waits \(0\.2 s\)$/);
    expect(arrivals(emulator, c!)).toEqual([]);

    // Once the pause is over, requests go out again.
    await new Promise((resolve) => setTimeout(resolve, 1_050 - (performance.now() - started)));
    expect((await transport.request({ method: 'GET', path: d! })).attempts).toBe(1);
  }, 10_000);
});
