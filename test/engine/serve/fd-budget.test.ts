import { describe, expect, it } from 'vitest';
import { connectionCaps, FDS_FIXED_RESERVE, FDS_PER_RUN, readFdUsage } from '../../../engine/serve/fd-budget.js';

const settings = { maxConnections: 256, maxUnauthenticatedConnections: 64, concurrency: 4 };

describe('connectionCaps', () => {
  it('keeps the configured caps when descriptors are plentiful, with room beyond to answer 503', () => {
    expect(connectionCaps(settings, { softLimit: 1_048_576, open: 30 })).toEqual({ total: 256, unauthenticated: 64, hard: 288 });
    expect(connectionCaps(settings, { softLimit: undefined, open: undefined })).toEqual({ total: 256, unauthenticated: 64, hard: 288 });
  });

  it('lowers them to fit the open-file limit beside what is open and the runs\' reserve, and says why', () => {
    // ulimit -n 90 with 20 open and 4 runs: 90 - 20 - (4 × 8 + 8) = 30 descriptors for connections.
    const caps = connectionCaps(settings, { softLimit: 90, open: 20 });
    expect(90 - 20 - (4 * FDS_PER_RUN + FDS_FIXED_RESERVE)).toBe(30);
    expect(caps).toMatchObject({ hard: 30, total: 22, unauthenticated: 17 });
    expect(caps.limitedBy).toBe('the open-file limit (ulimit -n 90) with 20 descriptors open and 40 kept for 4 concurrent runs');
    // More runs at once keep more descriptors back.
    expect(connectionCaps({ ...settings, concurrency: 6 }, { softLimit: 90, open: 20 }).hard).toBe(14);
  });

  it('keeps a quarter of the served connections for authenticated senders, and never goes below one', () => {
    expect(connectionCaps({ ...settings, maxConnections: 8, maxUnauthenticatedConnections: 8 }, { softLimit: undefined, open: undefined })).toMatchObject({ total: 8, unauthenticated: 6 });
    expect(connectionCaps(settings, { softLimit: 40, open: 30 })).toMatchObject({ total: 1, unauthenticated: 1, hard: 2 });
  });
});

describe('readFdUsage', () => {
  it.skipIf(process.platform !== 'linux')('reads the soft limit and the open descriptors from /proc on Linux', () => {
    const usage = readFdUsage();
    expect(usage.open).toBeGreaterThan(2);
    if (usage.softLimit !== undefined) expect(usage.softLimit).toBeGreaterThanOrEqual(usage.open ?? 0);
  });
});
