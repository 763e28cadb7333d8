import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startRun } from '../../../engine/runner/start-run.js';
import type { RunServices } from '../../../engine/runner/run-services.js';
import { verifyAuditTrail } from '../../../engine/audit/verify-audit-trail.js';
import { SubjectLockedError } from '../../../engine/errors/index.js';
import type { JournalEvent } from '../../../engine/store/journal-events.js';
import { createTestServices } from './support/services.js';
import { step, workflow } from './support/workflow.js';
import { startRequest } from './support/request.js';

const request = startRequest;

function journal(services: RunServices, runId: string): JournalEvent[] {
  return services.store.openRun(runId).events();
}

function finished(events: JournalEvent[], stepId: string) {
  return events.filter((e): e is Extract<JournalEvent, { type: 'step.finished' }> => e.type === 'step.finished' && e.step === stepId && e.item === undefined);
}

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('startRun', () => {
  it('runs steps in order, passes outputs along with their types, and returns the output', async () => {
    const services = createTestServices();
    const wf = workflow(
      [
        step('first', 'test.value.echo', { with: { value: [1, 2, 3], key: 'a' } }),
        step('second', 'test.typed.take', { with: { count: '{{length steps.first.output.value}}', names: ['x', '{{inputs.who}}'] } }),
      ],
      {
        inputs: { who: { type: 'string', required: true } },
        output: { total: '{{steps.second.output.count}}', names: '{{steps.second.output.names}}', mode: '{{steps.second.output.mode}}', text: 'by {{run.initiated_by}}', changed: '{{steps.first.changed}}' },
      },
    );
    const outcome = await startRun(request(wf, services, { inputs: { who: 'jane' } }), services);
    expect(outcome.status).toBe('succeeded');
    expect(outcome.output).toEqual({ total: 3, names: ['x', 'jane'], mode: 'fast', text: 'by tester', changed: false });
    const run = services.store.openRun(outcome.runId);
    expect(run.meta().status).toBe('succeeded');
    expect(run.output()).toEqual(outcome.output);
    const types = run.events().map((e) => `${e.type}${'step' in e ? `:${e.step}` : ''}`);
    expect(types).toEqual(['run.started', 'step.started:first', 'step.finished:first', 'step.started:second', 'step.finished:second', 'run.finished']);
    expect(verifyAuditTrail(run.dir).ok).toBe(true);
  });

  it('records a step whose if is false as skipped, and later steps see its status', async () => {
    const services = createTestServices();
    const wf = workflow([
      step('maybe', 'test.value.echo', { if: { '==': [{ var: 'inputs.go' }, true] }, with: { value: 1 } }),
      step('after', 'test.value.echo', { with: { value: '{{steps.maybe.status}}' } }),
    ], { inputs: { go: { type: 'boolean', default: false } } });
    const outcome = await startRun(request(wf, services, { inputs: { go: false } }), services);
    expect(outcome.status).toBe('succeeded');
    const events = journal(services, outcome.runId);
    expect(finished(events, 'maybe')[0]).toMatchObject({ status: 'skipped', reason: 'if: false', attempts: 0 });
    expect(finished(events, 'after')[0]?.output).toEqual({ value: 'skipped' });
    expect(services.consoleText()).toContain('skipped (if: false)');
  });

  it('retries transient errors with backoff and reports every attempt', async () => {
    const services = createTestServices();
    const wf = workflow([step('call', 'test.flaky.call', { with: { key: 'k', failures: 2 }, retry: { attempts: 3, backoff: 'exponential', delayMs: 100, maxDelayMs: 1000 } })]);
    const outcome = await startRun(request(wf, services), services);
    expect(outcome.status).toBe('succeeded');
    const events = journal(services, outcome.runId);
    expect(events.filter((e) => e.type === 'step.attempt_failed').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(finished(events, 'call')[0]).toMatchObject({ status: 'succeeded', attempts: 3, output: { calls: 3 } });
  });

  it('honours Retry-After even when it is longer than the backoff', async () => {
    const services = createTestServices();
    const wf = workflow([step('call', 'test.flaky.call', { with: { key: 'r', failures: 1, retry_after_ms: 300 } })]);
    const started = Date.now();
    const outcome = await startRun(request(wf, services), services);
    expect(outcome.status).toBe('succeeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const failure = journal(services, outcome.runId).find((e) => e.type === 'step.attempt_failed');
    expect(failure).toMatchObject({ retryInMs: 300 });
  });

  it('gives up after the attempts of the policy and fails the run with the transient error', async () => {
    const services = createTestServices();
    const wf = workflow([step('call', 'test.flaky.call', { with: { key: 'never', failures: 99 }, retry: { attempts: 2, backoff: 'fixed', delayMs: 10, maxDelayMs: 10 } })]);
    const outcome = await startRun(request(wf, services), services);
    expect(outcome).toMatchObject({ status: 'failed', failedStep: 'call' });
    expect(outcome.error?.code).toBe('TRANSIENT');
    expect(services.world.calls.get('flaky:never')).toBe(2);
  });

  it('fails at once on a permanent error, runs on_failure, and records which steps completed', async () => {
    const services = createTestServices();
    services.world.gateClosed = true;
    const wf = workflow(
      [step('one', 'test.value.echo', { with: { value: 1 } }), step('gate', 'test.gate.pass'), step('never', 'test.value.echo', { with: { key: 'never' } })],
      { on_failure: [step('cleanup', 'test.value.echo', { with: { value: '{{steps.gate.status}}', key: 'cleanup' } })] },
    );
    const outcome = await startRun(request(wf, services), services);
    expect(outcome).toMatchObject({ status: 'failed', failedStep: 'gate' });
    expect(outcome.error?.message).toContain('403 Forbidden');
    expect(services.world.calls.get('gate:')).toBe(1);
    expect(services.world.calls.get('echo:never')).toBeUndefined();
    expect(services.world.calls.get('echo:cleanup')).toBe(1);
    const events = journal(services, outcome.runId);
    expect(finished(events, 'one')[0]?.status).toBe('succeeded');
    expect(finished(events, 'gate')[0]).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'PERMANENT' } });
    expect(finished(events, 'cleanup')[0]).toMatchObject({ phase: 'on_failure', status: 'succeeded', output: { value: 'failed' } });
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed', failedStep: 'gate' });
    expect(services.store.openRun(outcome.runId).meta()).toMatchObject({ status: 'failed', failedStep: 'gate' });
  });

  it('goes on past a failed step with continue_on_error', async () => {
    const services = createTestServices();
    services.world.gateClosed = true;
    const wf = workflow([step('gate', 'test.gate.pass', { continue_on_error: true }), step('next', 'test.value.echo', { with: { value: '{{steps.gate.status}}' } })], { output: { gate: '{{steps.gate.status}}' } });
    const outcome = await startRun(request(wf, services), services);
    expect(outcome).toMatchObject({ status: 'succeeded', output: { gate: 'failed' } });
  });

  it('times out a step whose action ignores its signal, and retries it as transient', async () => {
    const services = createTestServices();
    const wf = workflow([step('slow', 'test.clock.wait', { with: { ms: 5000, honour_signal: false }, timeoutMs: 50, retry: { attempts: 2, backoff: 'fixed', delayMs: 10, maxDelayMs: 10 } })]);
    const started = Date.now();
    const outcome = await startRun(request(wf, services), services);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('TIMEOUT');
    expect(outcome.error?.message).toBe('Step "slow" timed out after 50ms');
    expect(services.world.calls.get('wait:')).toBe(2);
  });

  it('stops the work a failed attempt left in flight before the next attempt starts', async () => {
    const services = createTestServices();
    const wf = workflow([step('fan', 'test.fanout.fail', { retry: { attempts: 2, backoff: 'fixed', delayMs: 10, maxDelayMs: 10 } })]);
    const outcome = await startRun(request(wf, services), services);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toContain('503 Service Unavailable');
    expect(services.world.calls.get('fanout')).toBe(2);
    // Each attempt's slow call was stopped with the attempt's failure, not left to run for 5 s.
    expect(services.world.leftoversStopped).toEqual(['503 Service Unavailable', '503 Service Unavailable']);
  });

  it('runs foreach items under the concurrency cap and reports item failures per item', async () => {
    const services = createTestServices();
    const wf = workflow([
      step('each', 'test.clock.wait', { foreach: '{{inputs.delays}}', concurrency: 2, with: { ms: '{{item}}', key: 'each' } }),
      step('keys', 'test.gate.pass', { foreach: ['a', 'b', 'c'], with: { key: '{{item}}-{{index}}' } }),
    ], { inputs: { delays: { type: 'array' } }, output: { each: '{{steps.each.output}}' } });
    const outcome = await startRun(request(wf, services, { inputs: { delays: [30, 10, 20, 5, 15] } }), services);
    expect(outcome.status).toBe('succeeded');
    expect(services.world.maxInFlight).toBe(2);
    expect(outcome.output).toEqual({ each: [30, 10, 20, 5, 15].map((ms) => ({ waited: ms })) });
    expect(services.world.calls.get('gate:b-1')).toBe(1);

    const failing = createTestServices();
    failing.world.gateClosed = true;
    const wf2 = workflow([step('keys', 'test.gate.pass', { foreach: ['a', 'b'], with: { key: '{{item}}' } })]);
    const failed = await startRun(request(wf2, failing), failing);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toBe('Step "keys": 2 of 2 items failed (items 0, 1); first error: 403 Forbidden: the gate is closed');
    const items = journal(failing, failed.runId).filter((e) => e.type === 'step.finished' && e.item !== undefined);
    expect(items.map((e) => (e as { status: string }).status)).toEqual(['failed', 'failed']);
  });

  it('hands a retried step the changes its earlier attempt made, so counts cover the whole step', async () => {
    const services = createTestServices();
    for (const g of ['a', 'b', 'c', 'd', 'e']) services.world.groups.add(g);
    const wf = workflow([step('groups', 'test.groups.remove', { with: { crash_after: 2 } })], { output: { removed: '{{steps.groups.output.removed}}' } });
    const outcome = await startRun(request(wf, services), services);
    expect(outcome).toMatchObject({ status: 'succeeded', output: { removed: 5 } });
    const run = services.store.openRun(outcome.runId);
    expect(run.events().filter((e) => e.type === 'step.change')).toHaveLength(5);
    const audit = run.audit.entries().filter((e) => e.operation === 'remove');
    expect(audit.map((e) => e.target)).toEqual(['group a', 'group b', 'group c', 'group d', 'group e']);
    expect(audit.every((e) => e.result === 'changed' && e.before === 'member' && e.after === 'not a member')).toBe(true);
  });

  it('skips the whole run when the workflow "when" is false', async () => {
    const services = createTestServices();
    const wf = workflow([step('one', 'test.value.echo')], { when: { '==': [{ var: 'vars.enabled' }, true] }, vars: { enabled: { type: 'boolean', default: false } } });
    const outcome = await startRun(request(wf, services, { vars: { enabled: false } }), services);
    expect(outcome.status).toBe('skipped');
    expect(services.world.calls.size).toBe(0);
    expect(services.store.openRun(outcome.runId).meta().status).toBe('skipped');
  });

  it('fails a step whose rendered parameters (from an earlier step\'s output) do not fit the action, naming the parameter', async () => {
    const services = createTestServices();
    const wf = workflow([
      step('source', 'test.value.echo', { with: { value: 'seven' } }),
      step('bad', 'test.typed.take', { with: { count: '{{steps.source.output.value}}' } }),
    ]);
    const outcome = await startRun(request(wf, services), services);
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('INVALID_PARAMS');
    expect(outcome.error?.message).toBe('steps.bad: the parameters for "test.typed.take" are invalid after rendering: "count" must be integer, got the string "seven"');
    expect(services.world.calls.get('typed')).toBeUndefined();
  });

  it('refuses, before any step and without a run record, a parameter from the inputs that does not fit the action', async () => {
    const services = createTestServices();
    const wf = workflow([
      step('first', 'test.value.echo', { with: { value: 'x', key: 'first' } }),
      step('bad', 'test.typed.take', { with: { count: '{{inputs.n}}' } }),
    ], { inputs: { n: { type: 'string' } } });
    await expect(startRun(request(wf, services, { inputs: { n: 'seven' } }), services)).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      problems: [{ path: '/steps/1/with/count', code: 'invalid-param', message: 'step "bad" (test.typed.take): parameter "count" must be integer, got the string "seven"' }],
    });
    expect(services.world.calls.get('echo:first')).toBeUndefined();
    expect(services.store.listRuns()).toEqual([]);
  });

  it('refuses a second active run for the same subject and leaves no record of it', async () => {
    const services = createTestServices();
    const wf = workflow([step('wait', 'test.clock.wait', { with: { ms: 300 } })], { subject: '{{inputs.user}}', inputs: { user: { type: 'string' } } });
    const waiting = new Promise<void>((resolve) => { services.world.onWait = () => resolve(); });
    const first = startRun(request(wf, services, { inputs: { user: 'John.Smith@company.com' } }), services);
    await waiting;
    await expect(startRun(request(wf, services, { inputs: { user: 'john.smith@company.com' } }), services)).rejects.toBeInstanceOf(SubjectLockedError);
    expect((await first).status).toBe('succeeded');
    expect(services.store.listRuns()).toHaveLength(1);
    // Released at the end: a later run for the subject may start.
    expect((await startRun(request(wf, services, { inputs: { user: 'john.smith@company.com' } }), services)).status).toBe('succeeded');
  });

  it('stops cleanly when interrupted, without marking the interrupted step finished', async () => {
    const services = createTestServices();
    const controller = new AbortController();
    const wf = workflow([step('one', 'test.value.echo', { with: { value: 1 } }), step('slow', 'test.clock.wait', { with: { ms: 10_000 } }), step('three', 'test.value.echo')]);
    services.world.onWait = () => controller.abort(new (class extends Error { override name = 'AbortError'; })('Interrupted by SIGINT'));
    const outcome = await startRun(request(wf, services, { signal: controller.signal }), services);
    expect(outcome.status).toBe('interrupted');
    const events = journal(services, outcome.runId);
    expect(finished(events, 'slow')).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: 'run.interrupted' });
    expect(services.store.openRun(outcome.runId).meta().status).toBe('interrupted');
  });

  it('never writes a secret input or a secret read through {{secret}} anywhere in the run folder', async () => {
    const services = createTestServices({ secrets: { API_TOKEN: 'tok-9f8e7d6c5b4a' } });
    const wf = workflow([
      step('use', 'test.value.echo', { with: { value: 'Bearer {{secret "API_TOKEN"}} / {{inputs.password}}' } }),
    ], { inputs: { password: { type: 'string', secret: true } }, output: { echoed: '{{steps.use.output.value}}' } });
    const outcome = await startRun(request(wf, services, { inputs: { password: 'hunter2-correct-horse' } }), services);
    expect(outcome.status).toBe('succeeded');
    const run = services.store.openRun(outcome.runId);
    const written = filesUnder(run.dir).map((f) => readFileSync(f, 'utf8')).join('\n') + services.consoleText();
    expect(written).not.toContain('tok-9f8e7d6c5b4a');
    expect(written).not.toContain('hunter2-correct-horse');
    expect(run.inputs()).toEqual({ password: '[REDACTED]' });
  });

  it('redacts the value of a parameter the action marks x-secret, wherever it appears', async () => {
    const services = createTestServices();
    const wf = workflow([step('use', 'test.secret.use', { with: { token: 'plain-{{inputs.suffix}}' } })], { inputs: { suffix: { type: 'string' } }, output: { echoed: '{{steps.use.output.echoed}}' } });
    const outcome = await startRun(request(wf, services, { inputs: { suffix: 'zq81-secret-part' } }), services);
    expect(outcome.status).toBe('succeeded');
    const run = services.store.openRun(outcome.runId);
    const written = filesUnder(run.dir).map((f) => readFileSync(f, 'utf8')).join('\n') + services.consoleText();
    expect(written).not.toContain('plain-zq81-secret-part');
    expect(written).toContain('using token [REDACTED]');
  });
});

