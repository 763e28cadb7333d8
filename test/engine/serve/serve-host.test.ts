import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowStateStore } from '../../../engine/workflows/workflow-state.js';
import { resumeRun } from '../../../engine/runner/resume-run.js';
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
      expect(first.body.runs).toEqual([{ workflow: 'hr-leaver', runId: expect.any(String) }]);
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
      expect(again.body).toMatchObject({ duplicate: true, runs: [{ workflow: 'hr-leaver', runId }] });
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

describe('idflow serve: restarts', () => {
  it('starts the runs an accepted event still owed when serve stopped, once', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER }, serveConfig().replace('concurrency: 2', 'concurrency: 1'));
    const file = members(folder.dir, ['a@x.com', 'b@x.com']);
    const first = await folder.start();
    const held = gate(folder.dir);
    await first.post('hr.employee.terminated', event(file, 'a@x.com', { gate: held.path }));
    const queued = await first.post('hr.employee.terminated', event(file, 'b@x.com'));
    expect(queued.body.queued).toEqual([{ workflow: 'hr-leaver' }]);
    const stopping = first.stop(); // b never gets a slot: the queue is dropped before a's step ends
    held.open();
    await stopping;
    expect(JSON.parse(readFileSync(file, 'utf8')).members).toEqual(['b@x.com']);
    expect(new RunStore(folder.store).listRuns()).toHaveLength(1);

    const second = await folder.start();
    try {
      await eventually(() => new RunStore(folder.store).listRuns({ status: 'succeeded' }).length === 1 && JSON.parse(readFileSync(file, 'utf8')).members.length === 0, 'b to be offboarded');
      expect(folder.log()).toContain('starting 1 run it matched before serve stopped');
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

describe('idflow serve: monitoring API', () => {
  it('answers with the token only; /healthz is open', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER, 'psa.yaml': PSA });
    const file = members(folder.dir, ['ann@x.com']);
    const serving = await folder.start();
    try {
      for (const path of ['/workflows', '/runs', '/runs/x']) {
        expect((await serving.get(path)).status).toBe(401);
        expect((await serving.get(path, 'wrong')).status).toBe(401);
      }
      expect(await serving.get('/healthz')).toEqual({ status: 200, body: { status: 'ok', workflows: 2, running: 0, queued: 0 } });

      const posted = await serving.post('hr.employee.terminated', event(file, 'ann@x.com'));
      const runId = posted.body.runs[0].runId as string;
      await eventually(() => serving.runtime.services.store.openRun(runId).meta().status === 'succeeded', 'the run');

      const workflows = await serving.get('/workflows', ENV.SERVE_TOKEN);
      expect(workflows.status).toBe(200);
      expect(workflows.body.workflows.map((w: { id: string }) => w.id)).toEqual(['hr-leaver', 'psa-inactive']);
      expect(workflows.body.workflows[0]).toMatchObject({ enabled: true, triggers: [{ type: 'manual' }, { type: 'event', event: 'hr.employee.terminated', conditional: true }], lastRun: { id: runId, status: 'succeeded', trigger: 'event' }, nextScheduled: null });

      const runs = await serving.get('/runs?workflow=hr-leaver&status=succeeded&limit=5', ENV.SERVE_TOKEN);
      expect(runs.body.runs.map((r: { id: string }) => r.id)).toEqual([runId]);
      expect((await serving.get('/runs?status=done', ENV.SERVE_TOKEN)).status).toBe(400);
      const report = await serving.get(`/runs/${runId}`, ENV.SERVE_TOKEN);
      expect(report.body).toMatchObject({ meta: { id: runId, status: 'succeeded' }, steps: [{ step: 'remove', status: 'succeeded' }, { step: 'done', status: 'succeeded' }], output: { removed: 1 } });
      expect((await serving.get('/runs/20990101-0000-zzzzzz', ENV.SERVE_TOKEN)).status).toBe(404);
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

    const restarted = await folder.start();
    try {
      const loaded = await restarted.runtime.loadPinnedWorkflow(store.openRun(runId).templateText(), meta.templatePath);
      const outcome = await resumeRun({ handle: restarted.runtime.services.store.openRun(runId), workflow: loaded.workflow, templateChanged: false, signal: new AbortController().signal, console: { stream: new Writable({ write: (_c, _e, cb) => cb() }), mode: 'silent' } }, restarted.runtime.services);
      expect(outcome).toMatchObject({ status: 'succeeded', output: { removed: 1 } });
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
});
