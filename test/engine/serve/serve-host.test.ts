import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { RunMeta } from '../../../engine/store/journal-events.js';
import { describe, expect, it, vi } from 'vitest';
import { RunHandle } from '../../../engine/store/run-handle.js';
import { WorkflowStateStore } from '../../../engine/workflows/workflow-state.js';
import { RunStore } from '../../../engine/store/run-store.js';
import { Writable } from 'node:stream';
import { resolve } from 'node:path';
import { Runtime } from '../../../engine/runtime/runtime.js';
import { startServe } from '../../../engine/serve/serve-host.js';
import { ENV, eventually, serveConfig, serveFolder } from './support/serve-fixture.js';

const LEAVER = `id: hr-leaver
name: HR leaver
subject: "{{inputs.email}}"
inputs:
  email: { type: string, required: true, format: email }
  reason: { type: string }
  file: { type: string, required: true }
  gate: { type: string }
triggers:
  - type: manual
  - type: event
    event: hr.employee.terminated
    if: { "===": [{ var: event.employee.status }, terminated] }
    inputs:
      email: "{{event.employee.email}}"
      reason: "{{default event.reason \\"termination\\"}}"
      file: "{{event.file}}"
      gate: "{{default event.gate null}}"
steps:
  - id: remove
    action: fixture.members.remove
    with: { file: "{{inputs.file}}", members: ["{{inputs.email}}"], wait_for: "{{inputs.gate}}" }
  - id: done
    action: log
    with: { message: "removed {{inputs.email}}" }
output:
  removed: "{{steps.remove.output.removed}}"
`;

const PSA = `id: psa-inactive
name: PSA contact inactive
inputs:
  email: { type: string, required: true }
triggers:
  - type: event
    event: psa.contact.inactive
    inputs: { email: "{{event.contact.email}}" }
steps:
  - { id: note, action: log, with: { message: "inactive {{inputs.email}}" } }
`;

function members(dir: string, list: string[]): string {
  const file = join(dir, 'members.json');
  writeFileSync(file, JSON.stringify({ members: list }));
  return file;
}

/**
 * A gate a run's remove step waits at (the event's `gate`) until the test opens it: the run is
 * in flight for exactly as long as the test needs, however slow the machine.
 */
function gate(dir: string, name = 'gate'): { path: string; open(): void } {
  const path = join(dir, `${name}.open`);
  return { path, open: () => writeFileSync(path, '') };
}

function event(file: string, email: string, extra: Record<string, unknown> = {}) {
  return { id: `evt-${email}`, employee: { email, status: 'terminated' }, file, ...extra };
}

