import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IdflowError } from '../errors/idflow-error.js';
import { AmbiguousError } from '../errors/action-errors.js';
import { RunNotFoundError, UsageError } from '../errors/usage-errors.js';
import { Redactor } from '../logging/redactor.js';
import type { Durability } from './durability.js';
import type { RunMeta, RunStatus } from './journal-events.js';
import { thisHost } from './process-liveness.js';
import { LatestRunIndex, isNewerRun } from './latest-runs.js';
import { pageRuns, type RunPage, type RunPageQuery } from './run-pages.js';
import { RunHandle } from './run-handle.js';
import { RUN_FILES } from './run-files.js';
import { isRunIdPrefix, newRunId } from './run-id.js';
import { makePrivateDir, makePrivateDirOnce, writeNewPrivateFile } from './private-files.js';
import { sha256Hex } from './pinned-record.js';

export { resolveStoreRoot } from './store-root.js';
export { RunHandle } from './run-handle.js';
export type { Durability } from './durability.js';
export type { RunPage, RunPageQuery } from './run-pages.js';

/** What the runner knows when it starts a run. */
export interface NewRun {
  workflow: { id: string; name: string; version?: string };
  /** The template file as given (absolute). */
  templatePath: string;
  /** The template text, pinned in the run folder for resume. */
  templateText: string;
  /** sha256 (hex) of `templateText`. */
  templateHash: string;
  /** The validated inputs; the caller redacts inputs declared `secret` (the store redacts known secret values too). */
  inputs: Record<string, unknown>;
  subject?: string;
  initiatedBy: string;
  reason?: string;
  trigger: RunMeta['trigger'];
  parentRunId?: string;
  sandbox: boolean;
  /** With `sandbox`: the organisation file the sandbox started from. */
  sandboxData?: string;
}

/** How many template texts a store remembers the hash of (see RunStore.templateHash). */
const PINNED_TEMPLATES_REMEMBERED = 16;

/** Which runs {@link RunStore.listRuns} returns. */
export interface RunFilter {
  /** Only runs of this workflow id. */
  workflow?: string;
  /** Only runs with this (computed) status. */
  status?: RunStatus;
  /** At most this many (the newest). */
  limit?: number;
  /** Told about a run folder whose record cannot be read (it is left out of the list). */
  onUnreadable?: (runId: string, error: Error) => void;
}

/**
 * The embedded run store: a folder (default `.idflow/`) with one folder per run under `runs/`,
 * plus `locks/` (subject locks) and `outbox/` (sandbox emails). Plain files, so that a run can
 * be inspected, copied or archived with ordinary tools.
 */
export class RunStore {
  /** The store's folder (absolute). */
  readonly root: string;
  private readonly redactor: Redactor;
  private readonly durability: Durability;
  /** Whether {@link RunStore.locksDir} has made the locks folder. */
  private madeLocksDir = false;
  /**
   * Whether this store object has made sure that the store's folder and `runs/` are private
   * (once: they may come from an older version, or from a `mkdir` under a loose umask).
   */
  private checkedFolders = false;
  /**
   * The sha256 of the template texts this store pinned last (see {@link RunStore.templateHash}),
   * oldest first.
   */
  private readonly templateHashes = new Map<string, string>();
  /** The newest run of each workflow, kept between calls of {@link RunStore.latestRunsByWorkflow}. */
  private latestRuns: LatestRunIndex | undefined;

  /**
   * @param root - the store folder; created on first write.
   * @param options.redactor - applied to everything the store writes (share the run's redactor).
   * @param options.durability - `write` (default: survives a killed process) or `fsync` (also a power loss).
   */
  constructor(root: string, options: { redactor?: Redactor; durability?: Durability } = {}) {
    this.root = resolve(root);
    this.redactor = options.redactor ?? new Redactor();
    this.durability = options.durability ?? 'write';
  }

