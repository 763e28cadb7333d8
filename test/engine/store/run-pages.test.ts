import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunMeta } from '../../../engine/store/journal-events.js';
import { pageRuns, type RunPageQuery } from '../../../engine/store/run-pages.js';
import { RunStore } from '../../../engine/store/run-store.js';
import { sampleNewRun } from './run-fixture.js';

const WORKFLOWS = ['offboard', 'onboard', 'nightly'];
const STATUSES = ['succeeded', 'failed', 'succeeded', 'succeeded', 'skipped'] as const;

/**
 * Writes `count` run records the way the store lays them out (`runs/<id>/run.json`), one every
 * 20 seconds going back from 2026-11-22, several to a start minute: a real store can read them,
 * and writing 10,000 takes a second where creating them with every file would take minutes.
 */
function seedRecords(root: string, count: number): void {
  const runs = join(root, 'runs');
  mkdirSync(runs, { recursive: true });
  const end = Date.parse('2026-11-22T12:00:00.000Z');
  for (let n = 0; n < count; n++) {
    const started = new Date(end - n * 20_000).toISOString();
    const id = `${started.slice(0, 4)}${started.slice(5, 7)}${started.slice(8, 10)}-${started.slice(11, 13)}${started.slice(14, 16)}-${String(n).padStart(6, '0')}`;
    const meta: RunMeta = {
      id,
      workflow: { id: WORKFLOWS[n % 3] as string, name: WORKFLOWS[n % 3] as string },
      templatePath: '/templates/t.yaml',
      templateHash: 'ab'.repeat(32),
      subject: `user${n}@example.com`,
      status: STATUSES[n % STATUSES.length] as RunMeta['status'],
      startedAt: started,
      finishedAt: started,
      initiatedBy: 'alice',
      trigger: { type: 'manual' },
      childRunIds: [],
      pid: 1,
      hostname: 'elsewhere',
      sandbox: false,
    };
    mkdirSync(join(runs, id));
    writeFileSync(join(runs, id, 'run.json'), JSON.stringify(meta));
  }
}

describe('pageRuns over 10,000 runs', () => {
  let store: RunStore;
  let reads: string[];
  const page = (query: Partial<RunPageQuery>) =>
    pageRuns(
      {
        ids: () => readdirSync(join(store.root, 'runs')),
        // The real store reads each record; the test counts them.
        meta: (id) => {
          reads.push(id);
          return store.openRun(id).meta();
        },
      },
      { offset: 0, limit: 50, ...query },
    );

  beforeAll(() => {
    store = new RunStore(mkdtempSync(join(tmpdir(), 'idflow-pages-')));
    seedRecords(store.root, 10_000);
  });

  it('makes the first page from about one page of records, newest first', () => {
    reads = [];
    const first = page({});
    expect(first.runs).toHaveLength(50);
    expect(first.runs[0]?.subject).toBe('user0@example.com');
    expect(first.runs.map((run) => run.subject)).toEqual(Array.from({ length: 50 }, (_, n) => `user${n}@example.com`));
    expect(first.more).toBe(true);
    expect(first.total).toBe(10_000);
    // Whole start minutes are read (three runs each), plus the minute after the page.
    expect(reads.length).toBeLessThanOrEqual(56);
    expect(first.recordsRead).toBe(reads.length);
  });

  it('makes a later page by counting folder names, not reading the records before it', () => {
    reads = [];
    const later = page({ offset: 5000 });
    expect(later.runs.map((run) => run.subject)).toEqual(Array.from({ length: 50 }, (_, n) => `user${5000 + n}@example.com`));
    expect(reads.length).toBeLessThanOrEqual(56);
    reads = [];
    const last = page({ offset: 9980 });
    expect(last.runs).toHaveLength(20);
    expect(last.more).toBe(false);
  });

  it('skips whole days by name, and reads only until a filtered page is full', () => {
    reads = [];
    const day = page({ from: '2026-11-20', to: '2026-11-20' });
    expect(day.runs.every((run) => run.startedAt.startsWith('2026-11-20'))).toBe(true);
    expect(day.runs[0]?.startedAt).toBe('2026-11-20T23:59:40.000Z');
    expect(reads.length).toBeLessThanOrEqual(56);
    expect(day.total).toBeUndefined();

    reads = [];
    const failed = page({ workflow: 'onboard', status: 'failed' });
    expect(failed.runs).toHaveLength(50);
    expect(failed.runs.every((run) => run.workflow.id === 'onboard' && run.status === 'failed')).toBe(true);
    // One run in 15 is a failed onboarding: a full page needs about 750 records, not 10,000.
    expect(reads.length).toBeLessThan(800);

    reads = [];
    const one = page({ subject: 'USER4242@' });
    expect(one.runs.map((run) => run.subject)).toEqual(['user4242@example.com']);
    expect(one.more).toBe(false);
  });
});

describe('RunStore.pageRuns', () => {
  it('orders runs started in the same minute exactly as listRuns does, and leaves unreadable folders out', () => {
    const store = new RunStore(mkdtempSync(join(tmpdir(), 'idflow-pages-')));
    const make = (id: string, startedAt: string, workflow = 'offboard') => store.createRun(sampleNewRun({ workflow: { id: workflow, name: workflow } }), { id, startedAt }).close();
    make('20261122-1000-zzzzzz', '2026-11-22T10:00:01.000Z');
    make('20261122-1000-aaaaaa', '2026-11-22T10:00:59.000Z');
    make('20261122-1000-mmmmmm', '2026-11-22T10:00:59.000Z', 'onboard');
    make('20261121-0900-bbbbbb', '2026-11-21T09:00:00.000Z');
    mkdirSync(join(store.root, 'runs', '20261122-1100-broken'));
    const listed = store.listRuns().map((run) => run.id);
    expect(store.pageRuns({ offset: 0, limit: 10 }).runs.map((run) => run.id)).toEqual(listed);
    expect(store.pageRuns({ offset: 1, limit: 2 }).runs.map((run) => run.id)).toEqual(listed.slice(1, 3));
    expect(store.pageRuns({ offset: 0, limit: 10, workflow: 'onboard' }).runs.map((run) => run.id)).toEqual(['20261122-1000-mmmmmm']);
  });
});
