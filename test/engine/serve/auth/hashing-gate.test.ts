import { describe, expect, it } from 'vitest';
import { HashingGate } from '../../../../engine/serve/auth/hashing-gate.js';

describe('HashingGate', () => {
  it('runs a few checks at once, queues some more, turns the rest away, and frees its slots', async () => {
    const gate = new HashingGate(2, 1);
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const check = () => new Promise<string>((resolve) => {
      running += 1;
      most = Math.max(most, running);
      releases.push(() => {
        running -= 1;
        resolve('done');
      });
    });
    const first = gate.run(check);
    const second = gate.run(check);
    const third = gate.run(check);
    expect(await gate.run(check)).toBeUndefined();
    await Promise.resolve();
    expect(running).toBe(2);
    releases.shift()?.();
    expect(await first).toBe('done');
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    releases.shift()?.();
    releases.shift()?.();
    expect(await Promise.all([second, third])).toEqual(['done', 'done']);
    expect(most).toBe(2);
    expect(await gate.run(async () => 'again')).toBe('again');
  });
});
