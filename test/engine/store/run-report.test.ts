import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRunReport } from '../../../engine/store/run-report.js';
import { formatRunReport } from '../../../engine/store/run-report-text.js';
import { formatRunsTable } from '../../../engine/store/run-list-text.js';
import { formatLocalTime } from '../../../engine/store/text-layout.js';
import { RunStore } from '../../../engine/store/run-store.js';
import { deadPid } from './child-process-helpers.js';
import { recordFailedRun, sampleNewRun } from './run-fixture.js';

let root: string;
let store: RunStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'idflow-report-'));
  store = new RunStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('buildRunReport', () => {
  it('rebuilds every step in order from the journal', () => {
    const run = recordFailedRun(store);
    const report = buildRunReport(run.meta(), run.events(), run.output());
    expect(report.steps.map((step) => [step.step, step.status, step.attempts])).toEqual([
      ['lookup', 'succeeded', 1],
      ['remove_groups', 'succeeded', 1],
      ['backup', 'skipped', 0],
      ['archive', 'succeeded', 1],
      ['unbind', 'failed', 2],
    ]);
    expect(report.onFailure.map((step) => [step.step, step.status])).toEqual([['notify_it', 'succeeded']]);
    const groups = report.steps[1];
    expect(groups?.itemCounts).toEqual({ total: 2, succeeded: 2, failed: 0 });
    expect(groups?.items.map((item) => [item.index, item.status, item.changed, item.summary, item.changes.length])).toEqual([
      [0, 'succeeded', true, 'removed from G0', 1],
      [1, 'succeeded', true, 'removed from G1', 1],
    ]);
    expect(report.steps[2]?.reason).toBe('if: false');
    expect(report.steps[3]?.childRuns).toEqual([{ runId: '20261122-2305-child1', workflowId: 'archive-mailbox', at: expect.any(String) as unknown as string }]);
    const unbind = report.steps[4];
    expect(unbind?.failures.map((failure) => [failure.attempt, failure.error.code, failure.retryInMs])).toEqual([[1, 'TRANSIENT', 1000], [2, 'PERMANENT', 0]]);
    expect(unbind?.error?.message).toBe('HTTP 403 forbidden');
    expect(unbind?.startedAt).toBe('2026-11-22T23:05:01.700Z');
    expect(report.finished).toMatchObject({ status: 'failed', failedStep: 'unbind' });
    expect(report.subjects).toEqual(['john@example.com']);
    expect(report.sessions).toEqual([{ session: 1, at: '2026-11-22T23:05:00.100Z', pid: process.pid, resumed: false }]);
    expect(report.output).toEqual({ user: 'john@example.com', groups_removed: 2 });
  });

  it('follows a resumed run: the failed step re-run in the second session succeeds', () => {
    const run = store.createRun(sampleNewRun());
    run.append({ type: 'run.started', at: '2026-11-22T23:05:00.000Z', runId: run.id, workflowId: 'offboard', session: 1, pid: 1 });
    run.append({ type: 'step.started', at: '2026-11-22T23:05:01.000Z', step: 'unbind', attempt: 1, phase: 'steps' });
    run.append({ type: 'step.finished', at: '2026-11-22T23:05:02.000Z', step: 'unbind', phase: 'steps', status: 'failed', attempts: 1, durationMs: 1000, error: { name: 'E', code: 'PERMANENT', message: 'no', retryable: false } });
    run.append({ type: 'run.finished', at: '2026-11-22T23:05:03.000Z', status: 'failed', failedStep: 'unbind' });
    run.append({ type: 'run.resumed', at: '2026-11-22T23:10:00.000Z', session: 2, pid: 2, templateChanged: true });
    run.append({ type: 'step.started', at: '2026-11-22T23:10:01.000Z', step: 'unbind', attempt: 1, phase: 'steps' });
    run.append({ type: 'step.finished', at: '2026-11-22T23:10:02.000Z', step: 'unbind', phase: 'steps', status: 'succeeded', changed: true, attempts: 1, durationMs: 900 });
    run.append({ type: 'run.finished', at: '2026-11-22T23:10:03.000Z', status: 'succeeded' });
    const report = buildRunReport(run.meta(), run.events());
    expect(report.steps).toHaveLength(1);
    expect(report.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, changed: true, durationMs: 900, startedAt: '2026-11-22T23:05:01.000Z', finishedAt: '2026-11-22T23:10:02.000Z' });
    expect(report.steps[0]?.error).toBeUndefined();
    expect(report.sessions.map((session) => [session.session, session.resumed, session.templateChanged])).toEqual([[1, false, undefined], [2, true, true]]);
    expect(report.finished?.status).toBe('succeeded');
    expect(formatRunReport(report)).toContain('(template file had changed; the pinned template was used)');
  });

  it('shows a step cut short by a killed process as interrupted', async () => {
    const run = store.createRun(sampleNewRun());
    run.append({ type: 'run.started', at: '2026-11-22T23:05:00.000Z', runId: run.id, workflowId: 'offboard', session: 1, pid: 1 });
    run.append({ type: 'step.started', at: '2026-11-22T23:05:01.000Z', step: 'unbind', attempt: 1, phase: 'steps' });
    expect(buildRunReport(run.meta(), run.events()).steps[0]?.status).toBe('running');
    run.updateMeta({ pid: await deadPid() });
    const report = buildRunReport(run.meta(), run.events());
    expect(report.meta.status).toBe('interrupted');
    expect(report.steps[0]?.status).toBe('interrupted');
    const text = formatRunReport(report);
    expect(text).toContain('1. unbind  interrupted (attempt 1 did not finish)');
    expect(text).toContain(`resume it with: idflow resume ${run.id}`);
  });
});

