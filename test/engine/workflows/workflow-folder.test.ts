import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../../engine/runtime/runtime.js';
import { loadWorkflowFolder } from '../../../engine/workflows/workflow-folder.js';
import { WorkflowStateStore } from '../../../engine/workflows/workflow-state.js';
import { summariseWorkflows } from '../../../engine/workflows/workflow-summary.js';

const GOOD = 'id: nightly\nname: Nightly\ntriggers:\n  - { type: schedule, cron: "0 2 * * *", timezone: Europe/Berlin }\n  - { type: event, event: hr.employee.hired }\n  - { type: workflow }\nsteps:\n  - { id: hello, action: log, with: { message: hi } }\n';

async function load(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-folder-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const runtime = await Runtime.create({ cwd: dir, env: {}, store: join(dir, 'store') });
  return { dir, runtime, folder: await loadWorkflowFolder(runtime, '.', dir) };
}

describe('loadWorkflowFolder', () => {
  it('loads every template of the folder (not other files), in name order', async () => {
    const { runtime, folder } = await load({ 'b.yaml': GOOD.replace('nightly', 'second'), 'a.yml': GOOD, 'notes.txt': 'not a template' });
    expect(folder.problems).toEqual([]);
    expect(folder.workflows.map((w) => w.workflow.id)).toEqual(['nightly', 'second']);
    await runtime.close();
  });

  it('leaves out template tests beside their templates (idflow test runs them, serve does not)', async () => {
    const { runtime, folder } = await load({ 'a.yaml': GOOD, 'a.test.yaml': 'cases:\n  - name: logs\n    inputs: {}\n    expect: { status: succeeded }\n' });
    expect(folder.problems).toEqual([]);
    expect(folder.workflows.map((w) => w.file.split('/').pop())).toEqual(['a.yaml']);
    await runtime.close();
  });

  it('lists every problem: template errors, bad cron expressions and time zones, duplicate ids', async () => {
    const { runtime, folder } = await load({
      'a.yaml': GOOD,
      'b.yaml': GOOD,
      'c.yaml': 'id: cron-typo\nname: C\ntriggers: [{ type: schedule, cron: "0 25 * * *", timezone: Europe/Berln }]\nsteps:\n  - { id: hello, action: log, with: { message: hi } }\n',
      'd.yaml': 'id: broken\nname: D\ntriggers: [{ type: schedule, cron: "every day" }]\nsteps:\n  - { id: hello, action: lgo, with: { message: hi } }\n',
    });
    const summary = folder.problems.map((p) => [p.file.split('/').pop(), p.line, p.code, p.message]);
    expect(summary).toEqual(expect.arrayContaining([
      ['b.yaml', 1, 'duplicate-workflow-id', expect.stringContaining('the workflow id "nightly" is already used by')],
      ['c.yaml', 3, 'invalid-timezone', '"Europe/Berln" is not an IANA time zone'],
      ['c.yaml', 3, 'invalid-cron', expect.stringMatching(/^"0 25 \* \* \*" is not a cron expression: /)],
      ['d.yaml', 5, 'unknown-action', expect.any(String)],
      ['d.yaml', 3, 'invalid-cron', expect.stringMatching(/^"every day" is not a cron expression/)],
    ]));
    expect(folder.problems.find((p) => p.code === 'invalid-timezone')?.suggestion).toMatch(/^Did you mean "Europe\/Berlin"/);
    expect(folder.workflows.map((w) => w.workflow.id)).toEqual(['nightly']);
    await runtime.close();
  });

  it('reports a missing folder as a problem', async () => {
    const { dir, runtime } = await load({});
    const missing = await loadWorkflowFolder(runtime, 'nowhere', dir);
    expect(missing.problems).toEqual([expect.objectContaining({ code: 'folder-not-found', message: `the workflows folder ${join(dir, 'nowhere')} does not exist` })]);
    await runtime.close();
  });
});

describe('summariseWorkflows', () => {
  it('shows state, triggers, the last run and the next slot (none while disabled)', async () => {
    const { runtime, folder } = await load({ 'a.yaml': GOOD });
    const states = new WorkflowStateStore(runtime.services.store.root);
    const now = new Date('2026-11-22T10:00:00Z');
    const [summary] = summariseWorkflows(folder.workflows, { states, store: runtime.services.store, now });
    expect(summary).toMatchObject({
      id: 'nightly', name: 'Nightly', enabled: true, lastRun: null, nextScheduled: '2026-11-23T01:00:00.000Z',
      triggers: [{ type: 'schedule', cron: '0 2 * * *', timezone: 'Europe/Berlin', next: '2026-11-23T01:00:00.000Z' }, { type: 'event', event: 'hr.employee.hired' }, { type: 'workflow' }],
    });
    states.set('nightly', false, { changedBy: 'ops' });
    expect(summariseWorkflows(folder.workflows, { states, store: runtime.services.store, now })[0]).toMatchObject({ enabled: false, changedBy: 'ops', nextScheduled: null, triggers: [{ type: 'schedule', next: null }, {}, {}] });
    await runtime.close();
  });
});
