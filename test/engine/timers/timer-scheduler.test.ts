import { describe, expect, it } from 'vitest';
import { createTimerScheduler, checkTimerRequest } from '../../../engine/timers/timer-scheduler.js';
import { TimerStore } from '../../../engine/timers/timer-store.js';
import type { TimerRequest } from '../../../engine/plugin-api/context.js';
import { createTimerRuntime, type UserWorld } from './support/timer-world.js';
import { join } from 'node:path';

const world = (): UserWorld => ({ users: new Map(), deletes: 0 });
const now = new Date('2026-11-01T09:00:00.000Z');

function request(overrides: Partial<TimerRequest> = {}): TimerRequest {
  return { due: 86_400_000, action: 'test.user.delete_if_suspended', params: { user_id: 'u1' }, description: 'Delete u1', key: 'delete:u1', ...overrides };
}

describe('checkTimerRequest', () => {
  const { registry } = createTimerRuntime(world());

  it('turns milliseconds from now and ISO times into a due time', () => {
    expect(checkTimerRequest(request(), registry, now)).toEqual({ key: 'delete:u1', action: 'test.user.delete_if_suspended', params: { user_id: 'u1' }, description: 'Delete u1', dueAt: '2026-11-02T09:00:00.000Z' });
    expect(checkTimerRequest(request({ due: '2026-12-01T10:00:00+01:00' }), registry, now).dueAt).toBe('2026-12-01T09:00:00.000Z');
  });

  it.each([
    [{ action: 'test.user.delete_if_suspend' }, /the action "test.user.delete_if_suspend" is not registered\. Did you mean "test.user.delete_if_suspended"\?/],
    [{ params: { user: 'u1' } }, /parameters for "test.user.delete_if_suspended" are invalid: missing required parameter "user_id"; unknown parameter "user"/],
    [{ params: { user_id: 'u1', 'bad-name': 1 } }, /parameter "bad-name" cannot be passed to a timer/],
    [{ action: 'test.secret.send', params: { token: 'abcd1234' } }, /parameter "token" of "test.secret.send" is a secret/],
    [{ due: 'next tuesday' }, /"due" must be an ISO-8601 time such as 2026-12-01T09:00:00Z, got "next tuesday"/],
    [{ due: -5 }, /"due" in milliseconds must be a number of at least 0, got -5/],
    [{ key: ' ' }, /"key" must be a non-empty text/],
    [{ description: '' }, /"description" must say what the timer is for/],
    [{ params: ['u1'] as unknown as Record<string, unknown> }, /"params" must be a map/],
  ])('refuses %j', (overrides, message) => {
    expect(() => checkTimerRequest(request(overrides as Partial<TimerRequest>), registry, now)).toThrow(message);
    try {
      checkTimerRequest(request(overrides as Partial<TimerRequest>), registry, now);
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_TIMER', retryable: false });
    }
  });
});

describe('createTimerScheduler', () => {
  it('records the timer with the scheduling run, and replaces a pending one with the same key', async () => {
    const runtime = createTimerRuntime(world());
    const timers = new TimerStore(runtime.services.store.root, { now: () => now });
    const schedule = createTimerScheduler({ timers, registry: runtime.registry, store: runtime.services.store, sandbox: false, now: () => now });
    const first = await schedule(request(), 'run-a', 'offboarding');
    expect(first.dueAt).toBe('2026-11-02T09:00:00.000Z');
    expect(timers.get(first.id)).toMatchObject({ state: 'pending', scheduledBy: { runId: 'run-a', workflowId: 'offboarding' } });
    const second = await schedule(request({ due: 2 * 86_400_000 }), 'run-b', 'offboarding');
    expect(timers.get(first.id).state).toBe('cancelled');
    expect(timers.list({ states: ['pending'] }).map((t) => t.id)).toEqual([second.id]);
    expect(timers.dir).toBe(join(runtime.services.store.root, 'timers'));
  });
});