describe('idflow serve: webhooks', () => {
  it('starts the matching workflow for a signed event, once, also after a restart', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER, 'psa.yaml': PSA });
    const file = members(folder.dir, ['ann@x.com', 'bob@x.com']);
    const serving = await folder.start();
    let runId = '';
    try {
      const first = await serving.post('hr.employee.terminated', event(file, 'ann@x.com', { reason: 'Resigned' }));
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ event: 'hr.employee.terminated', id: 'evt-ann@x.com', source: 'hr', duplicate: false, queued: [], skipped: [] });
      expect(first.body.runs).toEqual([{ workflow: 'hr-leaver', runId: expect.any(String), status: 'running' }]);
      runId = first.body.runs[0].runId;
      const store = serving.runtime.services.store;
      await eventually(() => store.openRun(runId).meta().status === 'succeeded', 'the run to succeed');
      expect(store.openRun(runId).meta()).toMatchObject({
        trigger: { type: 'event', event: 'hr.employee.terminated', eventId: 'evt-ann@x.com', source: 'hr' },
        subject: 'ann@x.com',
        initiatedBy: 'idflow serve (hr)',
        reason: 'Resigned',
      });
      expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual(['bob@x.com']);

      const again = await serving.post('hr.employee.terminated', event(file, 'ann@x.com', { reason: 'Resigned' }));
      expect(again.status).toBe(200);
      // A repeat is told how its run went, so a sender can tell a finished run from one still owed.
      expect(again.body).toMatchObject({ duplicate: true, runs: [{ workflow: 'hr-leaver', runId, status: 'succeeded' }] });
      // The id decides, not the body: the same id with another body is still a repeat.
      const sameId = await serving.post('hr.employee.terminated', { ...event(file, 'bob@x.com'), id: 'evt-ann@x.com' });
      expect(sameId.body).toMatchObject({ duplicate: true });
    } finally {
      await serving.stop();
    }
    const restarted = await folder.start();
    try {
      const replay = await restarted.post('hr.employee.terminated', event(file, 'ann@x.com'));
      expect(replay.status).toBe(200);
      expect(replay.body).toMatchObject({ duplicate: true, runs: [{ workflow: 'hr-leaver', runId }] });
      expect(restarted.runtime.services.store.listRuns()).toHaveLength(1);
    } finally {
      await restarted.stop();
    }
    expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual(['bob@x.com']);
  });

  it('refuses unsigned, badly signed, stale, oversized, non-JSON and id-less events with the right status', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER }, serveConfig('  max_body_bytes: 2048'));
    const file = members(folder.dir, ['ann@x.com']);
    const serving = await folder.start();
    try {
      const body = event(file, 'ann@x.com');
      const cases: Array<[string, Promise<{ status: number; body: any }>, number, string]> = [
        ['no signature', serving.post('hr.employee.terminated', body, { sign: false }), 401, 'BAD_SIGNATURE'],
        ['another secret', serving.post('hr.employee.terminated', body, { secret: 'guess' }), 401, 'BAD_SIGNATURE'],
        ['the psa secret', serving.post('hr.employee.terminated', body, { secret: ENV.PSA_SECRET }), 401, 'BAD_SIGNATURE'],
        ['a stale timestamp', serving.post('hr.employee.terminated', body, { timestamp: Math.floor(Date.now() / 1000) - 600 }), 401, 'STALE_TIMESTAMP'],
        ['an unknown source', serving.post('payroll.employee.terminated', body), 404, 'UNKNOWN_SOURCE'],
        ['an oversized body', serving.post('hr.employee.terminated', { ...body, padding: 'x'.repeat(4096) }), 413, 'BODY_TOO_LARGE'],
        ['a body that is not JSON', serving.post('hr.employee.terminated', null, { raw: 'employee=ann' }), 400, 'INVALID_JSON'],
        ['a JSON list', serving.post('hr.employee.terminated', [body]), 400, 'INVALID_EVENT'],
        ['no event id', serving.post('hr.employee.terminated', { employee: body.employee, file }), 400, 'MISSING_EVENT_ID'],
      ];
      for (const [what, reply, status, code] of cases) {
        const { status: got, body: answer } = await reply;
        expect({ what, got, code: answer.error?.code }).toEqual({ what, got: status, code });
        expect(answer.error.message).toEqual(expect.any(String));
      }
      const wrongMethod = await fetch(`${serving.url}/events/hr.employee.terminated`);
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('POST');
      expect((await fetch(`${serving.url}/nope`)).status).toBe(404);
      expect(serving.runtime.services.store.listRuns()).toEqual([]);
      expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual(['ann@x.com']);
      // The id may also come in the header.
      const viaHeader = await serving.post('hr.employee.terminated', { employee: body.employee, file }, { headers: { 'x-idflow-event-id': 'hdr-1' } });
      expect(viaHeader).toMatchObject({ status: 202, body: { id: 'hdr-1' } });
    } finally {
      await serving.stop();
    }
  });

  it('says why nothing ran: no trigger, a false if, inputs with problems, a disabled workflow', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER, 'psa.yaml': PSA });
    const file = members(folder.dir, ['ann@x.com']);
    new WorkflowStateStore(folder.store).set('psa-inactive', false, { changedBy: 'admin', reason: 'PSA migration' });
    const serving = await folder.start();
    try {
      const nobody = await serving.post('hr.employee.promoted', { id: 'p-1' });
      expect(nobody).toMatchObject({ status: 202, body: { runs: [], skipped: [], reason: expect.stringContaining('has a trigger for the event "hr.employee.promoted"') } });
      const notTerminated = await serving.post('hr.employee.terminated', { id: 'e-2', employee: { email: 'ann@x.com', status: 'on-leave' }, file });
      expect(notTerminated.body).toMatchObject({ runs: [], skipped: [{ workflow: 'hr-leaver', reason: 'triggers[1]: its "if" does not hold for this event' }], reason: 'no trigger fired: see skipped' });
      const badEmail = await serving.post('hr.employee.terminated', { id: 'e-3', employee: { email: 'not-an-email', status: 'terminated' }, file });
      expect(badEmail.body.skipped[0].reason).toMatch(/triggers\[1\]: the inputs it gives have problems: input "email" must be an email address/);
      const disabled = await serving.post('psa.contact.inactive', { id: 'c-1', contact: { email: 'ann@x.com' } });
      expect(disabled.body).toMatchObject({ runs: [], skipped: [{ workflow: 'psa-inactive', reason: expect.stringContaining('the workflow is disabled') }] });
      expect(serving.runtime.services.store.listRuns()).toEqual([]);
    } finally {
      await serving.stop();
    }
  });

  it('refuses, before any step, a run whose parameters the event makes invalid, saying which step and parameter', async () => {
    const slow = `id: slow-leaver
name: Slow leaver
inputs:
  email: { type: string, required: true }
  file: { type: string, required: true }
  delay: { type: integer, default: 0 }
triggers:
  - type: event
    event: hr.employee.terminated
    inputs: { email: "{{event.employee.email}}", file: "{{event.file}}", delay: "{{event.delay}}" }
steps:
  - { id: first, action: fixture.members.remove, with: { file: "{{inputs.file}}", members: ["{{inputs.email}}"] } }
  - { id: second, action: fixture.members.remove, with: { file: "{{inputs.file}}", members: ["bob@x.com"], delay_ms: "{{inputs.delay}}" } }
`;
    const folder = serveFolder({ 'slow.yaml': slow });
    const file = members(folder.dir, ['ann@x.com', 'bob@x.com']);
    const serving = await folder.start();
    try {
      const refused = await serving.post('hr.employee.terminated', { id: 'd-1', employee: { email: 'ann@x.com' }, file, delay: -5 });
      expect(refused.status).toBe(202);
      expect(refused.body).toMatchObject({ runs: [], skipped: [{ workflow: 'slow-leaver', reason: expect.stringContaining('step "second" (fixture.members.remove): parameter "delay_ms" must be >= 0, got -5') }] });
      expect(serving.runtime.services.store.listRuns()).toEqual([]);
      // Nothing changed: not even the first step, whose own parameters were fine, ran.
      expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual(['ann@x.com', 'bob@x.com']);
    } finally {
      await serving.stop();
    }
  });

  it('reports a subject another run holds instead of waiting for it', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const file = members(folder.dir, ['ann@x.com']);
    const serving = await folder.start();
    const held = gate(folder.dir);
    try {
      const slow = await serving.post('hr.employee.terminated', event(file, 'ann@x.com', { gate: held.path }));
      const second = await serving.post('hr.employee.terminated', { ...event(file, 'ANN@x.com'), id: 'evt-2' });
      expect(second.status).toBe(202);
      expect(second.body).toMatchObject({ runs: [], skipped: [{ workflow: 'hr-leaver', reason: `Another run (${slow.body.runs[0].runId}) is already active for "ANN@x.com"; wait for it to finish or resume it` }] });
      held.open();
      await eventually(() => serving.runtime.services.store.openRun(slow.body.runs[0].runId).meta().status === 'succeeded', 'the first run');
    } finally {
      await serving.stop();
    }
  });

  it('queues runs beyond the concurrency cap and starts them as slots free up', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER }, serveConfig().replace('concurrency: 2', 'concurrency: 1'));
    const file = members(folder.dir, ['a@x.com', 'b@x.com']);
    const serving = await folder.start();
    const held = gate(folder.dir);
    try {
      const first = await serving.post('hr.employee.terminated', event(file, 'a@x.com', { gate: held.path }));
      const second = await serving.post('hr.employee.terminated', event(file, 'b@x.com'));
      expect(first.body.runs).toHaveLength(1);
      expect(second.body).toMatchObject({ runs: [], queued: [{ workflow: 'hr-leaver' }] });
      held.open();
      const store = serving.runtime.services.store;
      await eventually(() => store.listRuns({ status: 'succeeded' }).length === 2, 'both runs');
      // The event record now names the queued run too: a repeat answers with it.
      const repeat = await serving.post('hr.employee.terminated', event(file, 'b@x.com'));
      expect(repeat.body).toMatchObject({ duplicate: true, queued: [], runs: [{ workflow: 'hr-leaver', runId: expect.any(String) }] });
    } finally {
      await serving.stop();
    }
  });
});

