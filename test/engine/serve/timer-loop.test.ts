import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../../engine/logging/redactor.js';
import { RunDispatcher } from '../../../engine/serve/run-dispatcher.js';
import { createServeLogger } from '../../../engine/serve/serve-logger.js';
import { TimerLoop } from '../../../engine/serve/timer-loop.js';
import { createTimerScheduler } from '../../../engine/timers/timer-scheduler.js';
import { TimerStore } from '../../../engine/timers/timer-store.js';
import { createTimerRuntime, type UserWorld } from '../timers/support/timer-world.js';

const loops: TimerLoop[] = [];
afterEach(() => {
  for (const loop of loops.splice(0)) loop.stop();
});

describe('TimerLoop', () => {
  it('does not submit a due timer of the other mode (sandbox or not), and says why once', async () => {
    const world: UserWorld = { users: new Map([['u1', 'suspended'], ['u2', 'suspended']]), deletes: 0 };
    const production = createTimerRuntime(world);
    const trial = createTimerRuntime(world, { sandbox: true, root: production.root });
    const timers = new TimerStore(production.services.store.root);
    const schedule = (runtime: typeof production, user: string) =>
      createTimerScheduler({ timers, registry: runtime.registry, store: runtime.services.store, sandbox: runtime.services.sandbox })({ due: 0, action: 'test.user.delete_if_suspended', params: { user_id: user }, description: `Delete ${user}`, key: `delete:${user}` }, 'run-parent', 'offboarding');
    const fromTrial = await schedule(trial, 'u1');
    const fromProduction = await schedule(production, 'u2');

    let logged = '';
    const logger = createServeLogger({ write: (text: string) => (logged += text) }, new Redactor());
    const dispatcher = new RunDispatcher(2, logger);
    const loop = new TimerLoop({ timers, runtime: production, dispatcher, intervalMs: 60_000, console: () => production.console, logger, now: () => new Date() });
    loops.push(loop);

    // Only the production timer is submitted, at the first check and not again.
    expect(loop.check()).toBe(1);
    await expect.poll(() => timers.get(fromProduction.id).state).toBe('fired');
    expect(loop.check()).toBe(0);
    expect(timers.get(fromTrial.id)).toMatchObject({ state: 'pending', sandbox: true });
    expect(timers.get(fromTrial.id).runId).toBeUndefined();
    expect(world.users.get('u1')).toBe('suspended');
    const why = `timer ${fromTrial.id} (test.user.delete_if_suspended) stays pending: a sandbox run scheduled it; only "idflow serve --sandbox" fires it`;
    expect(logged.split(why).length - 1).toBe(1);
  });
});
