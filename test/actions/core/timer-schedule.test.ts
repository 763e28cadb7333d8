import { describe, expect, it } from 'vitest';
import { timerScheduleAction } from '../../../actions/core/timer-schedule.js';
import { workflowRunAction } from '../../../actions/core/workflow-run.js';
import { PermanentError } from '../../../engine/errors/action-errors.js';
import { loadWorkflowSource } from '../../../engine/loader/load-workflow.js';
import { createRunLogger } from '../../../engine/logging/run-logger.js';
import type { Workflow } from '../../../engine/language/types.js';
import type { TimerRequest } from '../../../engine/plugin-api/context.js';
import { planRun } from '../../../engine/runner/plan-run.js';
import { resumeRun } from '../../../engine/runner/resume-run.js';
import { startRun } from '../../../engine/runner/start-run.js';
import { fireTimer } from '../../../engine/timers/fire-timer.js';
import { createPendingTimerFinder, createTimerScheduler } from '../../../engine/timers/timer-scheduler.js';
import { TimerStore } from '../../../engine/timers/timer-store.js';
import { createTimerRuntime, type UserWorld } from '../../engine/timers/support/timer-world.js';

const DAY = 86_400_000;

/** The timer world (users to delete if still suspended) with timer.schedule and a real timer store. */
function setup(options: { sandbox?: boolean } = {}) {
  const world: UserWorld = { users: new Map([['u1', 'suspended'], ['u2', 'suspended']]), deletes: 0 };
  const runtime = createTimerRuntime(world, options);
  runtime.registry.register(timerScheduleAction, 'builtin:core');
  runtime.registry.register(workflowRunAction, 'builtin:core');
  const timers = new TimerStore(runtime.services.store.root);
  const sandbox = options.sandbox === true;
  runtime.services.scheduleTimer = createTimerScheduler({ timers, registry: runtime.registry, store: runtime.services.store, sandbox, redactor: runtime.services.redactor });
  runtime.services.pendingTimer = createPendingTimerFinder(timers, sandbox);
  return { world, runtime, timers };
}

type Setup = ReturnType<typeof setup>;

async function load(setupped: Setup, text: string): Promise<Workflow> {
  const result = await loadWorkflowSource(text, '/tmp/schedule.yaml', { registry: setupped.runtime.registry });
  if (result.workflow === undefined) throw new Error(result.problems.map((p) => p.message).join('; '));
  return result.workflow;
}

async function problems(setupped: Setup, text: string): Promise<string[]> {
  const result = await loadWorkflowSource(text, '/tmp/schedule.yaml', { registry: setupped.runtime.registry });
  return result.problems.map((p) => `${p.message}${p.suggestion === undefined ? '' : ` (${p.suggestion})`}`);
}

/** A template with one timer.schedule step; `extra` lines are added to its `with:`. */
function template(extra: string[], options: { inputs?: boolean } = {}): string {
  return [
    'id: deferred-delete',
    'name: Deferred delete',
    ...(options.inputs === false ? [] : ['inputs:', '  user: { type: string, required: true }']),
    'steps:',
    '  - id: later',
    '    action: timer.schedule',
    '    with:',
    '      action: test.user.delete_if_suspended',
    '      with: { user_id: "{{inputs.user}}" }',
    '      key: "delete:{{inputs.user}}"',
    '      description: "Delete {{inputs.user}} if still suspended"',
    ...extra.map((line) => `      ${line}`),
    'output:',
    '  timer: "{{steps.later.output}}"',
    '',
  ].join('\n');
}

async function run(setupped: Setup, wf: Workflow, inputs: Record<string, unknown>) {
  const { runtime } = setupped;
  return startRun({
    workflow: wf,
    template: { path: '/tmp/schedule.yaml', text: 'id: deferred-delete\n', hash: 'abc' },
    inputs,
    vars: {},
    trigger: { type: 'manual' },
    initiatedBy: 'tester',
    signal: new AbortController().signal,
    console: runtime.console,
  }, runtime.services);
}