/** An error as `fs` raises it when the process has no file descriptor left. */
function emfile(): NodeJS.ErrnoException {
  return Object.assign(new Error("EMFILE: too many open files, open 'run.json'"), { code: 'EMFILE', errno: -24, syscall: 'open' });
}

describe('idflow serve: transient failures to start a run', () => {
  it('retries a run that cannot start for want of file descriptors until it starts: no skip, no lock, no half-made run folder', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const file = members(folder.dir, ['ann@x.com', 'bob@x.com']);
    const serving = await folder.start();
    // The run record cannot be written three times over (after the subject lock was taken and
    // the run folder made), as under file-descriptor exhaustion; then the machine recovers.
    let failures = 0;
    const real = RunHandle.prototype.writeMeta;
    const spy = vi.spyOn(RunHandle.prototype, 'writeMeta').mockImplementation(function (this: RunHandle, meta) {
      if (meta.status === 'running' && failures < 3) {
        failures++;
        throw emfile();
      }
      real.call(this, meta);
    });
    try {
      // The sender is not kept waiting while the start is retried: the run is owed (queued), not skipped.
      const posted = await serving.post('hr.employee.terminated', event(file, 'ann@x.com'));
      expect(posted.status).toBe(202);
      expect(posted.body).toMatchObject({ skipped: [], runs: [], queued: [{ workflow: 'hr-leaver' }] });
      const store = serving.runtime.services.store;
      await eventually(() => store.listRuns({ status: 'succeeded' }).length === 1, 'the run to start and succeed');
      expect(failures).toBe(3);
      const runId = store.listRuns()[0]?.id as string;
      expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual(['bob@x.com']);
      // The attempts that failed left no run folder and no lock behind.
      expect(readdirSync(join(folder.store, 'runs'))).toEqual([runId]);
      expect(readdirSync(join(folder.store, 'locks')).filter((name) => name.endsWith('.lock'))).toHaveLength(1); // serve's own lock only
      expect(folder.log()).toMatch(/hr-leaver \(event hr\.employee\.terminated evt-ann@x\.com\) could not start \(attempt 3\): EMFILE/);
      const record = await serving.get(`/api/events/hr/${encodeURIComponent('evt-ann@x.com')}`, ENV.SERVE_TOKEN);
      expect(record.body).toMatchObject({ runs: [{ runId, status: 'succeeded' }], pending: [], skipped: [] });
    } finally {
      spy.mockRestore();
      await serving.stop();
    }
    expect(readdirSync(join(folder.store, 'locks')).filter((name) => name.endsWith('.lock'))).toEqual([]);
  });
});

