import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../../../../engine/audit/verify-audit-trail.js';
import { isRole } from '../../../../engine/serve/auth/principal.js';
import { writeRoutes } from '../../../../engine/serve/http/write-routes.js';
import { journalListenerCount } from '../../../../engine/store/journal-notices.js';
import type { RunMeta } from '../../../../engine/store/journal-events.js';
import { RunStore } from '../../../../engine/store/run-store.js';
import { TimerStore } from '../../../../engine/timers/timer-store.js';
import { eventually, serveFolder, type Serving } from '../support/serve-fixture.js';

const LEAVER = `id: hr-leaver
name: HR leaver
subject: "{{inputs.email}}"
inputs:
  email: { type: string, required: true, format: email }
  file: { type: string, required: true }
  gate: { type: string }
triggers:
  - type: manual
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

/** One server-sent event as the stream carries it. */
interface Sse { id?: string; event: string; data: any }

/**
 * The write routes against a real serve (templates, store, dispatcher, recovery) in a Fastify
 * instance of the test's own, whose onRequest hook takes the principal from a test-only header
 * (`x-test-principal: name:role`), standing in for the sign-in hooks of serve's app.
 */
describe('the API\'s write routes', () => {
  let serving: Serving;
  let app: FastifyInstance;
  let base: string;
  let dir: string;
  let members: string;
  let log: () => string;
  const ALICE = { 'x-test-principal': 'alice:operator', 'content-type': 'application/json' };
  const VIC = { 'x-test-principal': 'vic:viewer', 'content-type': 'application/json' };

  beforeAll(async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    dir = folder.dir;
    log = folder.log;
    members = join(dir, 'members.json');
    writeFileSync(members, JSON.stringify({ members: ['ann@x.com', 'bob@x.com', 'cy@x.com'] }));
    serving = await folder.start();
    app = Fastify();
    app.decorateRequest('principal', undefined);
    app.addHook('onRequest', async (request) => {
      const header = request.headers['x-test-principal'];
      const [name, role] = typeof header === 'string' ? header.split(':') : [];
      if (name !== undefined && isRole(role)) request.principal = { name, role, via: 'password' };
    });
    await app.register(writeRoutes, { operations: serving.operations, heartbeatMs: 200 });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await serving?.stop();
  });

  const post = async (path: string, body: unknown = {}, headers: Record<string, string> = ALICE) => {
    const response = await app.inject({ method: 'POST', url: path, headers, payload: JSON.stringify(body) });
    return { status: response.statusCode, body: response.json() as any, headers: response.headers };
  };
  const meta = (runId: string): RunMeta => new RunStore(serving.runtime.services.store.root).openRun(runId).meta();
  /** Reads a progress stream until its `end` event (or `count` events). */
  const progress = async (runId: string, headers: Record<string, string> = {}, count = Infinity): Promise<Sse[]> => {
    const response = await fetch(`${base}/api/runs/${runId}/progress`, { headers: { 'x-test-principal': 'vic:viewer', ...headers } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events: Sse[] = [];
    const reader = response.body!.getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
      let cut: number;
      while ((cut = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        const fields = Object.fromEntries(block.split('\n').filter((line) => !line.startsWith(':') && line.includes(':')).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
        if (fields['event'] === undefined) continue;
        events.push({ ...(fields['id'] === undefined ? {} : { id: fields['id'] }), event: fields['event'], data: JSON.parse(fields['data'] ?? 'null') });
      }
      if (events.length >= count || events.at(-1)?.event === 'end') {
        await reader.cancel();
        break;
      }
    }
    return events;
  };

  it('lets only an operator write and a viewer read; anonymous requests get 401', async () => {
    expect(await post('/api/workflows/hr-leaver/disable', {}, { 'content-type': 'application/json' })).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORISED' } } });
    expect(await post('/api/workflows/hr-leaver/runs', { inputs: { email: 'ann@x.com', file: members } }, VIC)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'vic is a viewer; this needs the operator role' } } });
    const timers = await app.inject({ method: 'GET', url: '/api/timers', headers: VIC });
    expect(timers.statusCode).toBe(200);
    expect(new RunStore(serving.runtime.services.store.root).listRuns()).toEqual([]);
  });

  it('refuses bad input with 400 naming what is wrong, and unknown things with 404', async () => {
    const missing = await post('/api/workflows/hr-leaver/runs', { inputs: { email: 'not-an-email' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('INVALID_INPUT');
    expect(missing.body.error.message).toContain('hr-leaver');
    // Each input with a problem is named: the malformed email and the missing file.
    const problems = missing.body.error.problems as Array<{ path: string; message: string }>;
    expect(problems.find((p) => p.path === '/email')?.message).toMatch(/email/);
    expect(problems.some((p) => p.message.includes('"file"'))).toBe(true);
    expect(missing.body.error.message).toContain('"file"');
    expect(await post('/api/workflows/hr-leaver/plan', { inputs: {}, extra: 1 })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', message: 'body must NOT have additional properties: "extra"' } } });
    expect(await post('/api/workflows/hr-leaver/plan', { inputs: 'x' })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', message: expect.stringContaining('body/inputs must be object') } } });
    expect(await post('/api/workflows/Not_An_Id/enable')).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', message: expect.stringContaining('params/id') } } });
    expect(await post('/api/workflows/nope/runs', { inputs: {} })).toMatchObject({ status: 404, body: { error: { code: 'WORKFLOW_NOT_FOUND' } } });
    expect(await post('/api/runs/20990101-0000-zzzzzz/cancel')).toMatchObject({ status: 404, body: { error: { code: 'RUN_NOT_FOUND' } } });
    expect(await post('/api/runs/20990101-0000-zzzzzz/resume')).toMatchObject({ status: 404, body: { error: { code: 'RUN_NOT_FOUND' } } });
    expect(await post('/api/timers/tm-00000000-zzzzzzzz/cancel')).toMatchObject({ status: 404, body: { error: { code: 'TIMER_NOT_FOUND' } } });
    const stream = await fetch(`${base}/api/runs/20990101-0000-zzzzzz/progress`, { headers: VIC });
    expect(stream.status).toBe(404);
    expect(await stream.json()).toMatchObject({ error: { code: 'RUN_NOT_FOUND' } });
  });

  it('plans without changing anything, then starts a run that streams its progress to the end', async () => {
    const plan = await post('/api/workflows/hr-leaver/plan', { inputs: { email: 'ann@x.com', file: members } });
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({ workflow: { id: 'hr-leaver' }, subject: 'ann@x.com', steps: [{ id: 'remove' }, { id: 'done' }] });
    expect(new RunStore(serving.runtime.services.store.root).listRuns()).toEqual([]);

    const started = await post('/api/workflows/hr-leaver/runs', { inputs: { email: 'ann@x.com', file: members } });
    expect(started.status).toBe(202);
    const runId = started.body.run_id as string;
    expect(started.headers['location']).toBe(`/api/runs/${runId}`);
    const events = await progress(runId);
    expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'succeeded' } });
    const journal = events.filter((e) => e.event === 'journal');
    expect(journal[0]).toMatchObject({ id: '1', data: { type: 'run.started', runId } });
    expect(journal.map((e) => Number(e.id))).toEqual(journal.map((_, i) => i + 1));
    expect(journal.at(-1)?.data).toMatchObject({ type: 'run.finished', status: 'succeeded', output: { removed: 1 } });
    // Last-Event-ID: only what came after.
    const rest = await progress(runId, { 'last-event-id': String(journal.length - 1) });
    expect(rest.map((e) => e.event)).toEqual(['journal', 'end']);
    expect(rest[0]).toMatchObject({ id: String(journal.length), data: { type: 'run.finished' } });
    await eventually(() => journalListenerCount() === 0, 'the followers to let go');

    // Who started it, as serve's own runs record it: resumable by serve after a crash.
    expect(meta(runId)).toMatchObject({ initiatedBy: 'alice (operator via password)', trigger: { type: 'manual', source: 'idflow serve' }, subject: 'ann@x.com', status: 'succeeded' });
    const operations = join(serving.runtime.services.store.root, 'operations');
    expect(verifyAuditTrail(operations).ok).toBe(true);
    expect(log()).toContain(`alice (operator via password) run.start hr-leaver: run ${runId}`);
    expect(log()).toContain('alice (operator via password) workflow.plan hr-leaver');
  }, 60_000);

  it('cancels a running run at its next step boundary, refuses a second cancel, and resumes it', async () => {
    const gate = join(dir, 'bob.open');
    const started = await post('/api/workflows/hr-leaver/runs', { inputs: { email: 'bob@x.com', file: members, gate } });
    expect(started.status).toBe(202);
    const runId = started.body.run_id as string;
    await eventually(() => meta(runId).status === 'running', 'the run to be under way');
    // The run is not resumable while it runs.
    expect(await post(`/api/runs/${runId}/resume`)).toMatchObject({ status: 409, body: { error: { code: 'RUN_NOT_RESUMABLE' } } });
    const streaming = progress(runId);
    const cancelled = await post(`/api/runs/${runId}/cancel`);
    expect(cancelled).toMatchObject({ status: 202, body: { run_id: runId, status: 'cancelling' } });
    // The step in flight finishes: bob is removed; the run stops before "done".
    writeFileSync(gate, '');
    const events = await streaming;
    expect(events.at(-1)).toEqual({ event: 'end', data: { status: 'cancelled' } });
    expect(events.some((e) => e.data?.type === 'step.finished' && e.data.step === 'remove' && e.data.status === 'succeeded')).toBe(true);
    expect(events.some((e) => e.data?.type === 'step.started' && e.data.step === 'done')).toBe(false);
    expect(meta(runId)).toMatchObject({ status: 'cancelled', error: 'cancelled by alice (operator via password)' });
    const trail = new RunStore(serving.runtime.services.store.root).openRun(runId).audit.entries();
    expect(trail.find((e) => e.operation === 'run.cancel')).toMatchObject({ after: { cancelled_by: 'alice (operator via password)' } });

    expect(await post(`/api/runs/${runId}/cancel`)).toMatchObject({ status: 409, body: { error: { code: 'RUN_NOT_RUNNING', message: expect.stringContaining('cancelled') } } });
    expect(await post(`/api/runs/${runId}/resume`, {}, VIC)).toMatchObject({ status: 403 });
    expect(await post(`/api/runs/${runId}/resume`)).toMatchObject({ status: 202, body: { run_id: runId } });
    await eventually(() => meta(runId).status === 'succeeded', 'the resumed run to succeed');
    const entries = new RunStore(serving.runtime.services.store.root).openRun(runId).audit.entries();
    expect(entries.find((e) => e.operation === 'run.resume.request')?.note).toContain('alice (operator via password)');
    expect(log()).toContain(`alice (operator via password) run.cancel ${runId}`);
    expect(log()).toContain(`alice (operator via password) run.resume ${runId}`);
  }, 60_000);

  it('disables and enables a workflow, recording who did it', async () => {
    const off = await post('/api/workflows/hr-leaver/disable');
    expect(off).toMatchObject({ status: 200, body: { id: 'hr-leaver', enabled: false } });
    expect(await post('/api/workflows/hr-leaver/disable')).toMatchObject({ status: 200, body: { enabled: false } });
    const on = await post('/api/workflows/hr-leaver/enable');
    expect(on).toMatchObject({ status: 200, body: { enabled: true } });
    const operations = join(serving.runtime.services.store.root, 'operations');
    const trail = verifyAuditTrail(operations);
    expect(trail.ok).toBe(true);
    const lines = (await import('node:fs')).readFileSync(join(operations, 'audit.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((e) => String(e['operation']).startsWith('workflow.')).map((e) => [e['operation'], e['result'], e['initiated_by']])).toEqual([
      ['workflow.plan', 'info', 'alice (operator via password)'],
      ['workflow.disable', 'changed', 'alice (operator via password)'],
      ['workflow.disable', 'unchanged', 'alice (operator via password)'],
      ['workflow.enable', 'changed', 'alice (operator via password)'],
    ]);
  });

  it('lists timers and cancels a pending one once', async () => {
    const timers = new TimerStore(serving.runtime.services.store.root);
    const timer = timers.schedule({
      key: 'delete:cy@x.com',
      action: 'log',
      params: { message: 'delete cy' },
      description: 'Delete cy@x.com',
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      scheduledBy: { runId: '20261122-2305-k3x9p2', workflowId: 'hr-leaver' },
    });
    const listed = await app.inject({ method: 'GET', url: '/api/timers?state=pending', headers: VIC });
    expect(listed.json()).toMatchObject({ timers: [{ id: timer.id, state: 'pending' }] });
    expect((await app.inject({ method: 'GET', url: '/api/timers?state=soon', headers: VIC })).statusCode).toBe(400);
    expect(await post(`/api/timers/${timer.id}/cancel`, {}, VIC)).toMatchObject({ status: 403 });
    expect(await post(`/api/timers/${timer.id}/cancel`)).toMatchObject({ status: 200, body: { id: timer.id, state: 'cancelled', reason: expect.stringContaining('alice (operator via password)') } });
    expect(await post(`/api/timers/${timer.id}/cancel`)).toMatchObject({ status: 409, body: { error: { code: 'TIMER_NOT_PENDING' } } });
    expect(log()).toContain(`alice (operator via password) timer.cancel ${timer.id}`);
    expect(existsSync(join(serving.runtime.services.store.root, 'operations', 'audit.jsonl'))).toBe(true);
  });
});