describe('formatRunReport', () => {
  it('shows the record and every step readably', () => {
    const run = recordFailedRun(store);
    const text = formatRunReport(buildRunReport(run.meta(), run.events(), run.output()));
    const lines = text.split('\n');
    expect(lines[0]).toBe(`Run ${run.id}  failed`);
    for (const expected of [
      '  Workflow      offboard (Offboard a user) v1',
      '  Subject       john@example.com',
      '  Initiated by  alice  (manual)',
      '  Reason        left the company',
      '  Child runs    20261122-2305-child1',
      '  Failed        at step unbind: HTTP 403 forbidden',
      '       found john@example.com',
      '       output: {"id":"64a0c0ffee","email":"john@example.com"}',
      '       items: 2 (2 succeeded, 0 failed)',
      '       [0] changed: remove group "G0" (member: true → false)',
      '  3. backup  skipped (if: false)',
      '       child run 20261122-2305-child1 (archive-mailbox)',
      '       attempt 1 failed: HTTP 503 Service Unavailable [TRANSIENT]  (retried after 1.0s)',
      '       error: HTTP 403 forbidden [PERMANENT]',
      'On failure',
      '       emailed it@example.com',
      'Returned data',
      '  {"user":"john@example.com","groups_removed":2}',
    ]) {
      expect(lines).toContain(expected);
    }
    expect(lines.find((line) => line.startsWith('  5. unbind'))).toMatch(/^ {2}5\. unbind {2}failed after 2 attempts {2}\d\d:\d\d:\d\d → \d\d:\d\d:\d\d {2}1\.2s$/);
    expect(lines.find((line) => line.startsWith('  2. remove_groups'))).toMatch(/succeeded, changed/);
    // The last attempt's failure is the step's error; it is not listed twice.
    expect(lines.filter((line) => line.includes('HTTP 403 forbidden [PERMANENT]'))).toHaveLength(1);
  });

  it('shows a change once when its write-ahead intent has an outcome, and an intent without one as such', () => {
    const run = store.createRun(sampleNewRun());
    const at = '2026-11-22T23:05:01.000Z';
    run.append({ type: 'step.started', at, step: 'remove_groups', attempt: 1, phase: 'steps' });
    const change = (target: string, result: 'started' | 'changed') => ({ type: 'step.change' as const, at, step: 'remove_groups', change: { target, operation: 'remove', result } });
    run.append(change('group "Sales"', 'started'));
    run.append(change('group "Sales"', 'changed'));
    run.append(change('group "Ops"', 'started'));
    const lines = formatRunReport(buildRunReport(run.meta(), run.events())).split('\n');
    expect(lines.filter((line) => line.includes('group "Sales"'))).toEqual(['         changed: remove group "Sales"']);
    expect(lines.filter((line) => line.includes('group "Ops"'))).toEqual(['         started, outcome not recorded: remove group "Ops"']);
  });

  it('cuts long output to a few lines and says how to see it all', () => {
    const run = store.createRun(sampleNewRun());
    const output = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`key${i}`, `value ${i}`]));
    run.append({ type: 'step.finished', at: '2026-11-22T23:05:02.000Z', step: 'big', phase: 'steps', status: 'succeeded', changed: false, attempts: 1, durationMs: 5, output });
    const text = formatRunReport(buildRunReport(run.meta(), run.events()));
    expect(text).toContain('… 24 more lines (--json shows everything)');
    expect(text).not.toContain('key29');
  });
});

describe('formatRunsTable', () => {
  it('lists id, workflow, subject, status, start and duration', () => {
    const failed = recordFailedRun(store);
    const running = store.createRun(sampleNewRun({ subject: undefined, workflow: { id: 'welcome', name: 'Welcome' } }));
    const now = Date.parse(running.meta().startedAt) + 65_000;
    const table = formatRunsTable(store.listRuns(), now).split('\n');
    expect(table).toHaveLength(3);
    expect(table[0]).toBe('ID                    WORKFLOW  SUBJECT           STATUS   STARTED              DURATION');
    const byId = (id: string): string => table.find((line) => line.startsWith(id)) ?? '';
    expect(byId(failed.id).split(/\s{2,}/)).toEqual([failed.id, 'offboard', 'john@example.com', 'failed', formatLocalTime(failed.meta().startedAt), '2.4s']);
    expect(byId(running.id).split(/\s{2,}/)).toEqual([running.id, 'welcome', '-', 'running', formatLocalTime(running.meta().startedAt), '1m 05s so far']);
    expect(formatRunsTable([])).toBe('No runs yet.');
  });
});