describe('idflow serve: a start that keeps failing until serve stops', () => {
  it('leaves the event\'s workflow pending (never skipped), and the next serve starts it once', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const file = members(folder.dir, ['ann@x.com']);
    const first = await folder.start();
    let failing = true;
    let failures = 0;
    const real = RunHandle.prototype.writeMeta;
    const spy = vi.spyOn(RunHandle.prototype, 'writeMeta').mockImplementation(function (this: RunHandle, meta) {
      if (failing && meta.status === 'running') {
        failures++;
        throw emfile();
      }
      real.call(this, meta);
    });
    try {
      const posted = await first.post('hr.employee.terminated', event(file, 'ann@x.com'));
      expect(posted).toMatchObject({ status: 202, body: { runs: [], skipped: [], queued: [{ workflow: 'hr-leaver' }] } });
      await eventually(() => failures >= 2, 'a few attempts');
      const owed = await first.get(`/api/events/hr/${encodeURIComponent('evt-ann@x.com')}`, ENV.SERVE_TOKEN);
      expect(owed.body).toMatchObject({ runs: [], pending: ['hr-leaver'], skipped: [] });
      await first.stop();
    } finally {
      failing = false;
      spy.mockRestore();
    }
    expect(folder.log()).toContain('hr-leaver for event hr.employee.terminated (evt-ann@x.com) did not start before serve stopped; it stays pending and starts when serve is back');
    expect(readdirSync(join(folder.store, 'locks')).filter((name) => name.endsWith('.lock'))).toEqual([]);
    expect(new RunStore(folder.store).listRuns()).toEqual([]);

    const second = await folder.start();
    try {
      await eventually(() => new RunStore(folder.store).listRuns({ status: 'succeeded' }).length === 1, 'the owed run to start and succeed');
      const repeat = await second.post('hr.employee.terminated', event(file, 'ann@x.com'));
      expect(repeat.body).toMatchObject({ duplicate: true, queued: [], skipped: [], runs: [{ workflow: 'hr-leaver', status: 'succeeded' }] });
    } finally {
      await second.stop();
    }
    expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual([]);
  });
});

