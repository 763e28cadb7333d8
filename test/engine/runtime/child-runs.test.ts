import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../../engine/runtime/runtime.js';
import { resolveChildTemplate } from '../../../engine/runtime/child-runs.js';
import { startRun } from '../../../engine/runner/start-run.js';
import { resumeRun } from '../../../engine/runner/resume-run.js';
import { repoRoot, waitFor } from '../../support/cli.js';

const plugin = join(repoRoot, 'test', 'fixtures', 'plugins', 'file-state.mjs');
const silent = { stream: new Writable({ write: (_c, _e, cb) => cb() }), mode: 'silent' as const };

function folder(): { dir: string; state: string; gate: string } {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-child-'));
  const state = join(dir, 'state.json');
  const gate = join(dir, 'gate');
  writeFileSync(state, JSON.stringify({ members: ['a', 'b'] }));
  writeFileSync(join(dir, 'child.yaml'), [
    'id: child',
    'name: Child',
    'triggers: [{ type: workflow }]',
    'steps:',
    `  - { id: first, action: fixture.members.remove, with: { file: ${JSON.stringify(state)}, members: [a], wait_for: ${JSON.stringify(gate)} } }`,
    `  - { id: second, action: fixture.members.remove, with: { file: ${JSON.stringify(state)}, members: [b] } }`,
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'parent.yaml'), 'id: parent\nname: Parent\nsteps:\n  - { id: call, action: workflow.run, with: { workflow: child, inputs: {} } }\n');
  return { dir, state, gate };
}

describe('child runs', () => {
  it('are refused before their first step when the inputs the parent gives make a parameter invalid; the parent step fails saying why', async () => {
    const { dir, state } = folder();
    writeFileSync(join(dir, 'checked-child.yaml'), [
      'id: checked-child',
      'name: Checked child',
      'inputs: { delay: { type: integer, required: true } }',
      'triggers: [{ type: workflow }]',
      'steps:',
      `  - { id: first, action: fixture.members.remove, with: { file: ${JSON.stringify(state)}, members: [a] } }`,
      `  - { id: second, action: fixture.members.remove, with: { file: ${JSON.stringify(state)}, members: [b], delay_ms: "{{inputs.delay}}" } }`,
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'checked-parent.yaml'), 'id: checked-parent\nname: Parent\nsteps:\n  - { id: call, action: workflow.run, with: { workflow: checked-child, inputs: { delay: -5 } } }\n');
    const runtime = await Runtime.create({ cwd: dir, env: {}, plugins: [plugin], store: join(dir, 'store') });
    try {
      const parent = await runtime.loadWorkflow('checked-parent.yaml');
      const outcome = await startRun({
        workflow: parent.workflow,
        template: { path: parent.file, text: parent.source, hash: parent.hash },
        inputs: {},
        vars: {},
        trigger: { type: 'manual' },
        initiatedBy: 'tester',
        signal: new AbortController().signal,
        console: silent,
      }, runtime.services);
      expect(outcome.status).toBe('failed');
      expect(outcome.error?.message).toContain('step "second" (fixture.members.remove): parameter "delay_ms" must be >= 0, got -5');
      expect(runtime.services.store.listRuns({ workflow: 'checked-child' })).toEqual([]);
      expect(JSON.parse(readFileSync(state, 'utf8')).members).toEqual(['a', 'b']);
    } finally {
      await runtime.close();
    }
  });

  it('stop at their next step boundary when the parent is drained, and both resume to the end', async () => {
    const { dir, state, gate } = folder();
    const runtime = await Runtime.create({ cwd: dir, env: {}, plugins: [plugin], store: join(dir, 'store') });
    try {
      const parent = await runtime.loadWorkflow('parent.yaml');
      const drain = new AbortController();
      const store = runtime.services.store;
      // Drain once the child's first step is in flight (it waits at the gate), then let it finish.
      const childStepStarted = () => store.listRuns({ workflow: 'child' }).some((run) => store.openRun(run.id).events().some((e) => e.type === 'step.started' && e.step === 'first'));
      void waitFor(childStepStarted, 15_000, "the child's first step").then(() => {
        drain.abort(new Error('shutting down'));
        writeFileSync(gate, '');
      });
      const first = await startRun({
        workflow: parent.workflow,
        template: { path: parent.file, text: parent.source, hash: parent.hash },
        inputs: {},
        vars: {},
        trigger: { type: 'manual' },
        initiatedBy: 'tester',
        signal: new AbortController().signal,
        drain: drain.signal,
        console: silent,
      }, runtime.services);
      expect(first.status).toBe('interrupted');
      // The child finished the step in flight and stopped before its second one.
      expect(JSON.parse(readFileSync(state, 'utf8')).members).toEqual(['b']);
      const [childId] = runtime.services.store.openRun(first.runId).meta().childRunIds;
      expect(runtime.services.store.openRun(childId as string).meta().status).toBe('interrupted');

      const resumed = await resumeRun({ handle: runtime.services.store.openRun(first.runId), workflow: parent.workflow, templateChanged: false, signal: new AbortController().signal, console: silent }, runtime.services);
      expect(resumed.status).toBe('succeeded');
      expect(JSON.parse(readFileSync(state, 'utf8')).members).toEqual([]);
      expect(runtime.services.store.openRun(childId as string).meta().status).toBe('succeeded');
    } finally {
      await runtime.close();
    }
  });

  it('find a template by path, by path without .yaml, or by the id of a shipped template', () => {
    const { dir } = folder();
    const parent = join(dir, 'parent.yaml');
    expect(resolveChildTemplate('child.yaml', parent)).toBe(join(dir, 'child.yaml'));
    expect(resolveChildTemplate('child', parent)).toBe(join(dir, 'child.yaml'));
    expect(resolveChildTemplate('jumpcloud-offboarding', parent)).toBe(join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml'));
    expect(() => resolveChildTemplate('nope', parent)).toThrow(/Sub-workflow "nope" not found; looked for/);
  });
});
