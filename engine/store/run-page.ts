import { AmbiguousError } from '../errors/action-errors.js';
import { IdflowError } from '../errors/idflow-error.js';
import { RunNotFoundError } from '../errors/usage-errors.js';
import type { RunMeta, RunStatus } from './journal-events.js';
import { isNewerRun } from './latest-runs.js';
import type { RunStore } from './run-store.js';

/** Which runs to show, and which page of them. */
export interface RunQuery {
  workflow?: string;
  status?: RunStatus;
  /** Runs whose subject contains this text (case-insensitive). */
  subject?: string;
  /** Runs started at or after this time. */
  since?: Date;
  /** Runs started before this time. */
  until?: Date;
  /** Runs older than this run (its id, or a unique prefix): the `next` of the page before. */
  before?: string;
  /** How many matching runs to skip (instead of `before`). */
  offset?: number;
  /** The most runs on the page. */
  limit: number;
}

/** One page of runs, newest first. */
export interface RunPage {
  runs: RunMeta[];
  /** How many runs match the filters, on every page together. */
  total: number;
  /** The `before` of the next page (the last run shown), or null on the last page. */
  next: string | null;
}

/**
 * A page of the store's runs, newest first (the order of `idflow runs`), filtered by workflow,
 * status, subject and start time. Paging by `before` stays right while new runs arrive (a page
 * never repeats a run of the one before); `offset` suits "page 3 of 12".
 *
 * @throws IdflowError `INVALID_FILTER` when `before` names no run or more than one.
 */
export function pageRuns(store: RunStore, query: RunQuery, onUnreadable?: (runId: string, error: Error) => void): RunPage {
  const subject = query.subject?.toLowerCase();
  const since = query.since?.getTime();
  const until = query.until?.getTime();
  const matching = store.listRuns({
    ...(query.workflow === undefined ? {} : { workflow: query.workflow }),
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(onUnreadable === undefined ? {} : { onUnreadable }),
  }).filter((run) => {
    if (subject !== undefined && !(run.subject ?? '').toLowerCase().includes(subject)) return false;
    const started = Date.parse(run.startedAt);
    if (since !== undefined && !(started >= since)) return false;
    if (until !== undefined && !(started < until)) return false;
    return true;
  });
  let start = query.offset ?? 0;
  if (query.before !== undefined) {
    const cursor = cursorRun(store, query.before);
    const index = matching.findIndex((run) => isNewerRun(cursor, run));
    start = index === -1 ? matching.length : index;
  }
  const runs = matching.slice(start, start + query.limit);
  const last = runs.at(-1);
  return { runs, total: matching.length, next: last !== undefined && start + runs.length < matching.length ? last.id : null };
}

function cursorRun(store: RunStore, before: string): RunMeta {
  try {
    return store.openRun(before).meta();
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new IdflowError('INVALID_FILTER', `"before" names no run: no run has the id "${before}" (give the "next" of the page before)`);
    if (error instanceof AmbiguousError) throw new IdflowError('INVALID_FILTER', `"before" matches several runs with "${before}"; give the whole id`);
    throw error;
  }
}
