import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowRunAction } from '../../../actions/core/workflow-run.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { Runtime } from '../../../engine/runtime/runtime.js';
import { startRun } from '../../../engine/runner/start-run.js';
import { resumeRun } from '../../../engine/runner/resume-run.js';
import { buildRunReport } from '../../../engine/store/run-report.js';

const plugin = resolve('test/fixtures/plugins/file-state.mjs');
const silent = { stream: new Writable({ write: (_c, _e, cb) => cb() }), mode: 'silent' as const };

/** A loopback endpoint that answers 400 until it is "fixed", then 200. */
let server: Server;
let url: string;
let broken = true;
let calls = 0;
beforeAll(async () => {
  server = createServer((_request, response) => {
    calls++;
    response.writeHead(broken ? 400 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: !broken }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hr`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function folder(): { dir: string; state: string } {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-subflow-'));
  const state = join(dir, 'members.json');
  writeFileSync(state, JSON.stringify({ members: ['ann', 'bob'] }));
  writeFileSync(join(dir, 'child.yaml'), [
    'id: child-offboarding',
    'name: Child offboarding',
    'inputs:',
    '  who: { type: string, required: true }',
    '  state: { type: string, required: true }',
    '  url: { type: string, required: true }',
    'triggers: [{ type: workflow }]',
    'steps:',
    '  - id: remove',
    '    action: fixture.members.remove',
    '    with: { file: "{{inputs.state}}", members: ["{{inputs.who}}"] }',
    '  - id: tell_hr',
    '    action: http.request',
    '    with: { url: "{{inputs.url}}" }',
    'output:',
    '  removed: "{{steps.remove.output.removed}}"',
    '  who: "{{inputs.who}}"',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'parent.yaml'), [
    'id: wider-offboarding',
    'name: Wider offboarding',
    'inputs:',
    '  who: { type: string, required: true }',
    '  state: { type: string, required: true }',
    '  url: { type: string, required: true }',
    'steps:',
    '  - id: jumpcloud',
    '    action: workflow.run',
    '    with:',
    '      workflow: child',
    '      inputs: { who: "{{inputs.who}}", state: "{{inputs.state}}", url: "{{inputs.url}}" }',
    '  - id: after',
    '    action: log',
    '    with: { message: "child {{steps.jumpcloud.output.run_id}} removed {{steps.jumpcloud.output.output.removed}}" }',
    'output:',
    '  child: "{{steps.jumpcloud.output}}"',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'not-a-child.yaml'), 'id: not-a-child\nname: Manual only\nsteps:\n  - { id: hello, action: log, with: { message: hi } }\n');
  return { dir, state };
}

describe('workflow.run', () => {
  it('runs a child linked to its parent, fails the step with the child run id, and resumes that child on resume', async () => {
    const { dir, state } = folder();
    const runtime = await Runtime.create({ cwd: dir, env: {}, plugins: [plugin], store: join(dir, 'store') });
    try {
      runtime.services.retryDelayScale = 0.001;
      const parent = await runtime.loadWorkflow('parent.yaml');
      broken = true;
      const first = await startRun({
        workflow: parent.workflow,
        template: { path: parent.file, text: parent.source, hash: parent.hash },
        inputs: { who: 'ann', state, url },
        vars: {},
        trigger: { type: 'manual' },
        initiatedBy: 'admin@x.com',
        reason: 'leaver',
        signal: new AbortController().signal,
        console: silent,
      }, runtime.services);
      expect(first.status).toBe('failed');
      const store = runtime.services.store;
      const parentRun = store.openRun(first.runId);
      const [childId] = parentRun.meta().childRunIds;
      expect(childId).toBeDefined();
      const child = store.openRun(childId as string);
      expect(child.meta()).toMatchObject({ status: 'failed', parentRunId: first.runId, trigger: { type: 'workflow', source: first.runId }, initiatedBy: 'admin@x.com', reason: 'leaver', workflow: { id: 'child-offboarding' } });
      expect(first.error?.message).toContain(`Sub-workflow "child" failed in run ${childId}`);
      expect(first.error?.code).toBe('CHILD_FAILED');
      const report = buildRunReport(parentRun.meta(), parentRun.events());
      expect(report.steps[0]?.childRuns).toEqual([expect.objectContaining({ runId: childId, workflowId: 'child-offboarding' })]);
      expect(JSON.parse(readFileSync(state, 'utf8')).members).toEqual(['bob']);

      // Fix the cause; resuming the parent resumes the child it started, not a second child.
      broken = false;
      const resumed = await resumeRun({ handle: store.openRun(first.runId), workflow: parent.workflow, templateChanged: false, signal: new AbortController().signal, console: silent }, runtime.services);
      expect(resumed.status).toBe('succeeded');
      expect(store.openRun(first.runId).meta().childRunIds).toEqual([childId]);
      expect(store.listRuns({ workflow: 'child-offboarding' }).map((m) => m.id)).toEqual([childId]);
      expect(store.openRun(childId as string).meta().status).toBe('succeeded');
      expect(resumed.output).toEqual({ child: { run_id: childId, status: 'succeeded', output: { removed: 1, who: 'ann' } } });
      // The child's first step ran once: the resumed child did not repeat it.
      const childSteps = buildRunReport(store.openRun(childId as string).meta(), store.openRun(childId as string).events()).steps;
      expect(childSteps.map((s) => [s.step, s.status, s.attempts])).toEqual([['remove', 'succeeded', 1], ['tell_hr', 'succeeded', 2]]);
      // changed is the child's: it removed a member.
      const parentEvents = store.openRun(first.runId).events();
      expect(parentEvents.filter((e) => e.type === 'step.finished' && e.step === 'jumpcloud' && e.status === 'succeeded').map((e) => (e as { changed?: boolean }).changed)).toEqual([true]);
    } finally {
      await runtime.close();
    }
  });

  it('refuses a template that does not declare {type: workflow}, and a missing one, clearly', async () => {
    const { dir, state } = folder();
    const runtime = await Runtime.create({ cwd: dir, env: {}, plugins: [plugin], store: join(dir, 'store') });
    try {
      const parent = await runtime.loadWorkflow('parent.yaml');
      for (const [target, message] of [['not-a-child', /cannot run as a sub-workflow: it does not declare the trigger \{type: workflow\}/], ['nowhere', /Sub-workflow "nowhere" not found; looked for/]] as const) {
        const wf = { ...parent.workflow, steps: [{ ...(parent.workflow.steps[0] as (typeof parent.workflow.steps)[number]), with: { workflow: target, inputs: { who: 'ann', state, url } } }] };
        const outcome = await startRun({ workflow: wf, template: { path: parent.file, text: parent.source, hash: parent.hash }, inputs: { who: 'ann', state, url }, vars: {}, trigger: { type: 'manual' }, initiatedBy: 'a', signal: new AbortController().signal, console: silent }, runtime.services);
        expect(outcome.status).toBe('failed');
        expect(outcome.error?.message).toMatch(message);
      }
    } finally {
      await runtime.close();
    }
  });

  it('passes the child\'s output, status and changed through, and plans without running anything', async () => {
    const ctx = createMockActionContext({
      runWorkflow: async (request) => ({ runId: 'child-1', status: 'succeeded', changed: false, output: { got: request.inputs } }),
    });
    expect(await workflowRunAction.run(ctx, { workflow: 'jumpcloud-offboarding', inputs: { user_identifier: 'a@x.com' } })).toEqual({
      changed: false,
      output: { run_id: 'child-1', status: 'succeeded', output: { got: { user_identifier: 'a@x.com' } } },
      summary: 'jumpcloud-offboarding: run child-1 succeeded, changed nothing',
    });
    const plan = await workflowRunAction.plan?.(createMockActionContext({ dryRun: true }), { workflow: 'jumpcloud-offboarding', inputs: { user_identifier: 'a@x.com' } });
    expect(plan).toMatchObject({ summary: 'would run jumpcloud-offboarding', changes: [{ target: 'sub-workflow "jumpcloud-offboarding"', operation: 'run', after: { inputs: { user_identifier: 'a@x.com' } } }] });
    expect(plan?.output).toBeUndefined();
    const failing = createMockActionContext({ runWorkflow: async () => ({ runId: 'child-2', status: 'failed', changed: true, output: null, error: 'step lookup: no such user' }) });
    await expect(workflowRunAction.run(failing, { workflow: 'x', inputs: {} })).rejects.toThrow('Sub-workflow "x" failed in run child-2: step lookup: no such user');
  });
});
