import type { RunMeta } from '../store/journal-events.js';
import type { RunOutcome } from '../runner/run-session.js';
import type { ConsoleOptions, RunServices } from '../runner/run-services.js';
import { startRun } from '../runner/start-run.js';
import type { JobContext } from './run-dispatcher.js';
import type { ServeLogger } from './serve-logger.js';
import type { PlannedRun } from './trigger-matching.js';
import { templatePin } from '../runtime/template-pin.js';
import { isTransientStartError } from './transient-start.js';

/** Why a planned run starts: what its run record says about it. */
export interface RunOrigin {
  trigger: RunMeta['trigger'];
  initiatedBy: string;
  reason: string;
  /** The event's payload (`event.*` in the templates), for event runs. */
  event?: Record<string, unknown>;
  /** Told the run id as soon as the run record exists (before the job's own callback). */
  onRunCreated(runId: string): void;
  /** The run's id, chosen beforehand (see StartRunRequest.runId). */
  runId?: string;
}

/** What {@link startPlannedRun} needs from serve. */
export interface PlannedRunDeps {
  services: RunServices;
  console(workflowId: string): ConsoleOptions;
  logger: ServeLogger;
  /**
   * Told about a run whose session ended by throwing after its record existed (the store could
   * not be written: no file descriptor or disk space left): its record may still say `running`
   * in this live process, which nothing would ever resume. Serve marks it interrupted and
   * resumes it (see resumeStrandedRun).
   */
  onStranded?(runId: string, error: unknown): void;
}

/**
 * Runs a planned run (an event's, a schedule slot's) as a dispatcher job: an ordinary run in the
 * store under the job's stop and drain signals, its end logged. Resolves when the run ends.
 *
 * @throws what `startRun` throws before the run exists (e.g. SubjectLockedError), which the
 *   dispatcher reports as a refused start; after it exists, `deps.onStranded` is told first.
 */
export async function startPlannedRun(run: PlannedRun, origin: RunOrigin, job: JobContext, deps: PlannedRunDeps): Promise<void> {
  const { loaded } = run;
  const workflowId = loaded.workflow.id;
  let created: string | undefined;
  let outcome: RunOutcome;
  try {
    outcome = await startRun({
      workflow: loaded.workflow,
      template: templatePin(loaded),
      inputs: run.inputs,
      vars: run.vars,
      ...(origin.event === undefined ? {} : { event: origin.event }),
      trigger: origin.trigger,
      ...(origin.runId === undefined ? {} : { runId: origin.runId }),
      initiatedBy: origin.initiatedBy,
      reason: origin.reason,
      signal: job.signal,
      drain: job.drain,
      console: deps.console(workflowId),
      onRunCreated: (runId) => {
        created = runId;
        origin.onRunCreated(runId);
        job.onRunCreated(runId);
      },
    }, deps.services);
  } catch (error) {
    if (created !== undefined) deps.onStranded?.(created, error);
    throw error;
  }
  deps.logger[outcome.status === 'failed' ? 'warn' : 'info'](`run ${outcome.runId} ${outcome.status}: ${workflowId}${outcome.error ? `: ${outcome.error.message}` : ''}`);
  // A run that failed because the store could not be written for a moment is owed, not done.
  if (outcome.status === 'failed' && isTransientStartError(outcome.error)) deps.onStranded?.(outcome.runId, outcome.error);
}