describe('idflow serve: a run whose end cannot be recorded', () => {
  it('is marked interrupted and resumed by serve, instead of staying running (and holding its user) while serve lives', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const file = members(folder.dir, ['ann@x.com', 'bob@x.com']);
    const serving = await folder.start();
    // The run's steps go through; recording its end fails twice (succeeded, then failed), as
    // when the process has no file descriptor left at that moment: the session throws.
    let failures = 0;
    const real = RunHandle.prototype.updateMeta;
    const spy = vi.spyOn(RunHandle.prototype, 'updateMeta').mockImplementation(function (this: RunHandle, patch) {
      if ((patch.status === 'succeeded' || patch.status === 'failed') && failures < 2) {
        failures++;
        throw emfile();
      }
      real.call(this, patch);
    });
    try {
      const posted = await serving.post('hr.employee.terminated', event(file, 'ann@x.com'));
      const runId = posted.body.runs[0].runId as string;
      const store = serving.runtime.services.store;
      await eventually(() => store.openRun(runId).meta().status === 'succeeded', 'serve to resume the run to its end');
      expect(failures).toBe(2);
      expect(folder.log()).toContain(`run ${runId} (hr-leaver for ann@x.com, event hr.employee.terminated evt-ann@x.com from hr) ended without recording its end for a transient reason`);
      // Its step was not repeated: one session took it, the resumed one found it done.
      expect(store.openRun(runId).events().filter((e) => e.type === 'step.started').map((e) => (e as { step: string }).step)).toEqual(['remove', 'done']);
      expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual(['bob@x.com']);
      await eventually(() => readdirSync(join(folder.store, 'locks')).filter((name) => name.endsWith('.lock')).length === 1, 'only serve\'s own lock to remain');
      // The user is free again: a new event for them runs.
      const again = await serving.post('hr.employee.terminated', { ...event(file, 'ann@x.com'), id: 'evt-2' });
      expect(again.body).toMatchObject({ skipped: [], runs: [{ workflow: 'hr-leaver' }] });
    } finally {
      spy.mockRestore();
      await serving.stop();
    }
  });
});

/** A run recorded as serve (or an administrator) left it: `running` under this process's id, or interrupted. */
function leftRun(store: RunStore, folder: { dir: string }, file: string, email: string, origin: { initiatedBy: string; trigger: RunMeta['trigger'] }, status: 'running' | 'interrupted'): string {
  const handle = store.createRun({
    workflow: { id: 'hr-leaver', name: 'HR leaver' },
    templatePath: join(folder.dir, 'templates', 'leaver.yaml'),
    templateText: LEAVER,
    templateHash: createHash('sha256').update(LEAVER).digest('hex'),
    inputs: { email, reason: 'termination', file, gate: null },
    subject: email,
    ...origin,
    sandbox: false,
  });
  handle.append({ type: 'run.started', at: new Date().toISOString(), runId: handle.id, workflowId: 'hr-leaver', session: 1, pid: process.pid, vars: {}, event: { id: `evt-${email}`, employee: { email, status: 'terminated' }, file } });
  if (status === 'interrupted') handle.updateMeta({ status: 'interrupted' });
  handle.close();
  return handle.id;
}

describe('idflow serve: recovery at start-up', () => {
  it('resumes a run it started that is recorded running under its own (reused) process id, and leaves an administrator\'s interrupted run alone', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const file = members(folder.dir, ['ann@x.com', 'bob@x.com']);
    const store = new RunStore(folder.store);
    // Serve restarted as PID 1 in a container: the run the previous serve left names this very pid.
    const served = leftRun(store, folder, file, 'ann@x.com', { initiatedBy: 'idflow serve (hr)', trigger: { type: 'event', event: 'hr.employee.terminated', eventId: 'evt-ann@x.com', source: 'hr' } }, 'running');
    const manual = leftRun(store, folder, file, 'bob@x.com', { initiatedBy: 'alice', trigger: { type: 'manual' } }, 'interrupted');
    expect(store.openRun(served).meta().status).toBe('running');
    const serving = await folder.start();
    try {
      await eventually(() => serving.runtime.services.store.openRun(served).meta().status === 'succeeded', 'serve to resume its run');
      expect(folder.log()).toContain(`run ${served} (hr-leaver for ann@x.com, event hr.employee.terminated evt-ann@x.com from hr) was interrupted when serve stopped: resuming it`);
      expect(folder.log()).not.toContain(manual);
      expect(serving.runtime.services.store.openRun(manual).meta().status).toBe('interrupted');
      expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual(['bob@x.com']);
    } finally {
      await serving.stop();
    }
  });
});

