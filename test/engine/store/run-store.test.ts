import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AmbiguousError } from '../../../engine/errors/action-errors.js';
import { RunNotFoundError, RunRecordChangedError, UsageError } from '../../../engine/errors/usage-errors.js';
import type { JournalEvent } from '../../../engine/store/journal-events.js';
import { RunHandle, RunStore, resolveStoreRoot, type NewRun } from '../../../engine/store/run-store.js';
import { deadPid, startChild } from './child-process-helpers.js';
import { sampleNewRun } from './run-fixture.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'idflow-store-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const TEMPLATE = 'id: offboard\nname: Offboard a user\nsteps:\n  - id: hello\n    action: log\n    with: { message: hi }\n';

function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return sampleNewRun({ templateText: TEMPLATE, templateHash: 'a'.repeat(64), inputs: { user: 'john@example.com' }, ...overrides });
}

const at = (): string => new Date().toISOString();
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('the pinned template and recorded inputs', () => {
  it('are each run\'s own copy, written 0600, not one file linked into every run of the template', () => {
    const store = new RunStore(root);
    const first = store.createRun(newRun());
    const second = store.createRun(newRun());
    for (const name of ['template.yaml', 'inputs.json']) {
      const [a, b] = [statSync(join(first.dir, name)), statSync(join(second.dir, name))];
      expect(a.ino, name).not.toBe(b.ino);
      expect(a.nlink, name).toBe(1);
      expect(a.mode & 0o777, name).toBe(0o600);
    }
  });

  it('record the hash of each run\'s own template text, when a store pins one template for many runs and then others', () => {
    const store = new RunStore(root);
    const texts = [TEMPLATE, TEMPLATE, `${TEMPLATE}# edited\n`, ...Array.from({ length: 20 }, (_, i) => `${TEMPLATE}# ${i}\n`), TEMPLATE, `${TEMPLATE}# edited\n`];
    for (const text of texts) {
      const run = store.createRun(newRun({ templateText: text }));
      expect(run.meta().pinned?.template).toBe(sha256(text));
      expect(readFileSync(join(run.dir, 'template.yaml'), 'utf8')).toBe(text);
      expect(run.templateText()).toBe(text);
      run.close();
    }
  });

  it('a store made by an older version, or under a loose umask, is made private on the first run', () => {
    mkdirSync(join(root, 'runs'), { recursive: true });
    chmodSync(root, 0o755);
    chmodSync(join(root, 'runs'), 0o777);
    const run = new RunStore(root).createRun(newRun());
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'runs')).mode & 0o777).toBe(0o700);
    expect(statSync(run.dir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(run.dir)) expect(statSync(join(run.dir, name)).mode & 0o777, name).toBe(0o600);
  });

  it('are refused when read back after an edit, with the file named, from a handle opened later too', () => {
    const store = new RunStore(root);
    const run = store.createRun(newRun());
    const template = join(run.dir, 'template.yaml');
    writeFileSync(template, TEMPLATE.replace('message: hi', 'message: injected'));
    for (const handle of [run, store.openRun(run.id)]) {
      expect(() => handle.templateText()).toThrow(RunRecordChangedError);
      expect(() => handle.templateText()).toThrow(`Run ${run.id}: ${template} changed since the run started`);
      // The inputs come with their template: one is not used without the other being checked.
      expect(() => handle.inputs()).toThrow(RunRecordChangedError);
    }
    writeFileSync(template, TEMPLATE);
    expect(store.openRun(run.id).templateText()).toBe(TEMPLATE);

    const inputs = join(run.dir, 'inputs.json');
    const recorded = readFileSync(inputs, 'utf8');
    writeFileSync(inputs, recorded.replace('john@example.com', 'admin@example.com'));
    let caught: unknown;
    try {
      store.openRun(run.id).inputs();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RunRecordChangedError);
    expect(caught).toMatchObject({ code: 'RUN_RECORD_CHANGED', details: { runId: run.id, file: inputs, actualHash: sha256(recorded.replace('john@example.com', 'admin@example.com')) } });
  });

  it('of a run recorded before the hashes were kept are read as they are', () => {
    const store = new RunStore(root);
    const run = store.createRun(newRun());
    const { pinned: _dropped, ...older } = JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(run.dir, 'run.json'), JSON.stringify(older));
    writeFileSync(join(run.dir, 'template.yaml'), `${TEMPLATE}# edited\n`);
    expect(store.openRun(run.id).templateText()).toBe(`${TEMPLATE}# edited\n`);
  });
});

