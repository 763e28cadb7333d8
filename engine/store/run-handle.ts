import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { IdflowError } from '../errors/idflow-error.js';
import { RunNotFoundError } from '../errors/usage-errors.js';
import { AuditTrail, type AuditIdentity } from '../audit/audit-trail.js';
import type { Redactor } from '../logging/redactor.js';
import { writeFileAtomic, writeFileAtomicIdentified, type FileIdentity } from './atomic-write.js';
import type { Durability } from './durability.js';
import { AppendOnlyFile, readJsonLines, repairTail } from './jsonl-file.js';
import type { JournalEvent, RunMeta } from './journal-events.js';
import { RUN_FILES } from './run-files.js';
import { effectiveStatus } from './run-status.js';
import { notifyJournalAppend } from './journal-notices.js';
import { clearCancelRequest, readCancelRequest, writeCancelRequest, type CancelRequest } from './cancel-request.js';
import { verifyPinnedRecord, type PinnedHashes, type VerifiedPinnedRecord } from './pinned-record.js';

/** How a handle writes: shared by every handle of a store. */
export interface RunHandleOptions {
  redactor: Redactor;
  durability: Durability;
}

/**
 * One run's folder: its record (`run.json`), pinned template, inputs, journal, output, log and
 * audit trail. Everything written goes through the store's redactor first.
 */
export class RunHandle {
  /** The run id (also the folder name). */
  readonly id: string;
  /** The run's folder. */
  readonly dir: string;
  /** Where the run's JSON-lines log goes (`log.jsonl`). */
  readonly logFile: string;
  /** The run's audit trail. */
  readonly audit: AuditTrail;
  private readonly redactor: Redactor;
  private readonly durability: Durability;
  /** Whether the journal's last line was checked (and repaired) since this handle was opened. */
  private journalChecked = false;
  /** The journal, kept open between appends (see {@link RunHandle.close}). */
  private readonly journal: AppendOnlyFile;
  /**
   * The pinned files' hashes, on the handle the store created the run with (for the audit
   * trail's start entry); undefined on a handle opened later, which reads them from `run.json`.
   */
  pinnedAtStart: PinnedHashes | undefined;
  /** `run.json` as this handle last wrote it, and which file that was (see metaToUpdate). */
  private lastWritten: { text: string; file: FileIdentity } | undefined;

  /**
   * @param identity - the run's workflow id, initiator and reason when the caller has them at
   *   hand (the store creating the run); otherwise they are read from `run.json` when the audit
   *   trail first needs them.
   */
  constructor(dir: string, id: string, options: RunHandleOptions, identity?: AuditIdentity) {
    this.id = id;
    this.dir = dir;
    this.logFile = join(dir, RUN_FILES.log);
    this.redactor = options.redactor;
    this.durability = options.durability;
    this.journal = new AppendOnlyFile(join(dir, RUN_FILES.journal), options.durability);
    this.audit = new AuditTrail({
      dir,
      runId: id,
      redactor: options.redactor,
      durability: options.durability,
      identity: () => {
        if (identity !== undefined) return identity;
        const meta = this.storedMeta();
        return { workflowId: meta.workflow.id, initiatedBy: meta.initiatedBy, ...(meta.reason === undefined ? {} : { reason: meta.reason }) };
      },
    });
  }

  /**
   * The run's record with its status computed: a run recorded as `running` whose process is
   * gone is `interrupted` (see {@link effectiveStatus}).
   */
  meta(): RunMeta {
    const meta = this.storedMeta();
    return { ...meta, status: effectiveStatus(meta, this.lastActivity()) };
  }

  /** Merges `patch` into `run.json` (redacted) and replaces the file atomically. The id cannot change. */
  updateMeta(patch: Partial<RunMeta>): void {
    const next: RunMeta = { ...this.metaToUpdate(), ...patch, id: this.id };
    this.writeMeta(next);
  }

  /**
   * Writes `meta` (redacted) as `run.json`, replacing the file atomically. The store calls it
   * to create the record; afterwards {@link RunHandle.updateMeta}.
   */
  writeMeta(meta: RunMeta): void {
    const text = `${JSON.stringify(this.redactor.redactDeep(meta), null, 2)}\n`;
    const file = writeFileAtomicIdentified(join(this.dir, RUN_FILES.meta), text, this.durability);
    this.lastWritten = { text, file };
  }

  /**
   * The pinned template and recorded inputs, each checked against the hashes recorded when the
   * run started (see {@link verifyPinnedRecord}): what every reader of them goes through.
   *
   * @throws RunRecordChangedError (`RUN_RECORD_CHANGED`) when either changed since.
   */
  pinnedRecord(): VerifiedPinnedRecord {
    return verifyPinnedRecord(this.dir, this.id, this.pinnedAtStart ?? this.storedMeta().pinned);
  }

  /**
   * The template text pinned when the run was created.
   * @throws RunRecordChangedError when it changed since the run started.
   */
  templateText(): string {
    return this.pinnedRecord().templateText;
  }

  /**
   * The inputs as recorded (secrets redacted).
   * @throws RunRecordChangedError when the template or the inputs changed since the run started.
   */
  inputs(): Record<string, unknown> {
    const { inputsText } = this.pinnedRecord();
    try {
      return JSON.parse(inputsText) as Record<string, unknown>;
    } catch (error) {
      throw this.damaged(RUN_FILES.inputs, error);
    }
  }

