import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/index.js';
import { FaultInjector } from '../../../../actions/jumpcloud/emulator/faults.js';
import { createRandom } from '../../../../actions/jumpcloud/emulator/random.js';
import { apiFor } from './support/api.js';

describe('FaultInjector (unit, with a fake clock)', () => {
  it('lets rateLimit requests through per second, then answers rate_limit with a Retry-After until tokens refill', () => {
    let now = 0;
    const faults = new FaultInjector({ rateLimit: 5 }, createRandom(1), () => now);
    const kinds = Array.from({ length: 7 }, () => faults.decide());
    expect(kinds.slice(0, 5).map((d) => d.kind)).toEqual(['none', 'none', 'none', 'none', 'none']);
    expect(kinds[5]).toEqual({ kind: 'rate_limit', retryAfterSeconds: 1 });
    now += 200;
    expect(faults.decide().kind).toBe('none');
    expect(faults.decide().kind).toBe('rate_limit');
  });

  it('asks slow limits to wait long enough for the next token', () => {
    let now = 0;
    const faults = new FaultInjector({ rateLimit: 0.25 }, createRandom(1), () => now);
    expect(faults.decide().kind).toBe('none');
    expect(faults.decide()).toEqual({ kind: 'rate_limit', retryAfterSeconds: 4 });
    now = 4000;
    expect(faults.decide().kind).toBe('none');
  });

  it('is reproducible: the same seed gives the same decisions', () => {
    const run = (seed: number) => {
      const faults = new FaultInjector({ failRate: 0.3, dropRate: 0.1 }, createRandom(seed), () => 0);
      return Array.from({ length: 200 }, () => JSON.stringify(faults.decide()));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('honours the rates roughly and spreads errors over 500, 502 and 503', () => {
    const faults = new FaultInjector({ failRate: 0.2 }, createRandom(42), () => 0);
    const decisions = Array.from({ length: 5000 }, () => faults.decide());
    const errors = decisions.filter((d) => d.kind === 'error');
    expect(errors.length / 5000).toBeGreaterThan(0.17);
    expect(errors.length / 5000).toBeLessThan(0.23);
    expect(new Set(errors.map((d) => (d.kind === 'error' ? d.status : 0)))).toEqual(new Set([500, 502, 503]));
  });

  it('refuses settings out of range', () => {
    expect(() => new FaultInjector({ failRate: 1.5 }, createRandom(1))).toThrow('failRate must be between 0 and 1');
    expect(() => new FaultInjector({ latencyMs: -1 }, createRandom(1))).toThrow('latencyMs');
    expect(() => new FaultInjector({ rateLimit: -1 }, createRandom(1))).toThrow('rateLimit');
    expect(() => new FaultInjector({ dropRate: Number.NaN }, createRandom(1))).toThrow('dropRate');
  });
});

describe('faults over HTTP', () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('answers 429 {"message":"Too Many Requests"} with Retry-After beyond the rate, and logs it', async () => {
    emulator = await startEmulator({ rateLimit: 1 });
    const api = apiFor(emulator);
    // Sent together, so they arrive within far less than the seconds it takes to refill.
    const replies = await Promise.all(Array.from({ length: 8 }, () => api('GET', '/api/systemusers')));
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(4);
    expect(replies.filter((r) => r.status !== 429).every((r) => r.status === 200)).toBe(true);
    for (const reply of limited) {
      expect(reply.body).toEqual({ message: 'Too Many Requests' });
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect(emulator.requests().filter((r) => r.fault === 'rate_limit').every((r) => r.status === 429)).toBe(true);
  });

  it('injects 5xx at roughly failRate with a fixed seed, the same way every time, without changing state', async () => {
    const run = async (): Promise<number[]> => {
      const emu = await startEmulator({ failRate: 0.25, seed: 99 });
      try {
        const api = apiFor(emu);
        const statuses: number[] = [];
        for (let i = 0; i < 200; i++) statuses.push((await api('POST', '/api/systemusers', { body: { username: `u${i}`, email: `u${i}@example.com` } })).status);
        const failed = statuses.filter((s) => s >= 500).length;
        expect(emu.state.users()).toHaveLength(200 - failed);
        expect(emu.requests().filter((r) => r.fault === 'error')).toHaveLength(failed);
        return statuses;
      } finally {
        await emu.close();
      }
    };
    const first = await run();
    const failures = first.filter((s) => s >= 500).length;
    expect(failures).toBeGreaterThan(25);
    expect(failures).toBeLessThan(80);
    expect(first.every((s) => s === 200 || s === 500 || s === 502 || s === 503)).toBe(true);
    expect(await run()).toEqual(first);
  });

  it('drops connections without a response at dropRate 1, and logs status 0', async () => {
    emulator = await startEmulator({ dropRate: 1 });
    const { port } = new URL(emulator.url);
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/systemusers', headers: { 'x-api-key': emulator?.apiKey } }, (res) => resolve(`response ${res.statusCode}`));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
    expect(outcome).toBe('ECONNRESET');
    expect(emulator.requests()).toEqual([expect.objectContaining({ path: '/api/systemusers', status: 0, fault: 'drop' })]);
    await expect(fetch(`${emulator.url}/api/systemusers`, { headers: { 'x-api-key': emulator.apiKey } })).rejects.toThrow('fetch failed');
  });

  it('delays every API response by at least latencyMs (a lower bound, not a speed target)', async () => {
    emulator = await startEmulator({ latencyMs: 40 });
    const api = apiFor(emulator);
    await api('GET', '/api/systemusers');
    await api('GET', '/api/systemusers', { anonymous: true });
    expect(emulator.requests().map((r) => r.ms >= 39)).toEqual([true, true]);
  });

  it('never applies faults to /__sandbox endpoints, and can be switched off at run time', async () => {
    emulator = await startEmulator({ failRate: 1, dropRate: 0, rateLimit: 1 });
    const api = apiFor(emulator);
    for (let i = 0; i < 5; i++) expect((await api('GET', '/__sandbox/state')).status).toBe(200);
    expect((await api('GET', '/api/systemusers')).status).toBeGreaterThanOrEqual(500);
    emulator.setFaults({ failRate: 0, rateLimit: 0 });
    expect((await api('GET', '/api/systemusers')).status).toBe(200);
  });
});
