import type { Workflow } from '../language/types.js';
import type { JournalEvent } from '../store/journal-events.js';

/**
 * What a run that did not finish had done, for `--json` (a script, or the HR system that called
 * the workflow, must know what was revoked before it stopped) and for a parent's sub-workflow.
 */
export interface PartialResult {
  /**
   * The template's returned data rendered with what the steps that ran produced (steps that did
   * not run have an empty output, as a skipped step has); absent when the template declares none
   * or it cannot be rendered from a run that stopped part way.
   */
  output?: unknown;
  /** Every step of the run, in order: how it ended and how many changes it made (across sessions). */
  steps: Record<string, StepTally>;
}

/** How one step of an unfinished run ended and what it changed. */
export interface StepTally {
  /** `not run` for a step the run never reached. */
  status: 'succeeded' | 'failed' | 'skipped' | 'not run' | 'interrupted';
  /** Changes made (result `changed`), including a failed or interrupted step's and its foreach items'. */
  changes: number;
  /** The `on_failure` steps are marked so. */
  on_failure?: true;
}

/**
 * Tallies each step of `workflow` from the run's journal: its last outcome and the changes it
 * recorded, across every session of the run (a resumed run counts what earlier sessions did).
 */
export function tallySteps(workflow: Pick<Workflow, 'steps' | 'on_failure'>, events: readonly JournalEvent[]): Record<string, StepTally> {
  const status = new Map<string, StepTally['status']>();
  const started = new Set<string>();
  const changes = new Map<string, number>();
  for (const event of events) {
    if (event.type === 'step.started' && event.item === undefined) started.add(event.step);
    else if (event.type === 'step.finished' && event.item === undefined) status.set(event.step, event.status);
    else if (event.type === 'step.change' && (event.change.result === undefined || event.change.result === 'changed')) {
      changes.set(event.step, (changes.get(event.step) ?? 0) + 1);
    }
  }
  const tallies: Record<string, StepTally> = {};
  const add = (id: string, onFailure: boolean): void => {
    const ended = status.get(id) ?? (started.has(id) || changes.has(id) ? 'interrupted' : 'not run');
    tallies[id] = { status: ended, changes: changes.get(id) ?? 0, ...(onFailure ? { on_failure: true as const } : {}) };
  };
  for (const step of workflow.steps) add(step.id, false);
  for (const step of workflow.on_failure) add(step.id, true);
  return tallies;
}

/**
 * The line `--json` prints for a run that did not succeed: the returned data as far as it can
 * be rendered (an object's members at the top, as a successful run prints them), then
 * `success: false`, the run id and status, the failed step, the error and the step tallies.
 * These last members are always idflow's, whatever the template's data calls its own.
 */
export function failureJson(outcome: { runId: string; status: string; failedStep?: string; error?: { code: string; message: string } }, partial: PartialResult | undefined): Record<string, unknown> {
  const output = partial?.output;
  const base: Record<string, unknown> = isPlainObject(output) ? { ...output } : output === undefined || output === null ? {} : { output };
  return {
    ...base,
    success: false,
    run_id: outcome.runId,
    status: outcome.status,
    failed_step: outcome.failedStep ?? null,
    error: outcome.error === undefined ? null : { code: outcome.error.code, message: outcome.error.message },
    steps: partial?.steps ?? {},
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