async function plan(setupped: Setup, wf: Workflow, inputs: Record<string, unknown>) {
  const { runtime } = setupped;
  const logger = createRunLogger({ runId: 'plan-1', workflowId: wf.id, redactor: runtime.services.redactor, console: { stream: runtime.console.stream, mode: 'silent' } });
  const data = { inputs, vars: {}, event: {}, steps: {}, run: { id: 'plan-1', workflow_id: wf.id, started_at: new Date().toISOString(), initiated_by: 'tester', dry_run: true } };
  try {
    return await planRun({ workflow: wf, data, logger, signal: new AbortController().signal }, runtime.services);
  } finally {
    await logger.close();
  }
}

function stepOf(setupped: Setup, runId: string) {
  const events = setupped.runtime.services.store.openRun(runId).events();
  return events.filter((e) => e.type === 'step.finished').at(-1) as { changed?: boolean; summary?: string } | undefined;
}

describe('timer.schedule', () => {
  it('plans without scheduling, runs once, and a rerun keeps the same timer (unchanged)', async () => {
    const s = setup();
    const wf = await load(s, template(['at: "2030-01-15"', 'timezone: Europe/Paris']));

    const planned = await plan(s, wf, { user: 'u1' });
    expect(planned.steps[0]).toMatchObject({ status: 'would_run', changes: [{ target: 'timer "delete:u1"', operation: 'schedule', result: 'changed', after: { action: 'test.user.delete_if_suspended', params: { user_id: 'u1' }, due_at: '2030-01-14T23:00:00.000Z' } }] });
    expect(s.timers.list()).toEqual([]);

    const first = await run(s, wf, { user: 'u1' });
    expect(first.status).toBe('succeeded');
    const [timer] = s.timers.list();
    expect(timer).toMatchObject({ state: 'pending', key: 'delete:u1', action: 'test.user.delete_if_suspended', params: { user_id: 'u1' }, dueAt: '2030-01-14T23:00:00.000Z', description: 'Delete u1 if still suspended', scheduledBy: { runId: first.runId, workflowId: 'deferred-delete' } });
    expect(first.output).toEqual({ timer: { timer_id: timer?.id, due_at: '2030-01-14T23:00:00.000Z', key: 'delete:u1', replaced: null } });
    expect(stepOf(s, first.runId)).toMatchObject({ changed: true, summary: expect.stringContaining(`scheduled for 2030-01-14T23:00:00.000Z (timer ${timer?.id})`) });
    // Journaled and audited like any effect.
    const record = s.runtime.services.store.openRun(first.runId);
    expect(record.events().filter((e) => e.type === 'timer.scheduled')).toMatchObject([{ step: 'later', timerId: timer?.id, key: 'delete:u1' }]);
    expect(record.audit.entries().filter((e) => e.operation === 'timer.schedule')).toMatchObject([{ step: 'later', result: 'changed', after: { timerId: timer?.id } }]);

    const replanned = await plan(s, wf, { user: 'u1' });
    expect(replanned.steps[0]).toMatchObject({ changes: [{ result: 'unchanged', note: `timer ${timer?.id} is already pending` }] });
    const second = await run(s, wf, { user: 'u1' });
    expect(second.output).toEqual(first.output);
    expect(stepOf(s, second.runId)).toMatchObject({ changed: false, summary: expect.stringContaining('already scheduled') });
    expect(s.timers.list().map((t) => t.id)).toEqual([timer?.id]);
    expect(s.runtime.services.store.openRun(second.runId).events().filter((e) => e.type === 'timer.scheduled')).toEqual([]);
  });

  it('counts a delay (after) from the first scheduling: a rerun does not push it out', async () => {
    const s = setup();
    const wf = await load(s, template(['after: 14d']));
    const before = Date.now();
    const first = await run(s, wf, { user: 'u1' });
    const due = Date.parse((first.output as { timer: { due_at: string } }).timer.due_at);
    expect(due).toBeGreaterThanOrEqual(before + 14 * DAY);
    expect(due).toBeLessThanOrEqual(Date.now() + 14 * DAY);
    await new Promise((r) => setTimeout(r, 5));
    const second = await run(s, wf, { user: 'u1' });
    expect(second.output).toEqual(first.output);
    expect(stepOf(s, second.runId)?.changed).toBe(false);
    const replanned = await plan(s, wf, { user: 'u1' });
    expect(replanned.steps[0]).toMatchObject({ changes: [{ result: 'unchanged' }] });
  });

  it('replaces the pending timer with the same key when the due time or parameters differ, and says which', async () => {
    const s = setup();
    const first = await run(s, await load(s, template(['at: "2030-01-15"'])), { user: 'u1' });
    const oldId = (first.output as { timer: { timer_id: string } }).timer.timer_id;
    const moved = await load(s, template(['at: "2030-02-01T09:30"']));
    const planned = await plan(s, moved, { user: 'u1' });
    expect(planned.steps[0]).toMatchObject({ changes: [{ result: 'changed', before: { timer_id: oldId, due_at: '2030-01-15T00:00:00.000Z' }, after: { due_at: '2030-02-01T09:30:00.000Z' }, note: expect.stringContaining(`replacing timer ${oldId}`) }] });
    const second = await run(s, moved, { user: 'u1' });
    expect(second.output).toMatchObject({ timer: { due_at: '2030-02-01T09:30:00.000Z', replaced: oldId } });
    expect(s.timers.get(oldId)).toMatchObject({ state: 'cancelled', replacedBy: (second.output as { timer: { timer_id: string } }).timer.timer_id });
    expect(s.timers.list({ states: ['pending'] })).toHaveLength(1);
    // Another subject's key is another timer.
    await run(s, moved, { user: 'u2' });
    expect(s.timers.list({ states: ['pending'] }).map((t) => t.key).sort()).toEqual(['delete:u1', 'delete:u2']);
  });

  it('resumed after the timer was written but before the step finished, finds its own timer: changed, once', async () => {
    const s = setup();
    const real = s.runtime.services.scheduleTimer;
    let crash = true;
    s.runtime.services.scheduleTimer = async (timer: TimerRequest, runId: string, workflowId: string) => {
      const scheduled = await real?.(timer, runId, workflowId);
      if (crash) {
        crash = false;
        throw new PermanentError('the disk filled up after the timer was written');
      }
      return scheduled as NonNullable<typeof scheduled>;
    };
    const wf = await load(s, template(['at: "2030-01-15"']));
    const failed = await run(s, wf, { user: 'u1' });
    expect(failed.status).toBe('failed');
    expect(s.timers.list({ states: ['pending'] })).toHaveLength(1);
    const resumed = await resumeRun({ handle: s.runtime.services.store.openRun(failed.runId), workflow: wf, templateChanged: false, signal: new AbortController().signal, console: s.runtime.console }, s.runtime.services);
    expect(resumed.status).toBe('succeeded');
    expect(stepOf(s, failed.runId)?.changed).toBe(true);
    expect(s.timers.list().map((t) => t.state)).toEqual(['pending']);
    expect(resumed.output).toMatchObject({ timer: { timer_id: s.timers.list()[0]?.id, replaced: null } });
  });

  it('fires through idflow serve\'s firing path and does its work', async () => {
    const s = setup();
    const scheduled = await run(s, await load(s, template(['at: "2020-01-01T00:00:00Z"'])), { user: 'u1' });
    expect(stepOf(s, scheduled.runId)?.summary).toContain('already past: it fires at the next check of idflow serve');
    const [due] = s.timers.due();
    expect(due?.key).toBe('delete:u1');
    const firing = await fireTimer(due as NonNullable<typeof due>, { runtime: s.runtime, timers: s.timers, signal: new AbortController().signal, console: s.runtime.console });
    expect(firing).toMatchObject({ kind: 'finished', timer: { state: 'fired', reason: 'deleted user u1' } });
    expect(s.world.users.get('u1')).toBe('deleted');
  });

  it('defaults the key to the workflow, the action and the parameters, and the description to the action', async () => {
    const s = setup();
    const wf = await load(s, [
      'id: deferred-delete',
      'name: Deferred delete',
      'steps:',
      '  - id: later',
      '    action: timer.schedule',
      '    with: { action: test.user.delete_if_suspended, with: { user_id: u1 }, after: 1h }',
      '',
    ].join('\n'));
    await run(s, wf, {});
    await run(s, wf, {});
    const [timer] = s.timers.list();
    expect(s.timers.list()).toHaveLength(1);
    expect(timer?.key).toMatch(/^deferred-delete:test\.user\.delete_if_suspended:[0-9a-f]{16}$/);
    expect(timer?.description).toBe('test.user.delete_if_suspended (scheduled by deferred-delete)');
  });

  it('is refused at load: an unknown action, its parameters, neither or both of at and after, a bad delay', async () => {
    const s = setup();
    expect(await problems(s, template(['at: "2030-01-15"']).replace('action: test.user.delete_if_suspended', 'action: test.user.delete_if_suspend'))).toEqual([expect.stringMatching(/^unknown action "test\.user\.delete_if_suspend" \(Did you mean "test\.user\.delete_if_suspended"\?\)/)]);
    expect(await problems(s, template(['at: "2030-01-15"']).replace('with: { user_id: "{{inputs.user}}" }', 'with: { user: u1 }'))).toEqual(['unknown parameter "user" for action "test.user.delete_if_suspended" (Did you mean "user_id"?)']);
    expect(await problems(s, template(['at: "2030-01-15"']).replace('with: { user_id: "{{inputs.user}}" }', 'with: {}'))).toEqual(['action "test.user.delete_if_suspended" is missing the required parameter "user_id"']);
    expect(await problems(s, template([]))).toEqual(['the parameters of action "timer.schedule" must set one of "at" or "after"']);
    expect(await problems(s, template(['at: "2030-01-15"', 'after: 14d']))).toEqual(['the parameters of action "timer.schedule" must set only one of "at" or "after", not both']);
    expect(await problems(s, template(['after: 14 days']))).toEqual(['"after" must be text matching /^[0-9]+(ms|s|m|h|d|w)$/; got "14 days"']);
    expect(await problems(s, template(['after: "{{inputs.user}}"']))).toEqual([]);
  });

  it('is refused when run: a bad date or time zone, a timezone with after, a parameter holding a secret, a secret parameter', async () => {
    const s = setup();
    const fails = async (extra: string[], inputs: Record<string, unknown>, message: RegExp) => {
      const outcome = await run(s, await load(s, template(extra)), inputs);
      expect(outcome.status).toBe('failed');
      expect(outcome.error?.message).toMatch(message);
    };
    await fails(['at: "2030-02-30"'], { user: 'u1' }, /timer\.schedule: at must be a date \(2026-12-01\) or date-time .* got "2030-02-30"/);
    await fails(['at: "2030-01-15"', 'timezone: Europe/Pariss'], { user: 'u1' }, /timezone "Europe\/Pariss" is not a time zone/);
    await fails(['after: 1d', 'timezone: Europe/Paris'], { user: 'u1' }, /timezone only applies to at/);
    s.runtime.services.redactor.add('s3cr3t-token-value');
    await fails(['at: "2030-01-15"'], { user: 'x-s3cr3t-token-value' }, /parameter "user_id" of "test\.user\.delete_if_suspended" holds a secret/);
    const secretive = await load(s, template(['at: "2030-01-15"']).replace('action: test.user.delete_if_suspended', 'action: test.secret.send').replace('with: { user_id: "{{inputs.user}}" }', 'with: { token: "{{inputs.user}}" }'));
    const outcome = await run(s, secretive, { user: 'abcd1234' });
    expect(outcome.error?.message).toMatch(/parameter "token" of "test\.secret\.send" is a secret/);
    const relative = await load(s, [
      'id: deferred-child',
      'name: Deferred child',
      'steps:',
      '  - id: later',
      '    action: timer.schedule',
      '    with: { action: workflow.run, with: { workflow: ./child.yaml, inputs: {} }, after: 1d }',
      '',
    ].join('\n'));
    const refused = await run(s, relative, {});
    expect(refused.error?.message).toMatch(/with\.workflow "\.\/child\.yaml" is a path relative to this template.*give a shipped template id/);
    expect(s.timers.list()).toEqual([]);
  });

  it('keeps a sandbox run\'s timer apart from a real one with the same key', async () => {
    const real = setup();
    await run(real, await load(real, template(['at: "2030-01-15"'])), { user: 'u1' });
    expect(await createPendingTimerFinder(real.timers, true)('delete:u1')).toBeUndefined();
    expect(await real.runtime.services.pendingTimer?.('delete:u1')).toMatchObject({ action: 'test.user.delete_if_suspended' });
  });

  it('documents examples that fit its parameters', () => {
    const s = setup();
    const validate = s.runtime.registry.get('timer.schedule')?.validateParams;
    for (const example of timerScheduleAction.examples ?? []) expect(validate?.(structuredClone(example.with))).toBe(true);
  });
});