describe('draining', () => {
  it('lets the step in flight finish, then stops before the next one, resumable', async () => {
    const services = createTestServices();
    const drain = new AbortController();
    const wf = workflow([step('slow', 'test.clock.wait', { with: { ms: 200 } }), step('next', 'test.value.echo', { with: { key: 'next' } })]);
    services.world.onWait = () => drain.abort(new Error('serve is shutting down'));
    const outcome = await startRun(request(wf, services, { drain: drain.signal }), services);
    expect(outcome.status).toBe('interrupted');
    expect(outcome.error?.message).toBe('serve is shutting down');
    const events = journal(services, outcome.runId);
    expect(finished(events, 'slow')[0]).toMatchObject({ status: 'succeeded', output: { waited: 200 } });
    expect(services.world.calls.get('echo:next')).toBeUndefined();
  });
});

describe('steps without output', () => {
  it('show an empty output when skipped or failed, so default falls back, while printing a field still fails clearly', async () => {
    const services = createTestServices();
    services.world.gateClosed = true;
    const wf = workflow([
      step('skipped', 'test.value.echo', { if: false }),
      step('failed', 'test.gate.pass', { continue_on_error: true }),
    ], { output: { a: '{{default steps.skipped.output.value "none"}}', b: '{{default steps.failed.output.passed false}}', c: '{{default steps.skipped.output.list (list)}}', whole: '{{steps.skipped.output}}' } });
    const outcome = await startRun(request(wf, services), services);
    expect(outcome).toMatchObject({ status: 'succeeded', output: { a: 'none', b: false, c: [], whole: {} } });

    const strict = workflow([step('skipped', 'test.value.echo', { if: false })], { output: { a: '{{steps.skipped.output.value}}' } });
    const other = createTestServices();
    const failed = await startRun(request(strict, other), other);
    expect(failed.status).toBe('failed');
    expect(failed.error?.message).toContain('"value" is not defined in steps.skipped.output (it is empty)');
  });
});

