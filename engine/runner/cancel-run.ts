import { ConflictError } from '../errors/action-errors.js';
import type { RunStatus } from '../store/journal-events.js';
import type { RunStore } from '../store/run-store.js';

/** What {@link requestRunCancel} did. */
export interface CancelRequested {
  /** The run's full id (the caller may have given a prefix). */
  runId: string;
  workflowId: string;
  /** Always `cancelling`: the run stops at its next step boundary, in whichever process runs it. */
  status: 'cancelling';
}

/**
 * Asks a running run to stop: records the request in the run's folder (see `cancel-request.ts`),
 * where the process executing it (this one, serve, another `idflow run` on the same store) finds
 * it at its next step boundary or between foreach items, lets the step in flight finish, and
 * ends the run `cancelled` (journaled and audited with `by`). A request made in the process that
 * runs it also ends a retry's back-off at once. Asking twice is harmless (the latest asker is
 * recorded).
 *
 * @throws RunNotFoundError; AmbiguousError for a prefix of several ids; ConflictError
 *   `RUN_NOT_RUNNING` when the run is not running (finished, cancelled, or interrupted: its
 *   process is gone, so there is nothing to stop).
 */
export function requestRunCancel(store: RunStore, runId: string, request: { by: string; reason?: string }): CancelRequested {
  const handle = store.openRun(runId);
  try {
    const meta = handle.meta();
    if (meta.status !== 'running') throw notRunning(handle.id, meta.status);
    const reason = request.reason?.trim();
    handle.requestCancel({ at: new Date().toISOString(), by: request.by, ...(reason === undefined || reason === '' ? {} : { reason }) });
    return { runId: handle.id, workflowId: meta.workflow.id, status: 'cancelling' };
  } finally {
    handle.close();
  }
}

function notRunning(runId: string, status: RunStatus): ConflictError {
  const hint = status === 'interrupted'
    ? `its process is gone, so nothing runs to stop; resume it with "idflow resume ${runId}", or leave it`
    : status === 'cancelled' ? 'it was cancelled already' : 'only a running run can be cancelled';
  return new ConflictError(`Run ${runId} is ${status}: ${hint}`, { code: 'RUN_NOT_RUNNING', details: { runId, status } });
}
