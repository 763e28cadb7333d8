import type { Change } from '../plugin-api/action.js';
import type { JournalEvent } from '../store/journal-events.js';

/** A unit of work a journal can describe: a step, or one item of a foreach step (`step[3]`). */
export function unitKey(step: string, item?: number): string {
  return item === undefined ? step : `${step}[${item}]`;
}

/** What a finished unit left behind. */
export interface FinishedUnit {
  status: 'succeeded' | 'failed' | 'skipped';
  output: unknown;
  changed: boolean;
  attempts: number;
  /** The unit ended the run early, as done, for this reason. */
  endRun?: string;
}

/**
 * What earlier sessions of a run did, rebuilt from its journal: the basis of `resume`.
 *
 * @remarks
 * A main step that finished is not repeated. The one exception is the step that failed the
 * run: it is run again (that is the point of resuming a failed run), but the foreach items
 * it completed are kept. A step that was interrupted (started, never finished) simply has no
 * `step.finished` event, so it runs again; actions are idempotent, and the changes it had
 * recorded are handed back to it through `ctx.changes.earlier()` so its counts stay right.
 */
export interface RestoredRun {
  /** How many sessions (start + resumes) the run has had. */
  sessions: number;
  /** The last `run.finished`, if the run has finished before. */
  finished?: Extract<JournalEvent, { type: 'run.finished' }>;
  /** Finished main-phase units by {@link unitKey}. */
  units: Map<string, FinishedUnit>;
  /** Changes recorded per unit, across sessions and attempts. */
  changes: Map<string, Change[]>;
  /** Attempts started per unit. */
  attempts: Map<string, number>;
  /** Child runs started per unit. */
  children: Map<string, string>;
  /** Subjects claimed by actions. */
  subjects: string[];
}

/** Rebuilds {@link RestoredRun} from a journal. */
export function restoreRun(events: readonly JournalEvent[]): RestoredRun {
  const restored: RestoredRun = { sessions: 0, units: new Map(), changes: new Map(), attempts: new Map(), children: new Map(), subjects: [] };
  for (const event of events) {
    switch (event.type) {
      case 'run.started':
      case 'run.resumed':
        restored.sessions++;
        delete restored.finished;
        break;
      case 'run.finished':
        restored.finished = event;
        break;
      case 'subject.claimed':
        if (!restored.subjects.includes(event.subject)) restored.subjects.push(event.subject);
        break;
      case 'step.started': {
        const key = unitKey(event.step, event.item);
        if (event.phase === 'steps') restored.attempts.set(key, (restored.attempts.get(key) ?? 0) + 1);
        break;
      }
      case 'step.change': {
        const key = unitKey(event.step, event.item);
        const list = restored.changes.get(key) ?? [];
        list.push(event.change);
        restored.changes.set(key, list);
        break;
      }
      case 'child.started':
        restored.children.set(event.step, event.childRunId);
        break;
      case 'step.finished':
        if (event.phase === 'steps') {
          restored.units.set(unitKey(event.step, event.item), {
            status: event.status,
            output: event.output,
            changed: event.changed ?? false,
            attempts: event.attempts,
            ...(event.endRun === undefined ? {} : { endRun: event.endRun }),
          });
        }
        break;
      default:
        break;
    }
  }
  // The step that failed the run runs again on resume; its finished items are kept.
  const failedStep = restored.finished?.status === 'failed' ? restored.finished.failedStep : undefined;
  if (failedStep !== undefined) {
    restored.units.delete(failedStep);
    for (const [key, unit] of restored.units) {
      if (key.startsWith(`${failedStep}[`) && unit.status === 'failed') restored.units.delete(key);
    }
  }
  return restored;
}
