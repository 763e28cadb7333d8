import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TimerStore, type NewTimer } from '../../../engine/timers/timer-store.js';

function newTimer(overrides: Partial<NewTimer> = {}): NewTimer {
  return {
    key: 'jumpcloud.user.delete:u1',
    action: 'test.user.delete_if_suspended',
    params: { user_id: 'u1' },
    description: 'Delete u1 after retention',
    dueAt: '2026-12-01T09:00:00.000Z',
    scheduledBy: { runId: '20261101-0900-abcdef', workflowId: 'offboarding', initiatedBy: 'hr@x.com' },
    ...overrides,
  };
}

function storeAt(now: { value: Date }): TimerStore {
  return new TimerStore(mkdtempSync(join(tmpdir(), 'idflow-timer-store-')), { now: () => now.value });
}

describe('TimerStore', () => {
  it('records a pending timer as one JSON file and reads it back by id or prefix', () => {
    const now = { value: new Date('2026-11-01T09:00:00Z') };
    const timers = storeAt(now);
    const timer = timers.schedule(newTimer());
    expect(timer).toMatchObject({ state: 'pending', key: 'jumpcloud.user.delete:u1', dueAt: '2026-12-01T09:00:00.000Z', createdAt: '2026-11-01T09:00:00.000Z' });
    expect(timer.id).toMatch(/^tm-20261101-[a-z0-9]{8}$/);
    expect(readdirSync(timers.dir).filter((f) => !f.startsWith('.'))).toEqual([`${timer.id}.json`]);
    expect(JSON.parse(readFileSync(join(timers.dir, `${timer.id}.json`), 'utf8'))).toEqual(timer);
    expect(timers.get(timer.id.slice(0, 14))).toEqual(timer);
    expect(() => timers.get('tm-1999')).toThrow(/No timer with id "tm-1999"/);
    expect(() => timers.get('../etc/passwd')).toThrow(/No timer with id/);
  });

  it('replaces a pending timer with the same key, and keeps timers with other keys', () => {
    const now = { value: new Date('2026-11-01T09:00:00Z') };
    const timers = storeAt(now);
    const first = timers.schedule(newTimer());
    const other = timers.schedule(newTimer({ key: 'jumpcloud.user.delete:u2', params: { user_id: 'u2' } }));
    const second = timers.schedule(newTimer({ dueAt: '2026-12-15T09:00:00Z' }));
    expect(timers.get(first.id)).toMatchObject({ state: 'cancelled', replacedBy: second.id, reason: `replaced by timer ${second.id}` });
    expect(timers.list({ states: ['pending'] }).map((t) => t.id).sort()).toEqual([other.id, second.id].sort());
  });

  it('never lets a sandbox run\'s timer replace a real one with the same key, nor the other way round', () => {
    const now = { value: new Date('2026-11-01T09:00:00Z') };
    const timers = storeAt(now);
    const real = timers.schedule(newTimer());
    const trial = timers.schedule(newTimer({ sandbox: true }));
    expect(trial.sandbox).toBe(true);
    expect(real).not.toHaveProperty('sandbox');
    expect(timers.list({ states: ['pending'] }).map((t) => t.id).sort()).toEqual([real.id, trial.id].sort());
    const realAgain = timers.schedule(newTimer({ sandbox: false, dueAt: '2026-12-05T00:00:00Z' }));
    expect(timers.get(real.id)).toMatchObject({ state: 'cancelled', replacedBy: realAgain.id });
    expect(timers.get(trial.id)).toMatchObject({ state: 'pending' });
  });

  it('keeps the same timer scheduled again (same key, action, parameters and due time) instead of replacing it by a copy', () => {
    const now = { value: new Date('2026-11-01T09:00:00Z') };
    const timers = storeAt(now);
    const first = timers.place(newTimer());
    expect(first).toMatchObject({ kept: false, replaced: [] });
    now.value = new Date('2026-11-02T09:00:00Z');
    expect(timers.place(newTimer())).toEqual({ timer: first.timer, replaced: [], kept: true });
    // keepDue: any due time, for a delay counted from the first scheduling.
    expect(timers.place(newTimer({ dueAt: '2026-12-24T00:00:00Z' }), { keepDue: true })).toMatchObject({ timer: { id: first.timer.id }, kept: true });
    // Other parameters, or another due time without keepDue: a new timer replaces it.
    const moved = timers.place(newTimer({ dueAt: '2026-12-24T00:00:00Z' }));
    expect(moved).toMatchObject({ kept: false, replaced: [first.timer.id] });
    const other = timers.place(newTimer({ dueAt: '2026-12-24T00:00:00Z', params: { user_id: 'u9' } }), { keepDue: true });
    expect(other).toMatchObject({ kept: false, replaced: [moved.timer.id] });
    expect(timers.list({ states: ['pending'] }).map((t) => t.id)).toEqual([other.timer.id]);
    // A timer being fired is never kept, nor replaced.
    timers.claim(other.timer.id);
    timers.recordRun(other.timer.id, 'run-firing');
    expect(timers.place(newTimer({ dueAt: '2026-12-24T00:00:00Z', params: { user_id: 'u9' } }))).toMatchObject({ kept: false, replaced: [] });
  });

  it('lists timers soonest first and finds the due ones', () => {
    const now = { value: new Date('2026-11-01T09:00:00Z') };
    const timers = storeAt(now);
    const late = timers.schedule(newTimer({ key: 'a', dueAt: '2026-12-10T00:00:00Z' }));
    const soon = timers.schedule(newTimer({ key: 'b', dueAt: '2026-11-02T00:00:00Z' }));
    expect(timers.list().map((t) => t.id)).toEqual([soon.id, late.id]);
    expect(timers.due()).toEqual([]);
    expect(timers.due(new Date('2026-11-02T00:00:00Z')).map((t) => t.id)).toEqual([soon.id]);
    expect(timers.due(new Date('2027-01-01T00:00:00Z')).map((t) => t.id)).toEqual([soon.id, late.id]);
  });

  it('moves a timer through claim, run and finish, once', () => {
    const now = { value: new Date('2026-11-01T09:00:00Z') };
    const timers = storeAt(now);
    const timer = timers.schedule(newTimer());
    now.value = new Date('2026-12-01T09:00:05Z');
    expect(timers.claim(timer.id)).toMatchObject({ state: 'pending', firingAt: '2026-12-01T09:00:05.000Z' });
    expect(timers.recordRun(timer.id, 'run-1')).toMatchObject({ runId: 'run-1' });
    expect(() => timers.cancel(timer.id, 'no')).toThrow(/being fired by run run-1/);
    expect(timers.finish(timer.id, 'fired', { runId: 'run-1', reason: 'deleted' })).toMatchObject({ state: 'fired', runId: 'run-1', reason: 'deleted', finishedAt: '2026-12-01T09:00:05.000Z' });
    expect(() => timers.finish(timer.id, 'failed')).toThrow(/already fired/);
    expect(timers.claim(timer.id)).toBeUndefined();
    expect(timers.due(new Date('2027-01-01T00:00:00Z'))).toEqual([]);
  });

  it('cancels a pending timer with a reason, and refuses to cancel an ended one', () => {
    const now = { value: new Date('2026-11-01T09:00:00Z') };
    const timers = storeAt(now);
    const timer = timers.schedule(newTimer());
    expect(timers.cancel(timer.id, 'cancelled by admin@x.com')).toMatchObject({ state: 'cancelled', reason: 'cancelled by admin@x.com' });
    expect(() => timers.cancel(timer.id, 'again')).toThrow(/is cancelled, not pending/);
    try {
      timers.cancel(timer.id, 'again');
    } catch (error) {
      expect(error).toMatchObject({ code: 'TIMER_NOT_PENDING' });
    }
  });

  it('lets go of a claim that could not start a run', () => {
    const timers = storeAt({ value: new Date('2026-11-01T09:00:00Z') });
    const timer = timers.schedule(newTimer());
    timers.claim(timer.id);
    const released = timers.release(timer.id);
    expect(released.state).toBe('pending');
    expect(released.firingAt).toBeUndefined();
  });

  it('leaves out and reports an unreadable timer file instead of failing the list', () => {
    const timers = storeAt({ value: new Date('2026-11-01T09:00:00Z') });
    const good = timers.schedule(newTimer());
    writeFileSync(join(timers.dir, 'tm-20261101-brokenxx.json'), '{"id": ');
    const unreadable: string[] = [];
    expect(timers.list({ onUnreadable: (file) => unreadable.push(file) }).map((t) => t.id)).toEqual([good.id]);
    expect(unreadable).toEqual([join(timers.dir, 'tm-20261101-brokenxx.json')]);
    expect(() => timers.get('tm-20261101-brokenxx')).toThrow(/not valid JSON/);
  });

  it('reads an empty store as no timers', () => {
    expect(storeAt({ value: new Date() }).list()).toEqual([]);
  });
});
