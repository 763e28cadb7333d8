import type { RunMeta } from './journal-events.js';

/** Whether run `a` is newer than run `b`: later start, then the greater id (as `listRuns` orders). */
export function isNewerRun(a: Pick<RunMeta, 'id' | 'startedAt'>, b: Pick<RunMeta, 'id' | 'startedAt'>): boolean {
  return a.startedAt > b.startedAt || (a.startedAt === b.startedAt && a.id > b.id);
}

/** How {@link LatestRunIndex} reads the store. */
export interface LatestRunSource {
  /** The ids of the run folders now (cheap: one directory listing). */
  ids(): string[];
  /** A run's record with its status computed now; throws when it cannot be read. */
  meta(id: string): RunMeta;
}

/**
 * The newest run of each workflow, kept up to date between calls, for a long-lived reader such
 * as serve's `GET /api/workflows`, which would otherwise read every run record on every call.
 *
 * @remarks
 * Run folders are only ever added, and a run's workflow and start time never change, so each
 * call reads only the records of runs it has not seen, plus the current newest run of each
 * workflow again (its status may have moved on: a failed run resumed). A run it has seen that is
 * gone (a folder removed by hand) makes it start again from a full scan. A folder whose record
 * cannot be read yet (a run being created) is tried again on the next call.
 */
export class LatestRunIndex {
  private readonly seen = new Set<string>();
  private readonly newest = new Map<string, Pick<RunMeta, 'id' | 'startedAt'>>();

  constructor(private readonly source: LatestRunSource) {}

  /** The newest run of each workflow id, each with its status as of now. */
  latest(): Map<string, RunMeta> {
    const ids = this.source.ids();
    const present = new Set(ids);
    for (const id of this.seen) {
      if (!present.has(id)) {
        this.reset();
        break;
      }
    }
    for (const id of ids) {
      if (this.seen.has(id)) continue;
      let meta: RunMeta;
      try {
        meta = this.source.meta(id);
      } catch {
        continue;
      }
      this.seen.add(id);
      const known = this.newest.get(meta.workflow.id);
      if (known === undefined || isNewerRun(meta, known)) this.newest.set(meta.workflow.id, { id: meta.id, startedAt: meta.startedAt });
    }
    const latest = new Map<string, RunMeta>();
    for (const [workflowId, { id }] of this.newest) {
      try {
        latest.set(workflowId, this.source.meta(id));
      } catch {
        // Seen before and unreadable now: rewritten by hand or half removed. Start again.
        this.reset();
        return this.latest();
      }
    }
    return latest;
  }

  private reset(): void {
    this.seen.clear();
    this.newest.clear();
  }
}
