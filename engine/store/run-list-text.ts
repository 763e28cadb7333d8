import { formatDuration } from '../logging/progress-view.js';
import type { RunMeta } from './journal-events.js';
import { formatLocalTime, formatTable } from './text-layout.js';

/**
 * The table `idflow runs` prints: id, workflow, subject, status, started (local time) and
 * duration, newest first (as given).
 *
 * @param now - for the elapsed time of runs still running.
 */
export function formatRunsTable(runs: readonly RunMeta[], now: number = Date.now()): string {
  if (runs.length === 0) return 'No runs yet.';
  const rows = runs.map((run) => [run.id, run.workflow.id, run.subject ?? '-', run.status, formatLocalTime(run.startedAt), durationOf(run, now)]);
  return formatTable(['ID', 'WORKFLOW', 'SUBJECT', 'STATUS', 'STARTED', 'DURATION'], rows);
}

function durationOf(run: RunMeta, now: number): string {
  if (run.durationMs !== undefined) return formatDuration(run.durationMs);
  if (run.status === 'running') {
    const started = Date.parse(run.startedAt);
    return Number.isNaN(started) ? '-' : `${formatDuration(Math.max(0, now - started))} so far`;
  }
  if (run.finishedAt !== undefined) {
    const took = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
    if (Number.isFinite(took)) return formatDuration(took);
  }
  return '-';
}
