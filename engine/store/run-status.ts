import type { RunMeta, RunStatus } from './journal-events.js';
import { isProcessAlive, thisHost } from './process-liveness.js';

/**
 * How long a run recorded as `running` by another host may go without writing to its journal
 * before it is shown as `interrupted`. A process on another machine cannot be checked, so
 * silence is the only sign that it died; a day is far longer than any step should take, so a
 * live run is not mislabelled.
 */
export const OTHER_HOST_STALE_MS = 24 * 60 * 60 * 1000;

/**
 * The status to show for a run. `run.json` says `running` from start to end; if the process
 * that ran it is gone (killed, crashed, machine rebooted), the run is `interrupted`:
 * - on this host: when its `pid` is no longer alive;
 * - on another host (a store on a shared disk): when nothing was written for
 *   {@link OTHER_HOST_STALE_MS}.
 *
 * @param lastActivityMs - when the run last wrote to its journal or record (ms since epoch).
 */
export function effectiveStatus(meta: Pick<RunMeta, 'status' | 'pid' | 'hostname'>, lastActivityMs: number | undefined, now: number = Date.now()): RunStatus {
  if (meta.status !== 'running') return meta.status;
  if (meta.hostname === thisHost()) return isProcessAlive(meta.pid) ? 'running' : 'interrupted';
  if (lastActivityMs !== undefined && now - lastActivityMs > OTHER_HOST_STALE_MS) return 'interrupted';
  return 'running';
}
