import type { RunMeta } from '../store/journal-events.js';
import type { ConsoleOptions, RunServices } from '../runner/run-services.js';
import { startRun } from '../runner/start-run.js';
import type { JobContext } from './run-dispatcher.js';
import type { ServeLogger } from './serve-logger.js';
import type { PlannedRun } from './trigger-matching.js';
import { templatePin } from '../runtime/template-pin.js';

/** Why a planned run starts: what its run record says about it. */
export interface RunOrigin {
  trigger: RunMeta['trigger'];
  initiatedBy: string;
  reason: string;
  /** The event's payload (`event.*` in the templates), for event runs. */
  event?: Record<string, unknown>;
  /** Told the run id as soon as the run record exists (before the job's own callback). */
  onRunCreated(runId: string): void;
}

/** What {@link startPlannedRun} needs from serve. */
export interface PlannedRunDeps {
  services: RunServices;
  console(workflowId: string): ConsoleOptions;
  logger: ServeLogger;
}

/**
 * Runs a planned run (an event's, a schedule slot's) as a dispatcher job: an ordinary run in the
 * store under the job's stop and drain signals, its end logged. Resolves when the run ends.
 *
 * @throws what `startRun` throws before the run exists (e.g. SubjectLockedError), which the
 *   dispatcher reports as a refused start.
 */
export async function startPlannedRun(run: PlannedRun, origin: RunOrigin, job: JobContext, deps: PlannedRunDeps): Promise<void> {
  const { loaded } = run;
  const workflowId = loaded.workflow.id;
  const outcome = await startRun({
    workflow: loaded.workflow,
    template: templatePin(loaded),
    inputs: run.inputs,
    vars: run.vars,
    ...(origin.event === undefined ? {} : { event: origin.event }),
    trigger: origin.trigger,
    initiatedBy: origin.initiatedBy,
    reason: origin.reason,
    signal: job.signal,
    drain: job.drain,
    console: deps.console(workflowId),
    onRunCreated: (runId) => {
      origin.onRunCreated(runId);
      job.onRunCreated(runId);
    },
  }, deps.services);
  deps.logger[outcome.status === 'failed' ? 'warn' : 'info'](`run ${outcome.runId} ${outcome.status}: ${workflowId}${outcome.error ? `: ${outcome.error.message}` : ''}`);
}
