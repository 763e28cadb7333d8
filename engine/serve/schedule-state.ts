import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write.js';
import { makePrivateDir } from '../store/private-files.js';

/** What serve remembers of one schedule trigger: the last slot it handled. */
export interface ScheduleState {
  workflowId: string;
  /** The trigger's index in the workflow's `triggers:`. */
  trigger: number;
  /** The expression and zone the state belongs to: a changed schedule starts afresh. */
  cron: string;
  timezone: string;
  /** The latest slot handled (fired, skipped as disabled, or passed over as missed), ISO. */
  lastSlot: string;
  /** The latest slot that started a run, and when that was decided. */
  lastFired?: { slot: string; at: string };
  /** When serve first saw this schedule. */
  since: string;
}

/**
 * The last slot handled per schedule trigger (`<store>/serve/schedules/<workflow>.<index>.json`),
 * written atomically before a slot's run is started, so that a slot fires at most once even when
 * serve is killed right after and restarted within the same second.
 */
export class ScheduleStateStore {
  readonly dir: string;

  constructor(storeRoot: string) {
    this.dir = join(resolve(storeRoot), 'serve', 'schedules');
  }

  /** The state of a schedule trigger, or undefined when serve never saw it (or its file is damaged: it starts afresh). */
  get(workflowId: string, trigger: number): ScheduleState | undefined {
    try {
      const value = JSON.parse(readFileSync(this.pathOf(workflowId, trigger), 'utf8')) as ScheduleState;
      return typeof value.lastSlot === 'string' && typeof value.cron === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records a schedule trigger's state (replaced atomically). */
  put(state: ScheduleState): void {
    makePrivateDir(this.dir);
    writeFileAtomic(this.pathOf(state.workflowId, state.trigger), `${JSON.stringify(state, null, 2)}\n`);
  }

  private pathOf(workflowId: string, trigger: number): string {
    return join(this.dir, `${workflowId}.${trigger}.json`);
  }
}
