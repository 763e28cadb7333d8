import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IdflowError } from '../errors/idflow-error.js';
import { RunNotFoundError } from '../errors/usage-errors.js';
import type { RunMeta, RunStatus } from './journal-events.js';
import { isNewerRun } from './latest-runs.js';
import { isRunIdPrefix } from './run-id.js';
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

/** One page of runs, newest first, with the total and the cursor of the next page (the API's shape; the console pages by offset with `RunStore.pageRuns`). */
export interface CursorRunPage {
  runs: RunMeta[];
  /** How many runs match the filters, on every page together. */
  total: number;
  /** The `before` of the next page (the last run shown), or null on the last page. */
  next: string | null;
}

/** What never changes about a run once it exists: what it is filtered and ordered by. */
interface RunFacts {
  id: string;
  workflow: string;
  subject: string;
  startedAt: string;
  started: number;
}

/** A run's status that no later session can change (its record is then read once). */
const FINAL: ReadonlySet<RunStatus | string> = new Set(['succeeded', 'skipped', 'cancelled']);

/**
 * Pages of a store's runs, newest first (the order of `idflow runs`), filtered by workflow,
 * status, subject and start time, for a long-lived reader such as serve's `GET /api/runs`.
 * Paging by `before` stays right while new runs arrive (a page never repeats a run of the one
 * before); `offset` suits "page 3 of 12".
 *
 * @remarks
 * Reading every run record for every page would take seconds with ten thousand runs. A run's
 * workflow, subject and start time never change, so they are read once per run and kept; the
 * whole record is kept too once the run's status is final (succeeded, skipped). A page then
 * reads the records of the runs it shows that may still change, and, when it filters by status,
 * of the matching runs that may still change; a new run is read once, a removed one forgotten.
 */
export class RunPager {
  private readonly facts = new Map<string, RunFacts>();
  private readonly finished = new Map<string, RunMeta>();
  private ordered: RunFacts[] = [];

  constructor(private readonly store: RunStore) {}

  /**
   * A page of runs.
   * @throws IdflowError `INVALID_FILTER` when `before` names no run or more than one.
   */
  page(query: RunQuery, onUnreadable?: (runId: string, error: Error) => void): CursorRunPage {
    this.refresh(onUnreadable);
    const subject = query.subject?.toLowerCase();
    const since = query.since?.getTime();
    const until = query.until?.getTime();
    const candidates = this.ordered.filter((run) => (query.workflow === undefined || run.workflow === query.workflow)
      && (subject === undefined || run.subject.toLowerCase().includes(subject))
      && (since === undefined || run.started >= since)
      && (until === undefined || run.started < until));
    let matching: RunFacts[] = candidates;
    const metas = new Map<string, RunMeta>();
    if (query.status !== undefined) {
      matching = candidates.filter((run) => {
        const meta = this.meta(run.id, onUnreadable);
        if (meta !== undefined) metas.set(run.id, meta);
        return meta?.status === query.status;
      });
    }
    let start = query.offset ?? 0;
    if (query.before !== undefined) {
      const cursor = this.cursor(query.before);
      const index = matching.findIndex((run) => isNewerRun(cursor, run));
      start = index === -1 ? matching.length : index;
    }
    const shown = matching.slice(start, start + query.limit);
    const runs = shown.flatMap((run) => {
      const meta = metas.get(run.id) ?? this.meta(run.id, onUnreadable);
      return meta === undefined ? [] : [meta];
    });
    const last = shown.at(-1);
    return { runs, total: matching.length, next: last !== undefined && start + shown.length < matching.length ? last.id : null };
  }

  /** Reads the runs that are new since the last call, and forgets the removed ones. */
  private refresh(onUnreadable?: (runId: string, error: Error) => void): void {
    const present = new Set(this.runFolders());
    let changed = false;
    for (const id of this.facts.keys()) {
      if (present.has(id)) continue;
      this.facts.delete(id);
      this.finished.delete(id);
      changed = true;
    }
    for (const id of present) {
      if (this.facts.has(id)) continue;
      const meta = this.read(id, onUnreadable);
      if (meta === undefined) continue; // a run being created, or unreadable: tried again next time
      this.facts.set(id, { id, workflow: meta.workflow.id, subject: meta.subject ?? '', startedAt: meta.startedAt, started: Date.parse(meta.startedAt) });
      changed = true;
    }
    if (changed) this.ordered = [...this.facts.values()].sort((a, b) => (isNewerRun(a, b) ? -1 : 1));
  }

  /** A run's record with its status now (from memory when its status is final). */
  private meta(id: string, onUnreadable?: (runId: string, error: Error) => void): RunMeta | undefined {
    return this.finished.get(id) ?? this.read(id, onUnreadable);
  }

  private read(id: string, onUnreadable?: (runId: string, error: Error) => void): RunMeta | undefined {
    let meta: RunMeta;
    try {
      meta = this.store.openRun(id).meta();
    } catch (error) {
      if (!(error instanceof RunNotFoundError)) onUnreadable?.(id, error as Error);
      return undefined;
    }
    if (FINAL.has(meta.status)) this.finished.set(id, meta);
    return meta;
  }

  private cursor(before: string): RunFacts {
    const exact = this.facts.get(before);
    if (exact !== undefined) return exact;
    const matches = this.ordered.filter((run) => run.id.startsWith(before));
    if (matches.length === 1) return matches[0] as RunFacts;
    if (matches.length === 0) throw new IdflowError('INVALID_FILTER', `"before" names no run: no run has the id "${before}" (give the "next" of the page before)`);
    throw new IdflowError('INVALID_FILTER', `"before" matches several runs with "${before}"; give the whole id`);
  }

  /** The folders under `runs/` named like runs. */
  private runFolders(): string[] {
    try {
      return readdirSync(join(this.store.root, 'runs')).filter((name) => isRunIdPrefix(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}
