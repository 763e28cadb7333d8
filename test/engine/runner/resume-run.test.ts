import { describe, expect, it } from 'vitest';
import { startRun } from '../../../engine/runner/start-run.js';
import { resumeRun } from '../../../engine/runner/resume-run.js';
import { verifyAuditTrail } from '../../../engine/audit/verify-audit-trail.js';
import type { Workflow } from '../../../engine/language/types.js';
import { createTestServices } from './support/services.js';
import { step, workflow } from './support/workflow.js';
import { startRequest } from './support/request.js';

type Services = ReturnType<typeof createTestServices>;

const request = startRequest;

function resume(services: Services, runId: string, wf: Workflow, extra: { secretInputs?: Record<string, unknown>; signal?: AbortSignal } = {}) {
  return resumeRun({ handle: services.store.openRun(runId), workflow: wf, templateChanged: false, signal: extra.signal ?? new AbortController().signal, console: services.console, ...(extra.secretInputs ? { secretInputs: extra.secretInputs } : {}) }, services);
}

describe('resumeRun', () => {
  it('finishes a failed run once the cause is fixed, without repeating completed steps', async () => {
    const services = createTestServices();
    services.world.gateClosed = true;
    const wf = workflow(
      [step('one', 'test.value.echo', { with: { key: 'one', value: '{{vars.org}}' } }), step('gate', 'test.gate.pass'), step('three', 'test.value.echo', { with: { key: 'three' } })],
      { vars: { org: { type: 'string' } }, output: { one: '{{steps.one.output.value}}', gate: '{{steps.gate.output.passed}}' } },
    );
    const first = await startRun(request(wf, services, { vars: { org: 'acme' } }), services);
    expect(first).toMatchObject({ status: 'failed', failedStep: 'gate' });

    services.world.gateClosed = false;
    const resumed = await resume(services, first.runId, wf);
    expect(resumed).toMatchObject({ runId: first.runId, status: 'succeeded', output: { one: 'acme', gate: true } });
    expect(services.world.calls.get('echo:one')).toBe(1);
    expect(services.world.calls.get('gate:')).toBe(2);
    expect(services.world.calls.get('echo:three')).toBe(1);
    const run = services.store.openRun(first.runId);
    expect(run.meta()).toMatchObject({ status: 'succeeded' });
    expect(run.meta().failedStep).toBeUndefined();
    expect(run.events().filter((e) => e.type === 'run.resumed')).toHaveLength(1);
    expect(verifyAuditTrail(run.dir).ok).toBe(true);
    // Resuming a succeeded run is a no-op that returns its data.
    expect(await resume(services, first.runId, wf)).toMatchObject({ status: 'succeeded', output: { one: 'acme', gate: true } });
    expect(services.world.calls.get('gate:')).toBe(2);
  });

  it('continues an interrupted run from the interrupted step, keeping the counts of its earlier changes', async () => {
    const services = createTestServices();
    for (const g of ['a', 'b', 'c', 'd']) services.world.groups.add(g);
    const wf = workflow(
      [step('one', 'test.value.echo', { with: { key: 'one' } }), step('groups', 'test.groups.remove', { with: { crash_after: 2 }, retry: { attempts: 1, backoff: 'fixed', delayMs: 0, maxDelayMs: 0 } }), step('slow', 'test.clock.wait', { with: { ms: '{{inputs.ms}}' } })],
      { inputs: { ms: { type: 'integer' } }, output: { removed: '{{steps.groups.output.removed}}' } },
    );
    // First session: `groups` fails part-way (2 of 4 removed) and the run fails there.
    // `slow` is interrupted as it starts waiting (onWait below), so it need not be long.
    const first = await startRun(request(wf, services, { inputs: { ms: 300 } }), services);
    expect(first).toMatchObject({ status: 'failed', failedStep: 'groups' });
    expect(services.world.groups.size).toBe(2);
    // Second session: interrupted during `slow`.
    const controller = new AbortController();
    services.world.onWait = () => controller.abort(new Error('Interrupted by SIGTERM'));
    const second = await resume(services, first.runId, wf, { signal: controller.signal });
    services.world.onWait = undefined;
    expect(second.status).toBe('interrupted');
    expect(services.world.groups.size).toBe(0);
    // Third session: `slow` runs again; nothing else does. The run keeps its original inputs.
    const third = await resume(services, first.runId, wf);
    expect(third).toMatchObject({ status: 'succeeded', output: { removed: 4 } });
    expect(services.world.calls.get('echo:one')).toBe(1);
    expect(services.world.calls.get('groups')).toBe(2);
    expect(services.world.calls.get('wait:')).toBe(2);
    expect(verifyAuditTrail(services.store.openRun(first.runId).dir).ok).toBe(true);
  });

  it('resumes a foreach step by running only its failed and unfinished items', async () => {
    const services = createTestServices();
    const wf = workflow([step('each', 'test.flaky.call', { foreach: [{ k: 'a', f: 0 }, { k: 'b', f: 5 }, { k: 'c', f: 0 }], with: { key: '{{item.k}}', failures: '{{item.f}}' }, retry: { attempts: 1, backoff: 'fixed', delayMs: 0, maxDelayMs: 0 } })]);
    const first = await startRun(request(wf, services), services);
    expect(first.status).toBe('failed');
    const resumed = await resume(services, first.runId, wf);
    expect(resumed.status).toBe('failed');
    expect([...services.world.calls.entries()].sort()).toEqual([['flaky:a', 1], ['flaky:b', 2], ['flaky:c', 1]]);
  });

  it('asks for secret inputs again, since the record does not keep them', async () => {
    const services = createTestServices();
    services.world.gateClosed = true;
    const wf = workflow([step('gate', 'test.gate.pass'), step('use', 'test.value.echo', { with: { value: '{{inputs.token}}' } })], { inputs: { token: { type: 'string', secret: true } }, output: { token: '{{steps.use.output.value}}' } });
    const first = await startRun(request(wf, services, { inputs: { token: 'tok-abcdef-123456' } }), services);
    expect(first.status).toBe('failed');
    services.world.gateClosed = false;
    await expect(resume(services, first.runId, wf)).rejects.toThrow('needs its secret input again (the run record does not keep secrets): --input token=…');
    const resumed = await resume(services, first.runId, wf, { secretInputs: { token: 'tok-abcdef-123456' } });
    expect(resumed).toMatchObject({ status: 'succeeded', output: { token: 'tok-abcdef-123456' } });
    expect(JSON.stringify(services.store.openRun(first.runId).output())).not.toContain('tok-abcdef');
  });
});
