import type { Trigger } from '../language/types.js';
import type { LoadedWorkflow } from '../runtime/runtime.js';
import { CronSchedule } from '../serve/cron-schedule.js';
import type { RunMeta } from '../store/journal-events.js';
import type { RunStore } from '../store/run-store.js';
import type { WorkflowStateStore } from './workflow-state.js';

/** One trigger as `idflow workflows list` and `GET /api/workflows` show it. */
export interface TriggerSummary {
  type: Trigger['type'];
  /** Event triggers: the event name. */
  event?: string;
  /** Event triggers: whether an `if` condition narrows it. */
  conditional?: boolean;
  /** Schedule triggers: the expression and time zone. */
  cron?: string;
  timezone?: string;
  /** Schedule triggers: the next slot (ISO), or null when the workflow is disabled. */
  next?: string | null;
}

/** A workflow as `idflow workflows list` and `GET /api/workflows` show it. */
export interface WorkflowSummary {
  id: string;
  name: string;
  description?: string;
  /** The template file (absolute). */
  file: string;
  enabled: boolean;
  /** Who disabled or enabled it last, and when. */
  changedBy?: string;
  changedAt?: string;
  triggers: TriggerSummary[];
  /** The newest run of the workflow in the store, if any. */
  lastRun: { id: string; status: RunMeta['status']; startedAt: string; finishedAt?: string; trigger: RunMeta['trigger']['type'] } | null;
  /** The soonest next schedule slot (ISO), or null (no schedule, or disabled). */
  nextScheduled: string | null;
}

/** Summarises loaded workflows with their enabled state, last run and next schedule slot. */
export function summariseWorkflows(loaded: readonly LoadedWorkflow[], context: { states: WorkflowStateStore; store: RunStore; now?: Date }): WorkflowSummary[] {
  const now = context.now ?? new Date();
  const latest = context.store.latestRunsByWorkflow();
  return loaded.map(({ workflow, file }) => {
    const state = context.states.get(workflow.id);
    const triggers = workflow.triggers.map((trigger): TriggerSummary => {
      switch (trigger.type) {
        case 'event':
          return { type: 'event', event: trigger.event, ...(trigger.if === undefined ? {} : { conditional: true }) };
        case 'schedule':
          return { type: 'schedule', cron: trigger.cron, timezone: trigger.timezone ?? 'UTC', next: state.enabled ? nextSlot(trigger.cron, trigger.timezone, now) : null };
        default:
          return { type: trigger.type };
      }
    });
    const slots = triggers.flatMap((t) => (typeof t.next === 'string' ? [t.next] : [])).sort();
    const last = latest.get(workflow.id);
    return {
      id: workflow.id,
      name: workflow.name,
      ...(workflow.description === undefined ? {} : { description: workflow.description }),
      file,
      enabled: state.enabled,
      ...(state.changedBy === undefined ? {} : { changedBy: state.changedBy }),
      ...(state.changedAt === undefined ? {} : { changedAt: state.changedAt }),
      triggers,
      lastRun: last === undefined ? null : { id: last.id, status: last.status, startedAt: last.startedAt, ...(last.finishedAt === undefined ? {} : { finishedAt: last.finishedAt }), trigger: last.trigger.type },
      nextScheduled: slots[0] ?? null,
    };
  });
}

function nextSlot(cron: string, timezone: string | undefined, now: Date): string | null {
  try {
    return CronSchedule.of({ cron, ...(timezone === undefined ? {} : { timezone }) }).next(now)?.toISOString() ?? null;
  } catch {
    return null; // the folder loader reports a bad expression; a summary just has no next slot
  }
}
