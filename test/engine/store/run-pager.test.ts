import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunPager } from '../../../engine/store/run-pager.js';
import { RunStore } from '../../../engine/store/run-store.js';
import { sampleNewRun } from './run-fixture.js';

describe('RunPager', () => {
  it('sees a run\'s status change, new runs and removed ones between pages, though it reads each run\'s facts once', () => {
    const store = new RunStore(mkdtempSync(join(tmpdir(), 'idflow-pager-')));
    const pager = new RunPager(store);
    const first = store.createRun(sampleNewRun(), { startedAt: '2026-12-01T10:00:00.000Z' });
    first.updateMeta({ status: 'failed' });
    first.close();
    const second = store.createRun(sampleNewRun({ subject: 'ann@x.com' }), { startedAt: '2026-12-01T11:00:00.000Z' });
    second.updateMeta({ status: 'succeeded' });
    second.close();
    expect(pager.page({ limit: 10, status: 'failed' }).runs.map((r) => r.id)).toEqual([first.id]);
    // Resumed and finished: a failed run's status is read again.
    first.updateMeta({ status: 'succeeded' });
    expect(pager.page({ limit: 10, status: 'failed' })).toEqual({ runs: [], total: 0, next: null });
    expect(pager.page({ limit: 10, status: 'succeeded' }).runs.map((r) => r.id)).toEqual([second.id, first.id]);
    const third = store.createRun(sampleNewRun(), { startedAt: '2026-12-01T12:00:00.000Z' });
    third.close();
    expect(pager.page({ limit: 1 })).toMatchObject({ total: 3, next: third.id, runs: [{ id: third.id, status: 'running' }] });
    rmSync(join(store.root, 'runs', second.id), { recursive: true });
    expect(pager.page({ limit: 10 }).runs.map((r) => r.id)).toEqual([third.id, first.id]);
    expect(pager.page({ limit: 10, before: third.id.slice(0, 18) }).runs.map((r) => r.id)).toEqual([first.id]);
  });
});
