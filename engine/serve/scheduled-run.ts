import type { LoadedWorkflow } from '../runtime/runtime.js';
import type { RunDispatcher } from './run-dispatcher.js';
import { startPlannedRun, type PlannedRunDeps } from './start-planned-run.js';
import { retryTransientStart } from './transient-start.js';
import { planScheduledRun, type MatchContext } from './trigger-matching.js';

/** Who scheduled runs are recorded as started by. */
export const SCHEDULE_INITIATOR = 'idflow serve (schedule)';

/** What {@link dispatchScheduledRun} needs. */
export interface ScheduledRunDeps extends PlannedRunDeps {
  dispatcher: RunDispatcher;
  matchContext: MatchContext;
}

/**
 * Starts the run of one schedule slot: the trigger's inputs rendered and checked (a problem is
 * logged and nothing runs), then an ordinary run in the background with trigger
 * `{type: schedule, source: <cron>, eventId: <slot>}`, so `idflow runs` shows which slot it was.
 */
export function dispatchScheduledRun(loaded: LoadedWorkflow, triggerIndex: number, slot: Date, deps: ScheduledRunDeps): void {
  const { workflow } = loaded;
  const trigger = workflow.triggers[triggerIndex];
  const cron = trigger?.type === 'schedule' ? trigger.cron : '';
  const planned = planScheduledRun(loaded, triggerIndex, deps.matchContext);
  if ('reason' in planned) {
    deps.logger.error(`schedule ${workflow.id} "${cron}": slot ${slot.toISOString()} not run: ${planned.reason}`);
    return;
  }
  const { run } = planned;
  const label = `${workflow.id} (schedule slot ${slot.toISOString()})`;
  const submission = deps.dispatcher.submit({
    label,
    start: async (job) => {
      let created = false;
      // A slot whose run cannot start for a moment (no file descriptor or disk space left) is
      // tried again rather than lost; serve stopping first ends the retries.
      const attempt = await retryTransientStart(() => startPlannedRun(run, {
        trigger: { type: 'schedule', source: cron, eventId: slot.toISOString() },
        initiatedBy: SCHEDULE_INITIATOR,
        reason: `schedule "${cron}" slot ${slot.toISOString()}`,
        onRunCreated: (runId) => {
          created = true;
          deps.logger.info(`run ${runId} started: ${workflow.id} for schedule slot ${slot.toISOString()}`);
        },
      }, job, deps), { label, stop: job.drain, logger: deps.logger, retryable: () => !created });
      if (attempt.kind === 'stopped') deps.logger.warn(`schedule ${workflow.id} "${cron}": slot ${slot.toISOString()} did not start before serve stopped: ${(attempt.error as Error).message}`);
    },
  });
  void submission.started.then((start) => {
    if (start.kind === 'refused') deps.logger.warn(`schedule ${workflow.id} "${cron}": slot ${slot.toISOString()} did not start: ${start.error.message}`);
    if (start.kind === 'dropped') deps.logger.warn(`schedule ${workflow.id} "${cron}": slot ${slot.toISOString()} was dropped: serve shut down before a slot was free`);
  });
}