describe('idflow serve: restarts', () => {
  it('starts the runs an accepted event still owed when serve stopped, once', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER }, serveConfig().replace('concurrency: 2', 'concurrency: 1'));
    const file = members(folder.dir, ['a@x.com', 'b@x.com']);
    const first = await folder.start();
    const held = gate(folder.dir);
    const interrupted = await first.post('hr.employee.terminated', event(file, 'a@x.com', { gate: held.path }));
    const queued = await first.post('hr.employee.terminated', event(file, 'b@x.com'));
    expect(queued.body.queued).toEqual([{ workflow: 'hr-leaver' }]);
    const stopping = first.stop(); // b never gets a slot: the queue is dropped before a's step ends
    held.open();
    await stopping;
    expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual(['b@x.com']);
    expect(new RunStore(folder.store).listRuns()).toHaveLength(1);

    const second = await folder.start();
    try {
      // a's run, stopped at a step boundary by the shutdown, is resumed; b's run starts.
      await eventually(() => new RunStore(folder.store).listRuns({ status: 'succeeded' }).length === 2 && JSON.parse(readFileSync(file, 'utf8')).members.length === 0, 'b to be offboarded and a resumed');
      expect(folder.log()).toContain('starting 1 run it matched before serve stopped');
      expect(folder.log()).toContain(`run ${interrupted.body.runs[0].runId as string} (hr-leaver for a@x.com, event hr.employee.terminated evt-a@x.com from hr) was interrupted when serve stopped: resuming it`);
      const repeat = await second.post('hr.employee.terminated', event(file, 'b@x.com'));
      expect(repeat.body).toMatchObject({ duplicate: true, queued: [], runs: [{ workflow: 'hr-leaver' }] });
    } finally {
      await second.stop();
    }
    const third = await folder.start();
    await third.stop();
    expect(new RunStore(folder.store).listRuns({ workflow: 'hr-leaver' }).filter((r) => r.trigger.eventId === 'evt-b@x.com')).toHaveLength(1);
  });
});

describe('idflow serve: event retention', () => {
  it('removes the records of events older than serve.event_retention at start-up; a repeat of such an id runs again', async () => {
    const folder = serveFolder({ 'psa.yaml': PSA }, serveConfig('  event_retention: 1h'));
    const first = await folder.start();
    try {
      const answer = await first.post('psa.contact.inactive', { id: 'c-1', contact: { email: 'ann@x.com' } });
      expect(answer).toMatchObject({ status: 202, body: { runs: [{ workflow: 'psa-inactive' }] } });
    } finally {
      await first.stop();
    }
    const later = Date.now() + 2 * 3_600_000;
    const restarted = await folder.start({ now: () => new Date(Date.now() + 2 * 3_600_000) });
    try {
      expect(folder.log()).toContain('removed 1 event record received before');
      const again = await restarted.post('psa.contact.inactive', { id: 'c-1', contact: { email: 'ann@x.com' } }, { timestamp: Math.floor(later / 1000) });
      expect(again).toMatchObject({ status: 202, body: { duplicate: false, runs: [{ workflow: 'psa-inactive' }] } });
      await eventually(() => restarted.runtime.services.store.listRuns({ status: 'succeeded' }).length === 2, 'both runs');
    } finally {
      await restarted.stop();
    }
  });
});

describe('idflow serve: the API under /api/', () => {
  it('answers with the token only; /healthz is open', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER, 'psa.yaml': PSA });
    const file = members(folder.dir, ['ann@x.com']);
    const serving = await folder.start();
    try {
      for (const path of ['/api/workflows', '/api/runs', '/api/runs/x']) {
        expect((await serving.get(path)).status).toBe(401);
        expect((await serving.get(path, 'wrong')).status).toBe(401);
      }
      expect(await serving.get('/healthz')).toEqual({ status: 200, body: { status: 'ok', workflows: 2, running: 0, queued: 0 } });

      const posted = await serving.post('hr.employee.terminated', event(file, 'ann@x.com'));
      const runId = posted.body.runs[0].runId as string;
      await eventually(() => serving.runtime.services.store.openRun(runId).meta().status === 'succeeded', 'the run');

      const workflows = await serving.get('/api/workflows', ENV.SERVE_TOKEN);
      expect(workflows.status).toBe(200);
      expect(workflows.body.workflows.map((w: { id: string }) => w.id)).toEqual(['hr-leaver', 'psa-inactive']);
      expect(workflows.body.workflows[0]).toMatchObject({ enabled: true, triggers: [{ type: 'manual' }, { type: 'event', event: 'hr.employee.terminated', conditional: true }], lastRun: { id: runId, status: 'succeeded', trigger: 'event' }, nextScheduled: null });

      const runs = await serving.get('/api/runs?workflow=hr-leaver&status=succeeded&limit=5', ENV.SERVE_TOKEN);
      expect(runs.body.runs.map((r: { id: string }) => r.id)).toEqual([runId]);
      expect((await serving.get('/api/runs?status=done', ENV.SERVE_TOKEN)).status).toBe(400);
      const report = await serving.get(`/api/runs/${runId}`, ENV.SERVE_TOKEN);
      expect(report.body).toMatchObject({ meta: { id: runId, status: 'succeeded' }, steps: [{ step: 'remove', status: 'succeeded' }, { step: 'done', status: 'succeeded' }], output: { removed: 1 } });
      expect((await serving.get('/api/runs/20990101-0000-zzzzzz', ENV.SERVE_TOKEN)).status).toBe(404);
    } finally {
      await serving.stop();
    }
  });
});

