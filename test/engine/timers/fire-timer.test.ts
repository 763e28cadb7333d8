import { describe, expect, it } from 'vitest';
import { fireTimer } from '../../../engine/timers/fire-timer.js';
import { TimerStore } from '../../../engine/timers/timer-store.js';
import { createTimerScheduler } from '../../../engine/timers/timer-scheduler.js';
import { buildRunReport } from '../../../engine/store/run-report.js';
import { createTimerRuntime, type UserWorld } from './support/timer-world.js';

function setup(users: Record<string, 'active' | 'suspended'>) {
  const world: UserWorld = { users: new Map(Object.entries(users)), deletes: 0 };
  const runtime = createTimerRuntime(world);
  const clock = { value: new Date('2026-11-01T09:00:00.000Z') };
  const timers = new TimerStore(runtime.services.store.root, { now: () => clock.value });
  const schedule = createTimerScheduler({ timers, registry: runtime.registry, store: runtime.services.store, sandbox: false, now: () => clock.value });
  const fire = (id: string, signal = new AbortController().signal) => fireTimer(timers.get(id), { runtime, timers, signal, console: runtime.console });
  return { world, runtime, clock, timers, schedule, fire };
}

describe('fireTimer', () => {
  it('fires a due timer as a one-step run recorded in the store, with trigger timer', async () => {
    const { world, runtime, clock, timers, schedule, fire } = setup({ u1: 'suspended' });
    const { id } = await schedule({ due: 30 * 86_400_000, action: 'test.user.delete_if_suspended', params: { user_id: 'u1' }, description: 'Delete u1 after 30 days', key: 'delete:u1' }, 'run-parent', 'offboarding');
    expect(timers.due()).toEqual([]);
    clock.value = new Date('2026-12-01T09:00:01.000Z');
    expect(timers.due().map((t) => t.id)).toEqual([id]);

    const firing = await fire(id);
    expect(firing).toMatchObject({ kind: 'finished', timer: { state: 'fired', reason: 'deleted user u1' } });
    expect(world.users.get('u1')).toBe('deleted');
    const runId = firing.kind === 'finished' ? firing.runId ?? '' : '';
    expect(timers.get(id)).toMatchObject({ state: 'fired', runId });
    const run = runtime.services.store.openRun(runId);
    expect(run.meta()).toMatchObject({ status: 'succeeded', trigger: { type: 'timer', source: id }, workflow: { id: 'timer-test-user-delete-if-suspended' } });
    expect(run.output()).toEqual({ timer_id: id, result: { deleted: true } });
    const report = buildRunReport(run.meta(), run.events(), run.output());
    expect(report.steps.map((s) => [s.step, s.status, s.changed])).toEqual([['fire', 'succeeded', true]]);
    expect(timers.due()).toEqual([]);
  });

  it('fires a sandbox run\'s timer only under serve --sandbox, and a real run\'s only without it', async () => {
    const world: UserWorld = { users: new Map([['u1', 'suspended'], ['u2', 'suspended']]), deletes: 0 };
    const real = createTimerRuntime(world);
    const trial = createTimerRuntime(world, { sandbox: true, root: real.root });
    const timers = new TimerStore(real.services.store.root);
    const scheduleFrom = (runtime: typeof real) => createTimerScheduler({ timers, registry: runtime.registry, store: runtime.services.store, sandbox: runtime.services.sandbox });
    const fromTrial = await scheduleFrom(trial)({ due: 0, action: 'test.user.delete_if_suspended', params: { user_id: 'u1' }, description: 'Delete u1', key: 'delete:u1' }, 'run-trial', 'offboarding');
    const fromReal = await scheduleFrom(real)({ due: 0, action: 'test.user.delete_if_suspended', params: { user_id: 'u2' }, description: 'Delete u2', key: 'delete:u2' }, 'run-real', 'offboarding');
    const fireUnder = (runtime: typeof real, id: string) => fireTimer(timers.get(id), { runtime, timers, signal: new AbortController().signal, console: runtime.console });

    expect(await fireUnder(real, fromTrial.id)).toMatchObject({ kind: 'pending', reason: 'a sandbox run scheduled it; only "idflow serve --sandbox" fires it (or "idflow timers cancel" it)' });
    expect(await fireUnder(trial, fromReal.id)).toMatchObject({ kind: 'pending', reason: 'a real run scheduled it, and this serve runs with --sandbox; a serve without --sandbox fires it' });
    expect(world.deletes).toBe(0);
    expect(timers.list({ states: ['pending'] }).map((t) => t.runId)).toEqual([undefined, undefined]);

    expect(await fireUnder(trial, fromTrial.id)).toMatchObject({ kind: 'finished', timer: { state: 'fired', sandbox: true } });
    expect(await fireUnder(real, fromReal.id)).toMatchObject({ kind: 'finished', timer: { state: 'fired' } });
    expect([...world.users.values()]).toEqual(['deleted', 'deleted']);
  });

  it('skips the deletion of a reactivated user (the run succeeds, nothing changes)', async () => {
    const { world, clock, schedule, fire } = setup({ u2: 'suspended' });
    const { id } = await schedule({ due: 1000, action: 'test.user.delete_if_suspended', params: { user_id: 'u2' }, description: 'Delete u2', key: 'delete:u2' }, 'run-parent', 'offboarding');
    world.users.set('u2', 'active');
    clock.value = new Date('2026-11-01T09:00:02.000Z');
    const firing = await fire(id);
    expect(firing).toMatchObject({ kind: 'finished', timer: { state: 'skipped', reason: 'user u2 is active: not deleted' } });
    expect(world.users.get('u2')).toBe('active');
  });

  it('keeps a timer pending whose run was interrupted, and resumes that run next time instead of starting another', async () => {
    const { world, runtime, schedule, fire } = setup({});
    const { id } = await schedule({ due: 0, action: 'test.clock.sleep', params: { ms: 400 }, description: 'Sleep', key: 'sleep' }, 'run-parent', 'w');
    const stop = new AbortController();
    // Stopped while its step is in flight, however long the run took to get there.
    world.onSleep = () => {
      world.onSleep = undefined;
      stop.abort(new Error('SIGTERM'));
    };
    const first = await fire(id, stop.signal);
    expect(first).toMatchObject({ kind: 'pending', timer: { state: 'pending' } });
    const runId = first.kind === 'pending' ? first.runId : undefined;
    expect(runId).toBeDefined();
    expect(runtime.services.store.openRun(runId as string).meta().status).toBe('interrupted');

    const second = await fire(id);
    expect(second).toMatchObject({ kind: 'finished', runId, timer: { state: 'skipped' } });
    expect(runtime.services.store.listRuns()).toHaveLength(1);
    expect(runtime.services.store.openRun(runId as string).meta().status).toBe('succeeded');
  });

  it('leaves a timer pending, without a run, when its action is not loaded here', async () => {
    const { runtime, timers, schedule } = setup({ u3: 'suspended' });
    const { id } = await schedule({ due: 0, action: 'test.user.delete_if_suspended', params: { user_id: 'u3' }, description: 'Delete u3', key: 'delete:u3' }, 'run-parent', 'w');
    const other = createTimerRuntime({ users: new Map(), deletes: 0 });
    const bare = { ...other, loadPinnedWorkflow: async () => { throw new Error('unknown action "test.user.delete_if_suspended"'); } };
    const firing = await fireTimer(timers.get(id), { runtime: bare, timers, signal: new AbortController().signal, console: other.console });
    expect(firing).toMatchObject({ kind: 'pending', reason: 'unknown action "test.user.delete_if_suspended"' });
    expect(timers.get(id).firingAt).toBeUndefined();
    expect(runtime.services.store.listRuns()).toEqual([]);
  });

  it('fails a timer whose scheduled parameters no longer fit its action, without a run (no later check could fire it)', async () => {
    const { runtime, timers, fire } = setup({ u4: 'suspended' });
    // Written to the store directly: the scheduler refuses such parameters, but a timer file
    // from an older version of the action (or edited by hand) may hold them.
    const { id } = timers.schedule({ key: 'delete:u4', action: 'test.user.delete_if_suspended', params: { user_id: 42 }, description: 'Delete u4', dueAt: new Date(0).toISOString(), scheduledBy: { runId: 'run-parent', workflowId: 'w' } });
    const firing = await fire(id);
    expect(firing).toMatchObject({ kind: 'finished', timer: { state: 'failed', reason: expect.stringContaining('parameter "user_id" must be string') } });
    expect(firing.kind === 'finished' ? firing.runId : 'none').toBeUndefined();
    expect(runtime.services.store.listRuns()).toEqual([]);
  });

  it('does nothing with a timer cancelled after it was found due', async () => {
    const { timers, schedule, fire } = setup({});
    const { id } = await schedule({ due: 0, action: 'test.clock.sleep', params: { ms: 1 }, description: 'Sleep', key: 'sleep' }, 'r', 'w');
    const due = timers.get(id);
    timers.cancel(id, 'changed my mind');
    expect(await fire(due.id)).toEqual({ kind: 'gone' });
  });
});
