import { describe, expect, it } from 'vitest';
import { startRun } from '../../../engine/runner/start-run.js';
import { resumeRun } from '../../../engine/runner/resume-run.js';
import { requestRunCancel } from '../../../engine/runner/cancel-run.js';
import { verifyAuditTrail } from '../../../engine/audit/verify-audit-trail.js';
import { buildRunReport } from '../../../engine/store/run-report.js';
import type { Workflow } from '../../../engine/language/types.js';
import { createTestServices } from './support/services.js';
import { step, workflow } from './support/workflow.js';
import { startRequest } from './support/request.js';

type Services = ReturnType<typeof createTestServices>;

function resume(services: Services, runId: string, wf: Workflow) {
  return resumeRun({ handle: services.store.openRun(runId), workflow: wf, templateChanged: false, signal: new AbortController().signal, console: services.console }, services);
}

/** Starts a run and cancels it (as `idflow runs cancel` would) once `test.clock.wait` is in flight. */
async function startAndCancelDuringWait(services: Services, wf: Workflow, by = 'alice (operator via password)', reason?: string) {
  let runId: string | undefined;
  services.world.onWait = () => {
    if (runId === undefined) throw new Error('the run record should exist before a step runs');
    const asked = requestRunCancel(services.store, runId, { by, ...(reason === undefined ? {} : { reason }) });
    expect(asked).toMatchObject({ runId, status: 'cancelling' });
  };
  const outcome = await startRun(startRequest(wf, services, { onRunCreated: (id) => { runId = id; } }), services);
  services.world.onWait = undefined;
  return outcome;
}

describe('cancelling a run', () => {
  it('lets the step in flight finish, stops before the next one, skips on_failure, and records who cancelled', async () => {
    const services = createTestServices();
    const wf = workflow(
      [step('slow', 'test.clock.wait', { with: { ms: 30 } }), step('after', 'test.value.echo', { with: { key: 'after' } })],
      { on_failure: [step('cleanup', 'test.value.echo', { with: { key: 'cleanup' } })] },
    );
    const outcome = await startAndCancelDuringWait(services, wf, 'alice (operator via password)', 'wrong user');
    expect(outcome.status).toBe('cancelled');
    expect(outcome.error?.message).toContain('cancelled by alice (operator via password): wrong user');
    // The step in flight was not cut: it finished and its output is journaled.
    expect(services.world.calls.get('wait:')).toBe(1);
    expect(services.world.calls.get('echo:after')).toBeUndefined();
    expect(services.world.calls.get('echo:cleanup')).toBeUndefined();
    const run = services.store.openRun(outcome.runId);
    expect(run.meta()).toMatchObject({ status: 'cancelled', error: 'cancelled by alice (operator via password): wrong user' });
    const events = run.events();
    expect(events.find((e) => e.type === 'step.finished' && e.step === 'slow')).toMatchObject({ status: 'succeeded', output: { waited: 30 } });
    expect(events.at(-1)).toMatchObject({ type: 'run.cancelled', by: 'alice (operator via password)', reason: 'wrong user' });
    const cancelEntry = run.audit.entries().find((e) => e.operation === 'run.cancel');
    expect(cancelEntry).toMatchObject({ result: 'info', after: { cancelled_by: 'alice (operator via password)' } });
    expect(cancelEntry?.note).toContain('stopped before step "after"');
    expect(verifyAuditTrail(run.dir).ok).toBe(true);
    expect(buildRunReport(run.meta(), events).cancellations).toEqual([expect.objectContaining({ by: 'alice (operator via password)', reason: 'wrong user' })]);
  });

  it('resumes a cancelled run from the step it stopped before, without repeating the finished ones', async () => {
    const services = createTestServices();
    const wf = workflow([step('slow', 'test.clock.wait', { with: { ms: 10 } }), step('after', 'test.value.echo', { with: { key: 'after', value: 'done' } })], { output: { after: '{{steps.after.output.value}}' } });
    const first = await startAndCancelDuringWait(services, wf);
    expect(first.status).toBe('cancelled');
    const resumed = await resume(services, first.runId, wf);
    expect(resumed).toMatchObject({ status: 'succeeded', output: { after: 'done' } });
    expect(services.world.calls.get('wait:')).toBe(1);
    expect(services.world.calls.get('echo:after')).toBe(1);
    // The request it stopped on is withdrawn by the resume.
    expect(services.store.openRun(first.runId).cancelRequest()).toBeUndefined();
  });

  it('stops a foreach step between items: the items started finish, the rest wait for a resume', async () => {
    const services = createTestServices();
    const wf = workflow([step('each', 'test.clock.wait', { foreach: ['a', 'b', 'c', 'd'], with: { ms: 5, key: '{{item}}' } })]);
    let runId: string | undefined;
    services.world.onWait = (key) => {
      if (key === 'b' && runId !== undefined) requestRunCancel(services.store, runId, { by: 'bob' });
    };
    const first = await startRun(startRequest(wf, services, { onRunCreated: (id) => { runId = id; } }), services);
    services.world.onWait = undefined;
    expect(first.status).toBe('cancelled');
    expect([...services.world.calls.keys()].sort()).toEqual(['wait:a', 'wait:b']);
    const resumed = await resume(services, first.runId, wf);
    expect(resumed.status).toBe('succeeded');
    expect([...services.world.calls.entries()].sort()).toEqual([['wait:a', 1], ['wait:b', 1], ['wait:c', 1], ['wait:d', 1]]);
  });

  it('ends a retry back-off at once when the cancel is asked in the same process, without another attempt', async () => {
    const services = createTestServices();
    const wf = workflow([step('flaky', 'test.flaky.call', { with: { key: 'f', failures: 5 }, retry: { attempts: 5, backoff: 'fixed', delayMs: 60_000, maxDelayMs: 60_000 } })]);
    let runId: string | undefined;
    const started = Date.now();
    const running = startRun(startRequest(wf, services, { onRunCreated: (id) => { runId = id; } }), services);
    // The first attempt fails at once; the run then waits a minute before the second.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runId).toBeDefined();
    requestRunCancel(services.store, runId as string, { by: 'carol' });
    const outcome = await running;
    expect(outcome.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(services.world.calls.get('flaky:f')).toBe(1);
  });

  it('refuses to cancel a run that is not running (RUN_NOT_RUNNING), and a run that does not exist', async () => {
    const services = createTestServices();
    const wf = workflow([step('one', 'test.value.echo')]);
    const done = await startRun(startRequest(wf, services), services);
    expect(() => requestRunCancel(services.store, done.runId, { by: 'dave' })).toThrow(expect.objectContaining({ code: 'RUN_NOT_RUNNING', message: expect.stringContaining('is succeeded') }));
    expect(() => requestRunCancel(services.store, '20990101-0000-zzzzzz', { by: 'dave' })).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
  });
});
