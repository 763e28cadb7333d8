import type { RunMeta, RunStatus } from './journal-events.js';
import { isNewerRun } from './latest-runs.js';

/** How {@link pageRuns} reads the store. */
export interface RunPageSource {
  /**
   * The ids of the runs that have a record (cheap: a directory listing and a look for each
   * `run.json`; no record is read). Pages before the one shown are skipped by counting them.
   */
  ids(): string[];
  /** A run's record with its status computed now; throws when it cannot be read. */
  meta(id: string): RunMeta;
}

/** Which runs one page shows. Every filter is optional. */
export interface RunPageQuery {
  /** Only runs of this workflow id. */
  workflow?: string;
  /** Only runs with this (computed) status. */
  status?: RunStatus;
  /** Only runs whose subject contains this text (case-insensitive). */
  subject?: string;
  /** Only runs started on or after this day (`YYYY-MM-DD`, UTC). */
  from?: string;
  /** Only runs started on or before this day (`YYYY-MM-DD`, UTC). */
  to?: string;
  /** How many runs to skip (the pages before this one). */
  offset: number;
  /** How many runs the page holds. */
  limit: number;
}

/** One page of runs, newest first. */
export interface RunPage {
  runs: RunMeta[];
  /** Whether older runs match beyond this page. */
  more: boolean;
  /** How many runs the store holds in all, when no filter narrows them (counted from folder names). */
  total?: number;
  /** How many run records were read to make the page (what the 10,000-runs test counts). */
  recordsRead: number;
}

/** `YYYYMMDD-HHMM`: the UTC start minute a run id begins with (see `newRunId`). */
const MINUTE = /^(\d{8}-\d{4})-/;

/**
 * One page of runs, newest first (as `listRuns` orders them: start time, then id), reading only
 * the records the page needs.
 *
 * @remarks
 * Run ids begin with their UTC start minute, so the folder names alone order the runs to the
 * minute and place them in days. Runs are taken one start minute at a time, newest first; only
 * a minute's records are read to order it exactly. Without a filter on what a record holds
 * (workflow, status, subject), whole minutes before the page are skipped by counting names, so
 * page 1 of 10,000 runs reads about one page of records. With such a filter, records are read
 * until the page is full (and one more match shows there is a next page). Day filters skip
 * folders by name. Folder names that do not begin with a start minute (runs of an older
 * version) are read and placed by their record, after the others.
 */
export function pageRuns(source: RunPageSource, query: RunPageQuery): RunPage {
  const byRecord = query.workflow !== undefined || query.status !== undefined || (query.subject !== undefined && query.subject !== '');
  const fromKey = query.from === undefined ? undefined : `${query.from.replaceAll('-', '')}-0000`;
  const toKey = query.to === undefined ? undefined : `${query.to.replaceAll('-', '')}-2359`;
  const groups = new Map<string, string[]>();
  const unplaced: string[] = [];
  for (const id of source.ids()) {
    const minute = MINUTE.exec(id)?.[1];
    if (minute === undefined) {
      unplaced.push(id);
      continue;
    }
    if (fromKey !== undefined && minute < fromKey) continue;
    if (toKey !== undefined && minute > toKey) continue;
    let group = groups.get(minute);
    if (group === undefined) groups.set(minute, (group = []));
    group.push(id);
  }
  const minutes = [...groups.keys()].sort().reverse();
  const ordered: string[][] = minutes.map((minute) => groups.get(minute) as string[]);
  if (unplaced.length > 0) ordered.push(unplaced);

  const needle = query.subject?.trim().toLowerCase() ?? '';
  const matches = (meta: RunMeta): boolean =>
    (query.workflow === undefined || meta.workflow.id === query.workflow) &&
    (query.status === undefined || meta.status === query.status) &&
    (needle === '' || (meta.subject ?? '').toLowerCase().includes(needle)) &&
    // Runs of an older version (no minute in the id) are placed by their record.
    (fromKey === undefined || meta.startedAt.slice(0, 10) >= (query.from as string)) &&
    (toKey === undefined || meta.startedAt.slice(0, 10) <= (query.to as string));

  let recordsRead = 0;
  let skipped = 0;
  const runs: RunMeta[] = [];
  let more = false;
  for (const group of ordered) {
    if (!byRecord && group !== unplaced && skipped + group.length <= query.offset) {
      skipped += group.length;
      continue;
    }
    const metas: RunMeta[] = [];
    for (const id of group) {
      recordsRead++;
      try {
        metas.push(source.meta(id));
      } catch {
        // A folder without a readable record (a run being created, or damaged) is not listed.
      }
    }
    metas.sort((a, b) => (isNewerRun(a, b) ? -1 : 1));
    for (const meta of metas) {
      if (!matches(meta)) continue;
      if (skipped < query.offset) {
        skipped++;
        continue;
      }
      if (runs.length === query.limit) {
        more = true;
        break;
      }
      runs.push(meta);
    }
    if (more) break;
  }
  const unfiltered = !byRecord && fromKey === undefined && toKey === undefined;
  return { runs, more, ...(unfiltered ? { total: [...groups.values()].reduce((n, g) => n + g.length, 0) + unplaced.length } : {}), recordsRead };
}