  /**
   * Creates the run's empty journal and audit trail (with its head), kept open for the session
   * that follows. Called once by the store, in the run's new folder, before `run.json` exists.
   *
   * @throws the file system's error, `EEXIST` when a file exists.
   */
  initialize(): void {
    this.journal.create();
    // A file this handle created holds no torn line to repair.
    this.journalChecked = true;
    try {
      this.audit.initialize();
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /**
   * Appends an event to the journal: one redacted line, written through (`writeSync`) before
   * returning, and `fsync`ed when the store's durability is `fsync`. The first append after
   * opening cuts off a torn last line a killed process may have left.
   */
  append(event: JournalEvent): void {
    if (!this.journalChecked) {
      repairTail(this.journal.path);
      this.journalChecked = true;
    }
    this.journal.append(JSON.stringify(this.redactor.redactDeep(event)));
    notifyJournalAppend(this.dir);
  }

  /**
   * Closes the files the handle keeps open between appends (the journal, the audit trail and
   * its head). The runner calls it when a session ends; appending afterwards opens them again.
   */
  close(): void {
    this.journal.close();
    this.audit.close();
  }

  /**
   * Every journal event, in order. A torn last line (a kill mid-write) is left out; it is
   * removed from the file on the next {@link RunHandle.append}.
   *
   * @throws IdflowError `JOURNAL_CORRUPT` when a line other than the last is not a journal event.
   */
  events(): JournalEvent[] {
    const read = readJsonLines(join(this.dir, RUN_FILES.journal));
    const bad = read.invalid[0];
    if (bad !== undefined) {
      throw new IdflowError('JOURNAL_CORRUPT', `The journal of run ${this.id} is damaged: line ${bad.line} is not valid JSON (${bad.message}); the run cannot be shown or resumed safely`, {
        details: { runId: this.id, line: bad.line },
      });
    }
    const events: JournalEvent[] = [];
    for (const record of read.records) {
      const value = record.value as { type?: unknown };
      if (typeof value !== 'object' || value === null || typeof value.type !== 'string') {
        throw new IdflowError('JOURNAL_CORRUPT', `The journal of run ${this.id} is damaged: line ${record.line} is not a journal event (no "type")`, { details: { runId: this.id, line: record.line } });
      }
      events.push(value as JournalEvent);
    }
    return events;
  }

  /**
   * Asks the run to stop at its next step boundary (see `cancel-request.ts`): the request is
   * written to the run's folder, so the process executing the run sees it wherever it runs.
   */
  requestCancel(request: CancelRequest): void {
    writeCancelRequest(this.dir, this.redactor.redactDeep(request), this.durability);
  }

  /** The run's pending cancel request, if any. */
  cancelRequest(): CancelRequest | undefined {
    return readCancelRequest(this.dir);
  }

  /** Withdraws the run's cancel request (a cancelled run being resumed). */
  clearCancelRequest(): void {
    clearCancelRequest(this.dir);
  }

  /** Records the returned data (redacted), replacing any earlier value atomically. */
  writeOutput(output: unknown): void {
    writeFileAtomic(join(this.dir, RUN_FILES.output), `${JSON.stringify(this.redactor.redactDeep(output ?? null), null, 2)}\n`, this.durability);
  }

  /** The returned data, or undefined when none was written. */
  output(): unknown {
    try {
      return JSON.parse(readFileSync(join(this.dir, RUN_FILES.output), 'utf8')) as unknown;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.damaged(RUN_FILES.output, error);
    }
  }

  /**
   * `run.json` as it is now, to merge an update into: the text this handle last wrote when the
   * file is still that one (same inode, size and modification time: every writer replaces the
   * file, so another writer's record is another inode), read from disk otherwise. Reading back
   * the record it had just written was a good part of ending a short run.
   */
  private metaToUpdate(): RunMeta {
    const last = this.lastWritten;
    if (last !== undefined) {
      const stats = statSync(join(this.dir, RUN_FILES.meta), { throwIfNoEntry: false });
      if (stats !== undefined && stats.ino === last.file.ino && stats.size === last.file.size && stats.mtimeMs === last.file.mtimeMs) {
        return JSON.parse(last.text) as RunMeta;
      }
      this.lastWritten = undefined;
    }
    return this.storedMeta();
  }

  /** `run.json` as written (status not computed). */
  private storedMeta(): RunMeta {
    const meta = this.readJson(RUN_FILES.meta) as RunMeta;
    if (typeof meta !== 'object' || meta === null || typeof meta.status !== 'string' || typeof meta.workflow !== 'object') {
      throw new IdflowError('RUN_RECORD_CORRUPT', `The record of run ${this.id} (${join(this.dir, RUN_FILES.meta)}) is not a run record`, { details: { runId: this.id } });
    }
    return meta;
  }

  private readJson(name: string): unknown {
    let text: string;
    try {
      text = readFileSync(join(this.dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && name === RUN_FILES.meta) throw new RunNotFoundError(this.id);
      throw error;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw this.damaged(name, error);
    }
  }

  private damaged(name: string, error: unknown): IdflowError {
    return new IdflowError('RUN_RECORD_CORRUPT', `${join(this.dir, name)} of run ${this.id} is not valid JSON: ${(error as Error).message}`, { cause: error, details: { runId: this.id, file: name } });
  }

  /** When the run last wrote its journal or record (ms since epoch), for telling a stale run from a live one. */
  private lastActivity(): number | undefined {
    let latest: number | undefined;
    for (const name of [RUN_FILES.journal, RUN_FILES.meta]) {
      try {
        const mtime = statSync(join(this.dir, name)).mtimeMs;
        latest = latest === undefined ? mtime : Math.max(latest, mtime);
      } catch {
        // a missing file says nothing about activity
      }
    }
    return latest;
  }
}
