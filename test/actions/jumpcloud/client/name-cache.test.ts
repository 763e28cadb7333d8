import { describe, expect, it } from 'vitest';
import { CancelledError, NotFoundError } from '../../../../engine/errors/index.js';
import { LookupCache } from '../../../../actions/jumpcloud/client/name-cache.js';

describe('LookupCache', () => {
  it('shares one look-up between concurrent callers and remembers the result', async () => {
    const cache = new LookupCache();
    let loads = 0;
    const load = async () => {
      loads++;
      return { name: 'Laptops' };
    };
    const [a, b] = await Promise.all([cache.get('system_group:1', load), cache.get('system_group:1', load)]);
    expect(a).toBe(b);
    await cache.get('system_group:1', load);
    expect(loads).toBe(1);
  });

  it('forgets failures, so the next caller asks again', async () => {
    const cache = new LookupCache();
    await expect(cache.get('k', async () => Promise.reject(new NotFoundError('gone')))).rejects.toBeInstanceOf(NotFoundError);
    expect(cache.size).toBe(0);
    expect(await cache.get('k', async () => 'back')).toBe('back');
  });

  it("starts its own look-up when the shared one was cancelled by another caller's signal", async () => {
    const cache = new LookupCache();
    const first = cache.get('k', async () => Promise.reject(new CancelledError('first caller went away')));
    const second = cache.get('k', async () => 'fresh');
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    expect(await second).toBe('fresh');
  });

  it('forget drops one key', async () => {
    const cache = new LookupCache();
    await cache.get('a', async () => 1);
    cache.forget('a');
    expect(await cache.get('a', async () => 2)).toBe(2);
  });
});
