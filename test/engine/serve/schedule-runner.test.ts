import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ScheduleRunner, type ScheduleClock } from '../../../engine/serve/schedule-runner.js';
import { ScheduleStateStore } from '../../../engine/serve/schedule-state.js';
import { createServeLogger } from '../../../engine/serve/serve-logger.js';
import { Redactor } from '../../../engine/logging/redactor.js';
import type { LoadedWorkflow } from '../../../engine/runtime/runtime.js';
import type { Trigger } from '../../../engine/language/types.js';

/** A clock that only moves when told to, firing the timers that fall due in order. */
class FakeClock implements ScheduleClock {
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private seq = 0;
  constructor(private time: number) {}
  now = (): Date => new Date(this.time);
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };
  /** Moves the clock forward, firing every timer due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > end) break;
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    this.time = end;
  }
  /** Jumps without firing anything (the process was down). */
  jump(ms: number): void {
    this.time += ms;
    this.timers = [];
  }
}

function workflow(id: string, triggers: Trigger[]): LoadedWorkflow {
  return { workflow: { id, name: id, inputs: {}, vars: {}, triggers, steps: [], on_failure: [], plugins: [] }, file: `/t/${id}.yaml`, source: '', hash: '' };
}

function setup(start: string, triggers: Trigger[], options: { enabled?: () => boolean; windowMs?: number; root?: string } = {}) {
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'idflow-schedules-'));
  const clock = new FakeClock(Date.parse(start));
  const fired: Array<{ slot: string; late: boolean }> = [];
  const lines: string[] = [];
  const logger = createServeLogger(new Writable({ write: (c, _e, cb) => { lines.push(String(c)); cb(); } }), new Redactor(), clock.now);
  const make = () => new ScheduleRunner({
    workflows: [workflow('nightly', triggers)],
    states: new ScheduleStateStore(root),
    isEnabled: options.enabled ?? (() => true),
    missedWindowMs: options.windowMs ?? 60 * 60_000,
    fire: (_loaded, _index, slot, late) => fired.push({ slot: slot.toISOString(), late }),
    logger,
    clock,
  });
  return { root, clock, fired, lines, make };
}

describe('ScheduleRunner', () => {
  it('fires a per-second schedule once per slot', () => {
    const { clock, fired, make } = setup('2026-11-22T10:00:00.500Z', [{ type: 'schedule', cron: '* * * * * *' }]);
    const runner = make();
    runner.start();
    expect(fired).toEqual([]);
    clock.advance(3000);
    expect(fired.map((f) => f.slot)).toEqual(['2026-11-22T10:00:01.000Z', '2026-11-22T10:00:02.000Z', '2026-11-22T10:00:03.000Z']);
    runner.stop();
    clock.advance(5000);
    expect(fired).toHaveLength(3);
  });

  it('does not fire a slot again after a restart in the same second', () => {
    const { clock, fired, make } = setup('2026-11-22T10:00:00.500Z', [{ type: 'schedule', cron: '* * * * * *' }]);
    const first = make();
    first.start();
    clock.advance(1200); // fires 10:00:01, now 10:00:01.700
    first.stop();
    const second = make();
    second.start(); // the latest slot (10:00:01) was handled: nothing to catch up
    clock.advance(1000);
    second.stop();
    expect(fired.map((f) => f.slot)).toEqual(['2026-11-22T10:00:01.000Z', '2026-11-22T10:00:02.000Z']);
  });

  it('runs only the latest missed slot within the window after downtime, and says how many it skipped', () => {
    const { clock, fired, lines, make } = setup('2026-11-22T01:59:00Z', [{ type: 'schedule', cron: '0 * * * *' }]);
    const first = make();
    first.start();
    clock.advance(61_000); // fires 02:00
    first.stop();
    clock.jump(3 * 60 * 60_000 + 10 * 60_000); // down until 05:00:01 + 10 min
    const second = make();
    second.start();
    expect(fired).toEqual([{ slot: '2026-11-22T02:00:00.000Z', late: false }, { slot: '2026-11-22T05:00:00.000Z', late: true }]);
    expect(lines.join('')).toContain('skipped 2 missed slots between 2026-11-22T02:00:00.000Z and 2026-11-22T05:00:00.000Z; running only the latest');
  });

  it('skips every missed slot when the latest is older than the window', () => {
    const { clock, fired, lines, make } = setup('2026-11-22T01:59:00Z', [{ type: 'schedule', cron: '0 * * * *' }], { windowMs: 5 * 60_000 });
    const first = make();
    first.start();
    clock.advance(61_000);
    first.stop();
    clock.jump(2 * 60 * 60_000 + 30 * 60_000); // 04:30
    const second = make();
    second.start();
    expect(fired.map((f) => f.slot)).toEqual(['2026-11-22T02:00:00.000Z']);
    expect(lines.join('')).toContain('skipped 2 missed slots (the latest, 2026-11-22T04:00:00.000Z, is older than the missed-slot window of 300s)');
    clock.advance(31 * 60_000);
    expect(fired.map((f) => f.slot)).toEqual(['2026-11-22T02:00:00.000Z', '2026-11-22T05:00:00.000Z']);
  });

  it('starts a new schedule with its next slot, without replaying earlier ones', () => {
    const { fired, make } = setup('2026-11-22T10:30:00Z', [{ type: 'schedule', cron: '0 * * * *' }]);
    make().start();
    expect(fired).toEqual([]);
  });

  it('follows the time zone of the trigger', () => {
    const { clock, fired, make } = setup('2026-11-22T00:00:00Z', [{ type: 'schedule', cron: '0 9 * * *', timezone: 'America/New_York' }]);
    const runner = make();
    runner.start();
    clock.advance(24 * 60 * 60_000);
    runner.stop();
    expect(fired.map((f) => f.slot)).toEqual(['2026-11-22T14:00:00.000Z']);
  });

  it('records but does not run the slots of a disabled workflow (enabling it later replays nothing)', () => {
    let enabled = false;
    const { clock, fired, lines, make } = setup('2026-11-22T10:00:00.500Z', [{ type: 'schedule', cron: '* * * * * *' }], { enabled: () => enabled });
    const runner = make();
    runner.start();
    clock.advance(2000);
    expect(fired).toEqual([]);
    expect(lines.join('')).toContain('not run: the workflow is disabled');
    enabled = true;
    clock.advance(1000);
    runner.stop();
    expect(fired.map((f) => f.slot)).toEqual(['2026-11-22T10:00:03.000Z']);
  });
});
