import type { PlanResult } from '../../runner/plan-run.js';
import type { RunStatus } from '../../store/journal-events.js';
import type { TimerRecord } from '../../timers/timer-record.js';
import type { WorkflowSummary } from '../../workflows/workflow-summary.js';
import type { Principal } from '../auth/principal.js';

/**
 * What the console and the API's write routes may do to serve's workflows, runs and timers,
 * each on behalf of a signed-in {@link Principal} (recorded as who did it: the run's
 * `initiated_by`, an audit entry and a serve log line). The HTTP routes check the role; these
 * operations check that the thing exists and is in a state that allows it, and throw an
 * `IdflowError` with a stable code when not (e.g. `WORKFLOW_NOT_FOUND`, `RUN_NOT_FOUND`,
 * `RUN_NOT_RESUMABLE`, `RUN_NOT_RUNNING`, `TIMER_NOT_FOUND`, `TIMER_NOT_PENDING`, `TIMER_FIRING`,
 * `SUBJECT_LOCKED`, `INVALID_INPUT` (a ValidationError whose problems name each input, the code
 * `idflow run` gives the same mistake), `INVALID_PARAMS`, `SERVE_STOPPING`).
 *
 * Who: a principal is recorded as `name (role via method)`, e.g. `alice (operator via password)`
 * (see principalLabel).
 */
export interface ServeOperations {
  /** Plans a run of the workflow with the given inputs, exactly as `idflow plan` would: nothing changes. */
  plan(workflowId: string, inputs: Record<string, unknown>, by: Principal): Promise<PlanResult>;
  /**
   * Starts a run of the workflow (a manual trigger, as `idflow run` would, through serve's own
   * dispatcher and subject locks) and returns as soon as its run record exists. When every run
   * slot is busy it returns at once with `queued: true` and the id the run will have: its record
   * exists once it starts (a cancel before then keeps it from starting).
   */
  start(workflowId: string, inputs: Record<string, unknown>, by: Principal): Promise<{ runId: string; queued?: true }>;
  /** Resumes an interrupted or failed run where it stopped (as `idflow resume`). */
  resume(runId: string, by: Principal): Promise<{ runId: string }>;
  /**
   * Asks a running run to stop: it stops at its next step boundary (a step in progress is
   * never cut in the middle of a call) and ends `cancelled` (status `cancelling` until then).
   * A run started here that still waits in the queue never starts (status `cancelled` at once).
   */
  cancel(runId: string, by: Principal): Promise<{ runId: string; status: RunStatus | 'cancelling' }>;
  /** Enables or disables a served workflow (as `idflow workflows enable|disable`). */
  setEnabled(workflowId: string, enabled: boolean, by: Principal): Promise<WorkflowSummary>;
  /** Cancels a pending timer (as `idflow timers cancel`). */
  cancelTimer(timerId: string, by: Principal): Promise<TimerRecord>;
  /** Pending timers first, then the others, newest first. */
  timers(filter?: { state?: TimerRecord['state']; limit?: number }): TimerRecord[];
  /**
   * Follows a run as it goes: calls `listener` with each journal event from `afterSeq` on
   * (the journal's own event objects), and once more with `{ type: 'end', status }` when the
   * run ends. Returns a function that stops following. Used by the progress stream.
   */
  follow(runId: string, listener: (event: RunProgressEvent) => void, afterSeq?: number): () => void;
}

/** One event of a run's progress stream. */
export type RunProgressEvent =
  | { type: 'journal'; seq: number; event: Record<string, unknown> }
  | { type: 'end'; status: RunStatus | 'cancelled' };