describe('RunStore.createRun / openRun', () => {
  it('creates a run folder with the pinned template, inputs, record, journal and audit trail', () => {
    const store = new RunStore(root);
    const run = store.createRun(newRun());
    expect(run.id).toMatch(/^\d{8}-\d{4}-[a-z0-9]{6}$/);
    expect(run.dir).toBe(join(root, 'runs', run.id));
    expect(run.logFile).toBe(join(run.dir, 'log.jsonl'));
    expect(readdirSync(run.dir).sort()).toEqual(['audit.head.json', 'audit.jsonl', 'inputs.json', 'journal.jsonl', 'run.json', 'template.yaml']);
    expect(run.templateText()).toBe(TEMPLATE);
    expect(run.inputs()).toEqual({ user: 'john@example.com' });
    expect(run.meta()).toEqual({
      id: run.id,
      workflow: { id: 'offboard', name: 'Offboard a user', version: '1' },
      templatePath: '/templates/offboard.yaml',
      templateHash: 'a'.repeat(64),
      pinned: { template: sha256(TEMPLATE), inputs: sha256(readFileSync(join(run.dir, 'inputs.json'), 'utf8')) },
      subject: 'john@example.com',
      status: 'running',
      startedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) as unknown as string,
      initiatedBy: 'alice',
      reason: 'left the company',
      trigger: { type: 'manual' },
      childRunIds: [],
      pid: process.pid,
      hostname: hostname(),
      sandbox: true,
    });
    expect(run.events()).toEqual([]);
    expect(run.output()).toBeUndefined();
    expect(run.audit.entries()).toEqual([]);

    const again = store.openRun(run.id);
    expect(again.meta()).toEqual(run.meta());
  });

  it('gives every run a unique id whose time part sorts by start time', () => {
    const store = new RunStore(root);
    const ids = Array.from({ length: 40 }, () => store.createRun(newRun()).id);
    expect(new Set(ids).size).toBe(40);
    const listed = store.listRuns();
    expect(listed).toHaveLength(40);
    for (let i = 1; i < listed.length; i++) {
      const [newer, older] = [listed[i - 1], listed[i]];
      expect(newer!.startedAt >= older!.startedAt).toBe(true);
      expect(newer!.id.slice(0, 13) >= older!.id.slice(0, 13)).toBe(true);
      // The id's time part is the start minute, in UTC.
      expect(older!.id.slice(0, 13)).toBe(older!.startedAt.slice(0, 16).replace(/[-:]/g, '').replace('T', '-'));
    }
  });

  it('opens a run by a unique prefix, and says clearly when none or several match', () => {
    const store = new RunStore(root);
    const run = store.createRun(newRun());
    expect(store.openRun(run.id.slice(0, 17)).id).toBe(run.id);
    expect(() => store.openRun('19990101')).toThrow(RunNotFoundError);
    expect(() => store.openRun('../../etc/passwd')).toThrow(RunNotFoundError);
    // Two runs started in the same minute share the id's time part.
    for (const id of ['20260101-0900-aaaaa1', '20260101-0900-aaaaa2']) {
      mkdirSync(join(root, 'runs', id));
      writeFileSync(join(root, 'runs', id, 'run.json'), readFileSync(join(run.dir, 'run.json')));
    }
    let thrown: unknown;
    try {
      store.openRun('20260101-0900');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AmbiguousError);
    expect((thrown as AmbiguousError).message).toBe('Run id "20260101-0900" matches 2 runs; give more of the id: 20260101-0900-aaaaa2, 20260101-0900-aaaaa1');
    expect(store.openRun('20260101-0900-aaaaa2').id).toBe('20260101-0900-aaaaa2');
    expect(() => store.openRun('')).toThrow(RunNotFoundError);
  });

  it('uses an id and start time chosen beforehand, and refuses an id already used', () => {
    const store = new RunStore(root);
    const run = store.createRun(newRun(), { id: '20261122-2305-k3x9p2', startedAt: '2026-11-22T23:05:12.345Z' });
    expect(run.id).toBe('20261122-2305-k3x9p2');
    expect(run.meta().startedAt).toBe('2026-11-22T23:05:12.345Z');
    expect(() => store.createRun(newRun(), { id: '20261122-2305-k3x9p2' })).toThrow('Cannot create run 20261122-2305-k3x9p2: a run with that id already exists');
    expect(() => store.createRun(newRun(), { id: '../escape' })).toThrow(/is not a run id/);
    expect(() => store.createRun(newRun(), { startedAt: 'soon' })).toThrow(/is not an ISO-8601 time/);
  });

  it('leaves no run folder behind when the run cannot be created (no file descriptor left, say)', () => {
    const store = new RunStore(root);
    const kept = store.createRun(newRun());
    const real = RunHandle.prototype.writeMeta;
    const spy = vi.spyOn(RunHandle.prototype, 'writeMeta').mockImplementation(function (this: RunHandle) {
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    });
    try {
      expect(() => store.createRun(newRun())).toThrow(/EMFILE/);
    } finally {
      spy.mockRestore();
    }
    expect(RunHandle.prototype.writeMeta).toBe(real);
    expect(readdirSync(join(root, 'runs'))).toEqual([kept.id]);
    expect(store.listRuns().map((meta) => meta.id)).toEqual([kept.id]);
  });

  it('refuses an incomplete run description with every problem named', () => {
    const store = new RunStore(root);
    expect(() => store.createRun({ ...newRun(), workflow: { id: '', name: 'x' }, initiatedBy: '' })).toThrow(/workflow\.id is missing; initiatedBy is missing/);
  });
});