describe('idflow serve: shutdown', () => {
  it('answers 503 while draining and leaves the run in flight interrupted at a step boundary, resumable', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const file = members(folder.dir, ['ann@x.com']);
    const serving = await folder.start();
    const held = gate(folder.dir);
    const posted = await serving.post('hr.employee.terminated', event(file, 'ann@x.com', { gate: held.path }));
    const runId = posted.body.runs[0].runId as string;
    const stopping = serving.shutdown();
    const during = await fetch(`${serving.url}/healthz`).then((r) => r.status).catch(() => 'closed');
    expect([503, 'closed']).toContain(during);
    held.open(); // the step in flight may now end: the run stops at the boundary after it
    await stopping;
    await serving.runtime.close();
    const store = new RunStore(folder.store);
    const meta = store.openRun(runId).meta();
    expect(meta.status).toBe('interrupted');
    // The step in flight finished; the next one never started.
    expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual([]);
    expect(store.openRun(runId).events().filter((e) => e.type === 'step.started').map((e) => (e as { step: string }).step)).toEqual(['remove']);
    expect(folder.log()).toContain('shutting down');

    // Serve resumes the run it started when it is back (its completed step is not repeated).
    const restarted = await folder.start();
    try {
      await eventually(() => restarted.runtime.services.store.openRun(runId).meta().status === 'succeeded', 'serve to resume the run');
      expect(restarted.runtime.services.store.openRun(runId).output()).toEqual({ removed: 1 });
      expect(store.openRun(runId).events().filter((e) => e.type === 'step.started').map((e) => (e as { step: string }).step)).toEqual(['remove', 'done']);
      await eventually(() => folder.log().includes(`run ${runId} succeeded after resuming: hr-leaver`), 'the resume to be logged');
    } finally {
      await restarted.stop();
    }
  });

  it('with serve.recover: report, logs an interrupted run with the command to resume it and leaves it alone', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER }, serveConfig('  recover: report'));
    const file = members(folder.dir, ['ann@x.com']);
    const serving = await folder.start();
    const held = gate(folder.dir);
    const posted = await serving.post('hr.employee.terminated', event(file, 'ann@x.com', { gate: held.path }));
    const runId = posted.body.runs[0].runId as string;
    const stopping = serving.shutdown();
    held.open();
    await stopping;
    await serving.runtime.close();

    const restarted = await folder.start();
    try {
      expect(folder.log()).toContain(`run ${runId} (hr-leaver for ann@x.com, event hr.employee.terminated evt-ann@x.com from hr) was interrupted when serve stopped; resume it with: idflow resume ${runId} (serve.recover is report)`);
      await new Promise((r) => setTimeout(r, 300));
      expect(restarted.runtime.services.store.openRun(runId).meta().status).toBe('interrupted');
      // A repeat of the event is told its run is interrupted, not that all is done.
      const repeat = await restarted.post('hr.employee.terminated', event(file, 'ann@x.com'));
      expect(repeat).toMatchObject({ status: 200, body: { duplicate: true, runs: [{ workflow: 'hr-leaver', runId, status: 'interrupted' }] } });
      const shown = await restarted.get(`/api/events/hr/${encodeURIComponent('evt-ann@x.com')}`, ENV.SERVE_TOKEN);
      expect(shown).toMatchObject({ status: 200, body: { source: 'hr', id: 'evt-ann@x.com', event: 'hr.employee.terminated', runs: [{ workflow: 'hr-leaver', runId, status: 'interrupted' }], pending: [], skipped: [] } });
      expect((await restarted.get('/api/events/hr/evt-ann@x.com')).status).toBe(401);
      expect(await restarted.get('/api/events/hr/evt-nobody', ENV.SERVE_TOKEN)).toMatchObject({ status: 404, body: { error: { code: 'EVENT_NOT_FOUND' } } });
      expect(await restarted.get('/api/events/NOT_A_SOURCE/x', ENV.SERVE_TOKEN)).toMatchObject({ status: 404, body: { error: { code: 'EVENT_NOT_FOUND' } } });
    } finally {
      await restarted.stop();
    }
  });

  it('refuses to start with every problem listed when a template is invalid, and while another serve uses the store', async () => {
    const broken = serveFolder({ 'leaver.yaml': LEAVER, 'broken.yaml': 'id: broken\nname: Broken\ntriggers: [{ type: schedule, cron: "61 * * * *", timezone: Mars/Olympus }]\nsteps:\n  - { id: a, action: nope.action }\n' });
    await expect(broken.start()).rejects.toMatchObject({ code: 'INVALID_TEMPLATE', problems: expect.arrayContaining([expect.objectContaining({ code: 'unknown-action' })]) });

    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const serving = await folder.start();
    try {
      await expect(folder.start()).rejects.toMatchObject({ code: 'SERVE_RUNNING' });
      const other = serveFolder({ 'leaver.yaml': LEAVER }, serveConfig(`  port: ${serving.port}`));
      const runtime = await Runtime.create({ cwd: other.dir, env: other.env, store: other.store, plugins: [resolve('test/fixtures/plugins/file-state.mjs')] });
      try {
        await expect(startServe({ runtime, workflowsDir: 'templates', cwd: other.dir, env: other.env, flags: {}, log: new Writable({ write: (_c, _e, cb) => cb() }) })).rejects.toMatchObject({ code: 'LISTEN_FAILED', message: expect.stringContaining(`cannot listen on 127.0.0.1:${serving.port}: the port is already in use`) });
      } finally {
        await runtime.close();
      }
      // The refused serve let go of its store: another can start there.
      const again = await other.start();
      await again.stop();
    } finally {
      await serving.stop();
    }
  });
});

