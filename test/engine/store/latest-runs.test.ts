import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LatestRunIndex } from '../../../engine/store/latest-runs.js';
import type { RunMeta } from '../../../engine/store/journal-events.js';
import { RunStore } from '../../../engine/store/run-store.js';
import { sampleNewRun } from './run-fixture.js';

function storeWithReads(): { store: RunStore; reads: string[]; index: LatestRunIndex } {
  const store = new RunStore(mkdtempSync(join(tmpdir(), 'idflow-latest-')));
  const reads: string[] = [];
  // The index over the real store, counting the records it reads.
  const index = new LatestRunIndex({
    ids: () => store.listRuns().map((meta) => meta.id),
    meta: (id) => {
      reads.push(id);
      return store.openRun(id).meta();
    },
  });
  return { store, reads, index };
}

const create = (store: RunStore, workflow: string, startedAt: string, id: string) => {
  const run = store.createRun(sampleNewRun({ workflow: { id: workflow, name: workflow } }), { id, startedAt });
  run.close();
  return run;
};

const summary = (latest: Map<string, RunMeta>) => Object.fromEntries([...latest].map(([workflow, meta]) => [workflow, `${meta.id} ${meta.status}`]));

describe('LatestRunIndex', () => {
  it('finds the newest run of each workflow, then reads only new runs and each workflow\'s newest again', () => {
    const { store, reads, index } = storeWithReads();
    create(store, 'offboard', '2026-11-20T10:00:00.000Z', '20261120-1000-aaaaaa');
    const newest = create(store, 'offboard', '2026-11-21T10:00:00.000Z', '20261121-1000-bbbbbb');
    create(store, 'nightly', '2026-11-19T02:00:00.000Z', '20261119-0200-cccccc');
    newest.updateMeta({ status: 'failed' });

    expect(summary(index.latest())).toEqual({ offboard: '20261121-1000-bbbbbb failed', nightly: '20261119-0200-cccccc running' });
    expect(reads).toHaveLength(3 + 2);

    // Nothing new: only the two newest are read again, and a status that moved on is seen.
    reads.length = 0;
    newest.updateMeta({ status: 'succeeded' });
    expect(summary(index.latest())).toEqual({ offboard: '20261121-1000-bbbbbb succeeded', nightly: '20261119-0200-cccccc running' });
    expect(reads.sort()).toEqual(['20261119-0200-cccccc', '20261121-1000-bbbbbb']);

    // A new run is read once; an older one arriving late does not displace the newest.
    reads.length = 0;
    create(store, 'nightly', '2026-11-22T02:00:00.000Z', '20261122-0200-dddddd');
    create(store, 'offboard', '2026-11-18T10:00:00.000Z', '20261118-1000-eeeeee');
    expect(summary(index.latest())).toEqual({ offboard: '20261121-1000-bbbbbb succeeded', nightly: '20261122-0200-dddddd running' });
    expect(reads.sort()).toEqual(['20261118-1000-eeeeee', '20261121-1000-bbbbbb', '20261122-0200-dddddd', '20261122-0200-dddddd']);
  });

  it('starts again from a full scan when a run it has seen is gone', () => {
    const { store, index } = storeWithReads();
    create(store, 'offboard', '2026-11-20T10:00:00.000Z', '20261120-1000-aaaaaa');
    const newest = create(store, 'offboard', '2026-11-21T10:00:00.000Z', '20261121-1000-bbbbbb');
    expect(summary(index.latest())).toEqual({ offboard: '20261121-1000-bbbbbb running' });
    rmSync(newest.dir, { recursive: true });
    expect(summary(index.latest())).toEqual({ offboard: '20261120-1000-aaaaaa running' });
  });

  it('agrees with listRuns through RunStore.latestRunsByWorkflow', () => {
    const { store } = storeWithReads();
    create(store, 'a', '2026-11-20T10:00:00.000Z', '20261120-1000-aaaaaa');
    create(store, 'a', '2026-11-20T10:00:00.000Z', '20261120-1000-zzzzzz');
    create(store, 'b', '2026-11-21T10:00:00.000Z', '20261121-1000-bbbbbb');
    const fromList = new Map<string, string>();
    for (const meta of store.listRuns()) if (!fromList.has(meta.workflow.id)) fromList.set(meta.workflow.id, meta.id);
    expect(new Map([...store.latestRunsByWorkflow()].map(([workflow, meta]) => [workflow, meta.id]))).toEqual(fromList);
    expect(store.latestRunsByWorkflow().get('a')?.id).toBe('20261120-1000-zzzzzz');
  });
});