describe('RunHandle journal', () => {
  const started: JournalEvent = { type: 'run.started', at: at(), runId: 'x', workflowId: 'offboard', session: 1, pid: process.pid };
  const stepStarted: JournalEvent = { type: 'step.started', at: at(), step: 'hello', attempt: 1, phase: 'steps' };
  const stepFinished: JournalEvent = { type: 'step.finished', at: at(), step: 'hello', phase: 'steps', status: 'succeeded', changed: false, attempts: 1, durationMs: 3, output: { message: 'hi' } };

  it('round-trips events, one line each, written before append returns', () => {
    const run = new RunStore(root).createRun(newRun());
    run.append(started);
    // Visible to another reader at once (written through, not buffered).
    expect(readFileSync(join(run.dir, 'journal.jsonl'), 'utf8').split('\n')).toHaveLength(2);
    run.append(stepStarted);
    run.append(stepFinished);
    expect(new RunStore(root).openRun(run.id).events()).toEqual([started, stepStarted, stepFinished]);
  });

  it('drops a torn last line (a kill mid-write) and repairs the file on the next append', () => {
    const store = new RunStore(root);
    const run = store.createRun(newRun());
    run.append(started);
    run.append(stepStarted);
    appendFileSync(join(run.dir, 'journal.jsonl'), '{"type":"step.finished","at":"2026-');
    const reopened = store.openRun(run.id);
    expect(reopened.events()).toEqual([started, stepStarted]);
    reopened.append(stepFinished);
    expect(reopened.events()).toEqual([started, stepStarted, stepFinished]);
    expect(readFileSync(join(run.dir, 'journal.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('keeps a complete last line that only lacks its newline', () => {
    const store = new RunStore(root);
    const run = store.createRun(newRun());
    appendFileSync(join(run.dir, 'journal.jsonl'), JSON.stringify(started));
    const reopened = store.openRun(run.id);
    expect(reopened.events()).toEqual([started]);
    reopened.append(stepStarted);
    expect(reopened.events()).toEqual([started, stepStarted]);
  });

  it('refuses a journal damaged in the middle, naming the line', () => {
    const run = new RunStore(root).createRun(newRun());
    run.append(started);
    appendFileSync(join(run.dir, 'journal.jsonl'), 'garbage\n');
    run.append(stepStarted);
    expect(() => run.events()).toThrow(/line 2 is not valid JSON/);
  });

  it('round-trips the returned data, null included', () => {
    const run = new RunStore(root).createRun(newRun());
    run.writeOutput({ removed: 5, groups: ['a', 'b'] });
    expect(run.output()).toEqual({ removed: 5, groups: ['a', 'b'] });
    run.writeOutput(null);
    expect(run.output()).toBeNull();
  });
});

describe('durability fsync', () => {
  it('writes the same records, flushed to disk', () => {
    const store = new RunStore(root, { durability: 'fsync' });
    const run = store.createRun(newRun());
    const event: JournalEvent = { type: 'run.started', at: at(), runId: run.id, workflowId: 'offboard', session: 1, pid: process.pid };
    run.append(event);
    run.updateMeta({ status: 'succeeded' });
    run.writeOutput({ ok: true });
    run.audit.append({ operation: 'note', target: 'run', result: 'info' });
    const reopened = new RunStore(root).openRun(run.id);
    expect(reopened.events()).toEqual([event]);
    expect(reopened.meta().status).toBe('succeeded');
    expect(reopened.output()).toEqual({ ok: true });
    expect(reopened.audit.entries()).toHaveLength(1);
  });
});

describe('RunHandle.updateMeta', () => {
  it('merges the patch and keeps the id', () => {
    const run = new RunStore(root).createRun(newRun());
    run.updateMeta({ status: 'failed', failedStep: 'hello', error: 'boom', id: 'other' } as never);
    expect(run.meta()).toMatchObject({ id: run.id, status: 'failed', failedStep: 'hello', error: 'boom', subject: 'john@example.com' });
    expect(readdirSync(run.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('is atomic: a reader never sees a partial record while another process rewrites it', async () => {
    const run = new RunStore(root).createRun(newRun());
    const writer = startChild('meta-writer-child.mjs', [root, run.id, '250']);
    const file = join(run.dir, 'run.json');
    let reads = 0;
    let finished = false;
    void writer.exited.then(() => (finished = true));
    while (!finished) {
      const text = readFileSync(file, 'utf8');
      const meta = JSON.parse(text) as { id: string };
      expect(meta.id).toBe(run.id);
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await writer.exited).toBe(0);
    expect(reads).toBeGreaterThan(10);
    expect(run.meta().error).toMatch(/^update 249 /);
    expect(readdirSync(run.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('status computation', () => {
  it('shows a running run whose process died as interrupted', async () => {
    const store = new RunStore(root);
    const run = store.createRun(newRun());
    expect(run.meta().status).toBe('running');
    run.updateMeta({ pid: await deadPid() });
    expect(run.meta().status).toBe('interrupted');
    expect(store.listRuns({ status: 'interrupted' }).map((meta) => meta.id)).toEqual([run.id]);
    // A finished run keeps its status whatever its pid.
    run.updateMeta({ status: 'succeeded' });
    expect(run.meta().status).toBe('succeeded');
  });

  it('trusts another host\'s running run until it has been silent for a day', () => {
    const store = new RunStore(root);
    const run = store.createRun(newRun());
    run.updateMeta({ hostname: `elsewhere-${hostname()}`, pid: 1 });
    expect(run.meta().status).toBe('running');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    for (const name of ['journal.jsonl', 'run.json']) utimesSync(join(run.dir, name), twoDaysAgo, twoDaysAgo);
    expect(run.meta().status).toBe('interrupted');
  });
});

describe('RunStore.listRuns', () => {
  it('lists newest first with filters and a limit, skipping folders without a record', () => {
    const store = new RunStore(root);
    const a = store.createRun(newRun());
    const b = store.createRun(newRun({ workflow: { id: 'welcome', name: 'Welcome' } }));
    const c = store.createRun(newRun());
    a.updateMeta({ status: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z' });
    b.updateMeta({ status: 'failed', startedAt: '2026-01-02T00:00:00.000Z' });
    c.updateMeta({ status: 'succeeded', startedAt: '2026-01-03T00:00:00.000Z' });
    mkdirSync(join(root, 'runs', '20260101-0000-nometa'));
    expect(store.listRuns().map((meta) => meta.id)).toEqual([c.id, b.id, a.id]);
    expect(store.listRuns({ workflow: 'offboard' }).map((meta) => meta.id)).toEqual([c.id, a.id]);
    expect(store.listRuns({ status: 'failed' }).map((meta) => meta.id)).toEqual([b.id]);
    expect(store.listRuns({ limit: 2 }).map((meta) => meta.id)).toEqual([c.id, b.id]);
    expect(() => store.listRuns({ limit: 0 })).toThrow(UsageError);
  });

  it('reports a run whose record is unreadable and lists the others', () => {
    const store = new RunStore(root);
    const good = store.createRun(newRun());
    const bad = store.createRun(newRun());
    writeFileSync(join(bad.dir, 'run.json'), '{ not json');
    const unreadable: string[] = [];
    expect(store.listRuns({ onUnreadable: (id, error) => unreadable.push(`${id}: ${error.message}`) }).map((meta) => meta.id)).toEqual([good.id]);
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toContain(bad.id);
    expect(unreadable[0]).toContain('not valid JSON');
  });

  it('is empty for a store that does not exist yet', () => {
    expect(new RunStore(join(root, 'nothing-here')).listRuns()).toEqual([]);
  });
});

describe('RunStore folders', () => {
  it('creates the outbox and locks folders on demand', () => {
    const store = new RunStore(root);
    expect(store.outboxDir()).toBe(join(root, 'outbox'));
    expect(store.locksDir()).toBe(join(root, 'locks'));
    expect(readdirSync(root).sort()).toEqual(['locks', 'outbox']);
  });
});

describe('resolveStoreRoot', () => {
  it('prefers IDFLOW_HOME, then the config, then .idflow in the working directory', () => {
    expect(resolveStoreRoot({ cwd: '/work', env: { IDFLOW_HOME: '/srv/idflow' }, configStore: '/etc/store' })).toBe('/srv/idflow');
    expect(resolveStoreRoot({ cwd: '/work', env: { IDFLOW_HOME: 'rel' } })).toBe('/work/rel');
    expect(resolveStoreRoot({ cwd: '/work', env: { IDFLOW_HOME: '' }, configStore: '/etc/store' })).toBe('/etc/store');
    expect(resolveStoreRoot({ cwd: '/work', env: {}, configStore: 'data' })).toBe('/work/data');
    expect(resolveStoreRoot({ cwd: '/work', env: {} })).toBe('/work/.idflow');
  });
});
