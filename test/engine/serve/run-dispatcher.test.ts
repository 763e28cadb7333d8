import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RunDispatcher, type JobContext } from '../../../engine/serve/run-dispatcher.js';
import { createServeLogger } from '../../../engine/serve/serve-logger.js';
import { Redactor } from '../../../engine/logging/redactor.js';
import { SubjectLockedError } from '../../../engine/errors/usage-errors.js';

const logger = createServeLogger(new Writable({ write: (_c, _e, cb) => cb() }), new Redactor());

/** A job whose run "exists" at once and ends when released (or at its next boundary once drained). */
function gatedJob(id: string, log: string[]) {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  return {
    release: () => release(),
    job: {
      label: id,
      async start(ctx: JobContext) {
        ctx.onRunCreated(`run-${id}`);
        log.push(`start ${id}`);
        await Promise.race([gate, new Promise<void>((r) => ctx.drain.addEventListener('abort', () => r(), { once: true }))]);
        log.push(`end ${id}${ctx.drain.aborted ? ' (drained)' : ''}`);
      },
    },
  };
}

describe('RunDispatcher', () => {
  it('runs at most `concurrency` jobs at once and starts queued ones in order', async () => {
    const log: string[] = [];
    const dispatcher = new RunDispatcher(2, logger);
    const jobs = ['a', 'b', 'c', 'd'].map((id) => gatedJob(id, log));
    const submissions = jobs.map((j) => dispatcher.submit(j.job));
    expect(submissions.map((s) => s.queued)).toEqual([false, false, true, true]);
    expect(await submissions[0]?.started).toEqual({ kind: 'started', runId: 'run-a' });
    expect(dispatcher.running).toBe(2);
    expect(dispatcher.waiting).toBe(2);
    jobs[1]?.release();
    expect(await submissions[2]?.started).toEqual({ kind: 'started', runId: 'run-c' });
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    for (const j of jobs) j.release();
    await Promise.all(submissions.map((s) => s.done));
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a', 'start b', 'start c', 'start d']);
    expect(dispatcher.running).toBe(0);
  });

  it('reports a job that ended before its run existed as refused, with the error', async () => {
    const dispatcher = new RunDispatcher(1, logger);
    const submission = dispatcher.submit({ label: 'locked', start: async () => { throw new SubjectLockedError('jane@x.com', 'run-other'); } });
    const start = await submission.started;
    expect(start.kind).toBe('refused');
    expect(start.kind === 'refused' ? start.error.code : '').toBe('SUBJECT_LOCKED');
  });

  it('on shutdown drops the queue, drains the jobs in flight, and refuses new ones', async () => {
    const log: string[] = [];
    const dispatcher = new RunDispatcher(1, logger);
    const a = gatedJob('a', log);
    const b = gatedJob('b', log);
    const first = dispatcher.submit(a.job);
    const second = dispatcher.submit(b.job);
    await first.started;
    const result = await dispatcher.shutdown(5_000);
    expect(result).toEqual({ dropped: 1, cancelled: 0 });
    expect(await second.started).toEqual({ kind: 'dropped' });
    expect(log).toEqual(['start a', 'end a (drained)']);
    expect(await dispatcher.submit(gatedJob('c', log).job).started).toEqual({ kind: 'dropped' });
  });

  it('cancels steps that do not reach a boundary within the grace period', async () => {
    const dispatcher = new RunDispatcher(1, logger);
    let sawSignal = false;
    const submission = dispatcher.submit({
      label: 'stubborn',
      async start(ctx) {
        ctx.onRunCreated('run-x');
        await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => { sawSignal = true; r(); }, { once: true }));
      },
    });
    await submission.started;
    expect(await dispatcher.shutdown(20)).toEqual({ dropped: 0, cancelled: 1 });
    expect(sawSignal).toBe(true);
  });
});
