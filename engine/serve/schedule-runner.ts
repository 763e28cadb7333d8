import type { ScheduleTrigger } from '../language/types.js';
import type { LoadedWorkflow } from '../runtime/runtime.js';
import { CronSchedule } from './cron-schedule.js';
import type { ScheduleState, ScheduleStateStore } from './schedule-state.js';
import type { ServeLogger } from './serve-logger.js';

/** The clock schedules run on (tests pass a fake one). */
export interface ScheduleClock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. */
const SYSTEM_CLOCK: ScheduleClock = {
  now: () => new Date(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What {@link ScheduleRunner} needs. */
export interface ScheduleRunnerDeps {
  workflows: readonly LoadedWorkflow[];
  states: ScheduleStateStore;
  isEnabled(workflowId: string): boolean;
  /** How old a slot missed while serve was down may be and still run at start-up (0: never). */
  missedWindowMs: number;
  /** Starts the run of a slot (already recorded as handled). */
  fire(loaded: LoadedWorkflow, triggerIndex: number, slot: Date, late: boolean): void;
  logger: ServeLogger;
  clock?: ScheduleClock;
}

interface Entry {
  loaded: LoadedWorkflow;
  index: number;
  trigger: ScheduleTrigger;
  schedule: CronSchedule;
  handle?: unknown;
}

/** Longest single wait Node's timers allow; longer waits are taken in steps. */
const MAX_WAIT_MS = 2_147_483_647;

/**
 * Fires schedule triggers on their slots.
 *
 * @remarks
 * Exactly-once per slot: before a slot's run is started, the slot is written as the trigger's
 * `lastSlot` in the store; a slot at or before `lastSlot` never fires, so neither a restart
 * within the same second nor a clock that wakes twice fires it again. (The price is that a crash
 * between the write and the start loses that one slot rather than running it twice.)
 *
 * Missed slots (serve was down, or the process was stalled): at start-up, and whenever a wake-up
 * finds that more than one slot passed, only the most recent missed slot runs, and only when it is
 * at most `missedWindowMs` old; every older missed slot is skipped and the log says how many.
 * A schedule serve sees for the first time (or whose expression or zone changed) starts at the
 * next slot: nothing before it is "missed". A disabled workflow's slots are handled (recorded)
 * without running, so enabling it later does not replay them.
 */
export class ScheduleRunner {
  private readonly entries: Entry[] = [];
  private readonly clock: ScheduleClock;
  private stopped = false;

  constructor(private readonly deps: ScheduleRunnerDeps) {
    this.clock = deps.clock ?? SYSTEM_CLOCK;
    for (const loaded of deps.workflows) {
      loaded.workflow.triggers.forEach((trigger, index) => {
        if (trigger.type === 'schedule') this.entries.push({ loaded, index, trigger, schedule: CronSchedule.of(trigger) });
      });
    }
  }

  /** How many schedule triggers there are. */
  get size(): number {
    return this.entries.length;
  }

  /** Catches up on missed slots (by the policy above), then arms every schedule. */
  start(): void {
    for (const entry of this.entries) {
      this.catchUp(entry);
      this.arm(entry);
    }
  }

  /** Stops every schedule (nothing fires after this returns). */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries) if (entry.handle !== undefined) this.clock.clearTimeout(entry.handle);
  }

  private catchUp(entry: Entry): void {
    const { states, logger } = this.deps;
    const now = this.clock.now();
    const state = states.get(entry.loaded.workflow.id, entry.index);
    const zone = entry.trigger.timezone ?? 'UTC';
    const label = this.label(entry);
    if (state === undefined || state.cron !== entry.trigger.cron || state.timezone !== zone) {
      // New (or changed) schedule: it starts with the next slot; nothing before now counts as missed.
      const since = now.toISOString();
      states.put({ workflowId: entry.loaded.workflow.id, trigger: entry.index, cron: entry.trigger.cron, timezone: zone, lastSlot: (entry.schedule.latest(now) ?? now).toISOString(), since });
      logger.info(`schedule ${label}: ${state === undefined ? 'new' : 'changed'}; first slot ${entry.schedule.next(now)?.toISOString() ?? 'never'}`);
      return;
    }
    const latest = entry.schedule.latest(now);
    if (latest === undefined || latest.getTime() <= Date.parse(state.lastSlot)) return;
    this.handleLate(entry, state, latest, now);
  }

  /** One or more slots after `lastSlot` passed unhandled; `latest` is the newest of them. */
  private handleLate(entry: Entry, state: ScheduleState, latest: Date, now: Date): void {
    const missed = entry.schedule.countBetween(new Date(state.lastSlot), latest);
    const age = now.getTime() - latest.getTime();
    const label = this.label(entry);
    if (age <= this.deps.missedWindowMs) {
      if (missed > 1) this.deps.logger.warn(`schedule ${label}: skipped ${missed - 1} missed slot${missed - 1 === 1 ? '' : 's'} between ${state.lastSlot} and ${latest.toISOString()}; running only the latest`);
      this.handleSlot(entry, latest, age > 1000);
    } else {
      this.deps.logger.warn(`schedule ${label}: skipped ${missed} missed slot${missed === 1 ? '' : 's'} (the latest, ${latest.toISOString()}, is older than the missed-slot window of ${Math.round(this.deps.missedWindowMs / 1000)}s)`);
      this.deps.states.put({ ...state, lastSlot: latest.toISOString() });
    }
  }

  /** Records the slot as handled, then fires it (unless it was handled before, or the workflow is disabled). */
  private handleSlot(entry: Entry, slot: Date, late: boolean): void {
    const { states, logger } = this.deps;
    const workflowId = entry.loaded.workflow.id;
    const state = states.get(workflowId, entry.index);
    if (state !== undefined && Date.parse(state.lastSlot) >= slot.getTime()) return;
    const zone = entry.trigger.timezone ?? 'UTC';
    const base: ScheduleState = state ?? { workflowId, trigger: entry.index, cron: entry.trigger.cron, timezone: zone, lastSlot: slot.toISOString(), since: this.clock.now().toISOString() };
    if (!this.deps.isEnabled(workflowId)) {
      states.put({ ...base, lastSlot: slot.toISOString() });
      logger.info(`schedule ${this.label(entry)}: slot ${slot.toISOString()} not run: the workflow is disabled`);
      return;
    }
    states.put({ ...base, lastSlot: slot.toISOString(), lastFired: { slot: slot.toISOString(), at: this.clock.now().toISOString() } });
    logger.info(`schedule ${this.label(entry)}: slot ${slot.toISOString()}${late ? ' (late: missed while serve was down)' : ''}`);
    this.deps.fire(entry.loaded, entry.index, slot, late);
  }

  private arm(entry: Entry): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const next = entry.schedule.next(now);
    if (next === undefined) return;
    const wait = Math.min(Math.max(0, next.getTime() - now.getTime()), MAX_WAIT_MS);
    entry.handle = this.clock.setTimeout(() => this.wake(entry, next), wait);
  }

  private wake(entry: Entry, due: Date): void {
    entry.handle = undefined;
    if (this.stopped) return;
    const now = this.clock.now();
    if (now.getTime() >= due.getTime()) {
      const latest = entry.schedule.latest(now) ?? due;
      const state = this.deps.states.get(entry.loaded.workflow.id, entry.index);
      if (state !== undefined && entry.schedule.countBetween(new Date(state.lastSlot), latest) > 1) this.handleLate(entry, state, latest, now);
      else this.handleSlot(entry, latest, false);
    }
    this.arm(entry);
  }

  private label(entry: Entry): string {
    return `${entry.loaded.workflow.id} "${entry.trigger.cron}" (${entry.trigger.timezone ?? 'UTC'})`;
  }
}