  /**
   * Creates a run: a new id and a folder `runs/<id>/` holding the pinned template
   * (`template.yaml`), the inputs (`inputs.json`, redacted), an empty journal and audit trail,
   * and the record (`run.json`, status `running`, this process's pid and host), written last so
   * that a folder without it is a run that never started.
   *
   * @param options.id - an id chosen beforehand with `newRunId()` (e.g. to take the subject
   *   lock before the record exists); a fresh one otherwise.
   * @param options.startedAt - the start time (ISO-8601) matching that id; now otherwise.
   * @throws IdflowError `RUN_EXISTS` when a given id is already used; `INVALID_RUN` for an
   *   incomplete description or a malformed id.
   */
  createRun(run: NewRun, options: { id?: string; startedAt?: string } = {}): RunHandle {
    checkNewRun(run);
    if (options.id !== undefined && !isRunIdPrefix(options.id)) throw new IdflowError('INVALID_RUN', `Cannot create a run: "${options.id}" is not a run id (lower-case letters, digits and dashes)`);
    if (options.startedAt !== undefined && Number.isNaN(Date.parse(options.startedAt))) throw new IdflowError('INVALID_RUN', `Cannot create a run: startedAt "${options.startedAt}" is not an ISO-8601 time`);
    const runsDir = join(this.root, 'runs');
    const startedAt = options.startedAt === undefined ? new Date() : new Date(options.startedAt);
    let id = '';
    let dir = '';
    let madeRunsDir = false;
    if (!this.checkedFolders) {
      makePrivateDir(this.root);
      makePrivateDir(runsDir);
      this.checkedFolders = true;
    }
    for (let attempt = 0; ; attempt++) {
      id = options.id ?? newRunId(startedAt);
      dir = join(runsDir, id);
      try {
        makePrivateDirOnce(dir);
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // The store's folders are made on the first run (or again if they were removed since),
        // not looked for on every run.
        if (code === 'ENOENT' && !madeRunsDir) {
          makePrivateDir(runsDir);
          madeRunsDir = true;
          attempt--;
          continue;
        }
        if (code !== 'EEXIST') throw error;
        if (options.id !== undefined) throw new IdflowError('RUN_EXISTS', `Cannot create run ${options.id}: a run with that id already exists in ${runsDir}`, { details: { runId: options.id } });
        if (attempt >= 20) throw error;
      }
    }
    try {
      return this.fillRun(dir, id, run, options.startedAt ?? startedAt.toISOString());
    } catch (error) {
      // A run that could not be created (no file descriptor or disk space left, say) leaves no
      // folder behind; if even removing it fails, the folder has no run.json and is ignored.
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // ignored: see above
      }
      throw error;
    }
  }

  /** Writes a new run's files into its folder, `run.json` last. */
  private fillRun(dir: string, id: string, run: NewRun, startedAt: string): RunHandle {
    // The template is pinned exactly as given: resume needs its exact text and hash. Each run
    // has its own copy: runs that shared one file (a hard link) were all changed by one edit.
    writeNewPrivateFile(join(dir, RUN_FILES.template), run.templateText);
    const inputsText = `${JSON.stringify(this.redactor.redactDeep(run.inputs), null, 2)}\n`;
    writeNewPrivateFile(join(dir, RUN_FILES.inputs), inputsText);
    const identity = { workflowId: run.workflow.id, initiatedBy: run.initiatedBy, ...(run.reason === undefined ? {} : { reason: run.reason }) };
    const handle = new RunHandle(dir, id, { redactor: this.redactor, durability: this.durability }, identity);
    const pinned = { template: this.templateHash(run.templateText), inputs: sha256Hex(inputsText) };
    handle.pinnedAtStart = pinned;
    handle.initialize();
    const meta: RunMeta = {
      id,
      workflow: { id: run.workflow.id, name: run.workflow.name, ...(run.workflow.version === undefined ? {} : { version: run.workflow.version }) },
      templatePath: run.templatePath,
      templateHash: run.templateHash,
      pinned,
      ...(run.subject === undefined ? {} : { subject: run.subject }),
      status: 'running',
      startedAt,
      initiatedBy: run.initiatedBy,
      ...(run.reason === undefined ? {} : { reason: run.reason }),
      trigger: run.trigger,
      ...(run.parentRunId === undefined ? {} : { parentRunId: run.parentRunId }),
      childRunIds: [],
      pid: process.pid,
      hostname: thisHost(),
      sandbox: run.sandbox,
      ...(run.sandboxData === undefined ? {} : { sandboxData: run.sandboxData }),
    };
    try {
      handle.writeMeta(meta);
    } catch (error) {
      // The journal and audit files were left open for a session that will not happen.
      handle.close();
      throw error;
    }
    return handle;
  }

  /**
   * The sha256 of a template text to pin, remembered for the last few texts: a bulk run or
   * `serve` pins the same template for every run, and hashing it again each time (15 kB
   * for the JumpCloud offboarding) was a measurable part of starting a run. The hash
   * is of the text itself, so a text that differs in any way is hashed anew.
   */
  private templateHash(text: string): string {
    const known = this.templateHashes.get(text);
    if (known !== undefined) return known;
    const hash = sha256Hex(text);
    if (this.templateHashes.size >= PINNED_TEMPLATES_REMEMBERED) {
      const oldest = this.templateHashes.keys().next();
      if (oldest.done !== true) this.templateHashes.delete(oldest.value);
    }
    this.templateHashes.set(text, hash);
    return hash;
  }

  /**
   * Opens a run by id or by a unique prefix of its id.
   * @throws RunNotFoundError when no run matches; AmbiguousError (listing them) when several do.
   */
  openRun(runId: string): RunHandle {
    const wanted = runId.trim();
    if (!isRunIdPrefix(wanted)) throw new RunNotFoundError(runId);
    const runsDir = join(this.root, 'runs');
    if (existsSync(join(runsDir, wanted, RUN_FILES.meta))) return this.handle(wanted);
    const matches = this.runIds().filter((id) => id.startsWith(wanted));
    if (matches.length === 0) throw new RunNotFoundError(runId);
    if (matches.length > 1) {
      const shown = matches.sort().reverse().slice(0, 10);
      throw new AmbiguousError(`Run id "${runId}" matches ${matches.length} runs; give more of the id`, matches.length > shown.length ? [...shown, '…'] : shown);
    }
    return this.handle(matches[0] as string);
  }

  /** Runs matching `filter`, newest first, each with its status computed. */
  listRuns(filter: RunFilter = {}): RunMeta[] {
    if (filter.limit !== undefined && (!Number.isInteger(filter.limit) || filter.limit < 1)) {
      throw new UsageError(`The run limit must be a positive whole number (got ${String(filter.limit)})`);
    }
    const metas: RunMeta[] = [];
    for (const id of this.runIds()) {
      let meta: RunMeta;
      try {
        meta = this.handle(id).meta();
      } catch (error) {
        filter.onUnreadable?.(id, error as Error);
        continue;
      }
      if (filter.workflow !== undefined && meta.workflow.id !== filter.workflow) continue;
      if (filter.status !== undefined && meta.status !== filter.status) continue;
      metas.push(meta);
    }
    metas.sort((a, b) => (isNewerRun(a, b) ? -1 : 1));
    return filter.limit === undefined ? metas : metas.slice(0, filter.limit);
  }

  /**
   * One page of runs, newest first, filtered (workflow, status, subject, days), reading only the
   * records the page needs (see {@link pageRuns}): the console's run list stays fast with many
   * thousands of runs, where {@link RunStore.listRuns} reads every record.
   */
  pageRuns(query: RunPageQuery): RunPage {
    return pageRuns({ ids: () => this.runIds(), meta: (id) => this.handle(id).meta() }, query);
  }

  /**
   * The newest run of each workflow, by workflow id, each with its status computed now. The
   * first call reads every run record; later calls on the same store read only new runs and
   * each workflow's newest (see {@link LatestRunIndex}), so a long-lived serve stays fast with
   * many thousands of runs.
   */
  latestRunsByWorkflow(): Map<string, RunMeta> {
    this.latestRuns ??= new LatestRunIndex({
      ids: () => this.runFolders(),
      meta: (id) => this.handle(id).meta(),
    });
    return this.latestRuns.latest();
  }

  /** Where sandbox-mode emails are written (created if missing). */
  outboxDir(): string {
    const dir = join(this.root, 'outbox');
    makePrivateDir(dir);
    return dir;
  }

  /**
   * Where subject locks live: created by the first call of this store object (acquireSubjectLock
   * makes it again if it has been removed since), not looked for on every run.
   */
  locksDir(): string {
    const dir = join(this.root, 'locks');
    if (!this.madeLocksDir) {
      makePrivateDir(dir);
      this.madeLocksDir = true;
    }
    return dir;
  }

  /** Ids of run folders that hold a record (a folder without `run.json` never started). */
  private runIds(): string[] {
    return this.runFolders().filter((name) => existsSync(join(this.root, 'runs', name, RUN_FILES.meta)));
  }

  /** Names of the folders under `runs/` that look like run ids (with a record or not yet). */
  private runFolders(): string[] {
    let names: string[];
    try {
      names = readdirSync(join(this.root, 'runs'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names.filter((name) => isRunIdPrefix(name));
  }

  private handle(id: string): RunHandle {
    return new RunHandle(join(this.root, 'runs', id), id, { redactor: this.redactor, durability: this.durability });
  }
}

function checkNewRun(run: NewRun): void {
  const problems: string[] = [];
  if (typeof run.workflow?.id !== 'string' || run.workflow.id === '') problems.push('workflow.id is missing');
  if (typeof run.workflow?.name !== 'string') problems.push('workflow.name is missing');
  if (typeof run.templateText !== 'string') problems.push('templateText must be the template text');
  if (typeof run.templateHash !== 'string' || run.templateHash === '') problems.push('templateHash is missing');
  if (typeof run.initiatedBy !== 'string' || run.initiatedBy === '') problems.push('initiatedBy is missing');
  if (typeof run.inputs !== 'object' || run.inputs === null || Array.isArray(run.inputs)) problems.push('inputs must be an object');
  if (typeof run.trigger !== 'object' || run.trigger === null || typeof run.trigger.type !== 'string') problems.push('trigger.type is missing');
  if (problems.length > 0) throw new IdflowError('INVALID_RUN', `Cannot create a run: ${problems.join('; ')}`);
}