describe('idflow serve: schedules', () => {
  it('fires a per-second schedule once per slot, and not again after a restart', async () => {
    const ticker = 'id: ticker\nname: Ticker\ninputs:\n  note: { type: string, required: true }\ntriggers:\n  - type: schedule\n    cron: "* * * * * *"\n    timezone: Europe/Berlin\n    inputs: { note: "tick from {{run.initiated_by}}" }\nsteps:\n  - { id: tick, action: log, with: { message: "{{inputs.note}}" } }\n';
    const folder = serveFolder({ 'ticker.yaml': ticker });
    const slots = () => new RunStore(folder.store).listRuns({ workflow: 'ticker' }).map((r) => r.trigger.eventId as string);
    const first = await folder.start();
    await eventually(() => slots().length >= 2, 'two ticks', 10_000);
    await first.stop();
    const restarted = await folder.start();
    const before = slots().length;
    await eventually(() => slots().length >= before + 1, 'a tick after the restart', 10_000);
    await restarted.stop();
    const all = slots();
    expect(new Set(all).size).toBe(all.length);
    for (const slot of all) expect(slot).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    const run = new RunStore(folder.store).listRuns({ workflow: 'ticker' })[0];
    expect(run).toMatchObject({ trigger: { type: 'schedule', source: '* * * * * *' }, initiatedBy: 'idflow serve (schedule)' });
    expect(JSON.parse(readFileSync(join(folder.store, 'runs', run?.id as string, 'inputs.json'), 'utf8'))).toEqual({ note: 'tick from idflow serve (schedule)' });
  });

  it('retries a slot whose run cannot start for want of file descriptors instead of losing it', async () => {
    const ticker = 'id: ticker\nname: Ticker\ntriggers:\n  - type: schedule\n    cron: "* * * * * *"\nsteps:\n  - { id: tick, action: log, with: { message: tick } }\n';
    const folder = serveFolder({ 'ticker.yaml': ticker });
    let failures = 0;
    let failedSlot: string | undefined;
    const real = RunHandle.prototype.writeMeta;
    const spy = vi.spyOn(RunHandle.prototype, 'writeMeta').mockImplementation(function (this: RunHandle, meta) {
      if (meta.status === 'running' && failures < 2) {
        failures++;
        failedSlot ??= meta.trigger.eventId;
        throw emfile();
      }
      real.call(this, meta);
    });
    const serving = await folder.start();
    try {
      await eventually(() => failedSlot !== undefined && new RunStore(folder.store).listRuns({ workflow: 'ticker' }).some((r) => r.trigger.eventId === failedSlot && r.status === 'succeeded'), 'the slot that failed to start to run after all', 10_000);
      expect(folder.log()).toMatch(/ticker \(schedule slot [^)]+\) could not start \(attempt 2\): EMFILE/);
    } finally {
      spy.mockRestore();
      await serving.stop();
    }
  });
});