describe('ending a run early', () => {
  it('records the steps after the ending one as skipped, with the reason, and succeeds with the returned data', async () => {
    const services = createTestServices();
    const wf = workflow([
      step('check', 'test.run.end', { with: { reason: 'the user was already deleted' } }),
      step('remove', 'test.gate.pass'),
      step('tell', 'test.value.echo', { with: { key: 'tell' } }),
    ], { output: { ended: '{{steps.check.output.ended}}', removed: '{{default steps.remove.output.passed false}}', status: '{{steps.remove.status}}' } });
    const outcome = await startRun(request(wf, services), services);
    expect(outcome).toMatchObject({ status: 'succeeded', output: { ended: true, removed: false, status: 'skipped' } });
    expect(services.world.calls.get('gate:')).toBeUndefined();
    expect(services.world.calls.get('echo:tell')).toBeUndefined();
    const events = journal(services, outcome.runId);
    expect(finished(events, 'check')[0]).toMatchObject({ status: 'succeeded', endRun: 'the user was already deleted' });
    expect(finished(events, 'remove')[0]).toMatchObject({ status: 'skipped', reason: 'the run ended early at step "check": the user was already deleted' });
    expect(services.consoleText()).toContain('skipped (the run ended early at step "check": the user was already deleted)');
  });

  it('is ignored inside a foreach step, and a step without a reason does not end the run', async () => {
    const services = createTestServices();
    const wf = workflow([
      step('each', 'test.run.end', { foreach: ['x'], with: { reason: '{{item}}' } }),
      step('quiet', 'test.run.end'),
      step('after', 'test.value.echo', { with: { key: 'after' } }),
    ]);
    expect((await startRun(request(wf, services), services)).status).toBe('succeeded');
    expect(services.world.calls.get('echo:after')).toBe(1);
  });
});
