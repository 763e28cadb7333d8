import { closeSync, fstatSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { IdflowError } from '../errors/idflow-error.js';
import { Redactor } from '../logging/redactor.js';
import { AppendOnlyFile, readJsonLines, repairTail } from '../store/jsonl-file.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { openPrivateFile } from '../store/private-files.js';
import type { Durability } from '../store/durability.js';
import { AUDIT_FILE, AUDIT_HEAD_FILE, entryHash, entryHashOfText, genesisHash, readAuditHead, type AuditEntry, type AuditHead } from './audit-chain.js';
import { canonicalEntryJson } from './canonical-entry-json.js';

export { verifyAuditTrail, type AuditVerification, type AuditProblem } from './verify-audit-trail.js';
export type { AuditEntry, AuditHead } from './audit-chain.js';

/** What a caller records (the members of an entry it decides, see {@link AuditEntry}); the trail fills in the rest. */
export type AuditEntryInput = Pick<AuditEntry, 'step' | 'action' | 'operation' | 'target' | 'before' | 'after' | 'result' | 'note'> & {
  /** When it happened; default now. */
  at?: string;
};

/** Who and why, copied into every entry (from the run's record). */
export interface AuditIdentity {
  workflowId: string;
  initiatedBy: string;
  reason?: string;
}

/** Options of {@link AuditTrail}. */
export interface AuditTrailOptions {
  /** The run's folder. */
  dir: string;
  runId: string;
  /** Read when the first entry is written (so a trail can be opened before the record is). */
  identity: () => AuditIdentity;
  redactor?: Redactor;
  durability?: Durability;
}

const RESULTS: ReadonlySet<string> = new Set(['changed', 'unchanged', 'failed', 'reported', 'started', 'info']);

/**
 * The head file's size: its JSON padded with spaces to this many bytes (a head needs about 130).
 * A fixed size lets every later head be written over the old one in place, with one `write` of
 * less than a page at offset 0, which a killed process either made whole or not at all, instead
 * of creating a temporary file and renaming it over the head for every entry (creating a file
 * costs a few hundred microseconds on some file systems; this costs a few). A reader racing the
 * write of a live run could in theory read a mix of two heads (and report an invalid head); the
 * file on disk is always whole.
 */
const HEAD_BYTES = 256;

/**
 * A run's append-only, hash-chained audit trail (`audit.jsonl` plus its head in
 * `audit.head.json`): who initiated the run, why, and for every change its target, before,
 * after and result. See {@link AuditEntry} and `audit-chain.ts` for how the chain works.
 *
 * @remarks
 * Entries are redacted before they are hashed, so the hash covers exactly what is on disk and a
 * secret added to the redactor later never needs an entry rewritten. Each entry is written
 * through (`writeSync`) before `append` returns.
 *
 * Opening a trail that a killed process left behind repairs it on the first append, in the
 * open: a torn last line is cut off, entries written after the last head update are adopted,
 * and each such repair is itself recorded as an `info` entry, so an auditor sees what happened.
 */
export class AuditTrail {
  private readonly file: string;
  private readonly headFile: string;
  private readonly redactor: Redactor;
  private readonly durability: Durability;
  /** The last seq and hash, once the file has been checked (on the first append). */
  private state: { seq: number; hash: string } | undefined;
  /** The run's identity, read when the first entry is written. */
  private identity: AuditIdentity | undefined;
  /** The trail file, kept open between appends. */
  private readonly lines: AppendOnlyFile;
  /** The head file's descriptor while it is overwritten in place (see {@link AuditTrail.writeHead}). */
  private headFd: number | undefined;

  constructor(private readonly options: AuditTrailOptions) {
    this.file = join(options.dir, AUDIT_FILE);
    this.headFile = join(options.dir, AUDIT_HEAD_FILE);
    this.redactor = options.redactor ?? new Redactor();
    this.durability = options.durability ?? 'write';
    this.lines = new AppendOnlyFile(this.file, this.durability);
  }

  /** Closes the files kept open between appends; appending afterwards opens them again. */
  close(): void {
    this.lines.close();
    this.closeHead();
  }

  /**
   * Starts an empty trail: creates the file and a head at seq 0, so that deleting every entry
   * later is detected too. Called once, when the run is created, in its new folder (before its
   * record exists, so nobody reads them yet): both are created in place and stay open for the
   * appends, instead of each being written to a temporary file, renamed and opened again.
   *
   * @throws the file system's error, `EEXIST` when either file exists.
   */
  initialize(): void {
    const genesis = genesisHash(this.options.runId);
    this.lines.create();
    const text = headText({ seq: 0, hash: genesis, at: new Date().toISOString() });
    const fd = openPrivateFile(this.headFile, 'wx+');
    try {
      writeSync(fd, text, 0, 'utf8');
      if (this.durability === 'fsync') fsyncSync(fd);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    // Kept open for moving the head in place (see overwriteHead), which needs the fixed size.
    if (Buffer.byteLength(text, 'utf8') === HEAD_BYTES) {
      this.closeHead();
      this.headFd = fd;
    } else {
      closeSync(fd);
    }
    this.state = { seq: 0, hash: genesis };
  }

  /**
   * Appends an entry: fills `seq`, `at`, `run_id`, `workflow_id`, `initiated_by`, `reason`,
   * `prev_hash` and `hash`, redacts it, hashes it, writes it through and moves the head.
   *
   * @throws IdflowError `INVALID_AUDIT_ENTRY` when `operation`, `target` or `result` is missing or wrong.
   */
  append(entry: AuditEntryInput): AuditEntry {
    checkInput(entry);
    if (this.state === undefined) this.state = this.recover();
    return this.write(entry);
  }

  /** Every complete entry, in file order (a torn last line is left out). */
  entries(): AuditEntry[] {
    return readJsonLines(this.file).records.map((record) => record.value).filter(isEntryLike);
  }

  private write(entry: AuditEntryInput): AuditEntry {
    const state = this.state ?? this.recover();
    // Who and why do not change during a run: read once (it costs a read of run.json).
    const identity = (this.identity ??= this.options.identity());
    // Built member by member, in the order the line shows them, rather than with spreads of
    // optional members: this runs for every step, and each spread is an object made and copied.
    const base: Record<string, unknown> = {
      seq: state.seq + 1,
      at: entry.at ?? new Date().toISOString(),
      run_id: this.options.runId,
      workflow_id: identity.workflowId,
      initiated_by: identity.initiatedBy,
    };
    if (identity.reason !== undefined) base['reason'] = identity.reason;
    if (entry.step !== undefined) base['step'] = entry.step;
    if (entry.action !== undefined) base['action'] = entry.action;
    base['operation'] = entry.operation;
    base['target'] = entry.target;
    if (entry.before !== undefined) base['before'] = entry.before;
    if (entry.after !== undefined) base['after'] = entry.after;
    base['result'] = entry.result;
    if (entry.note !== undefined) base['note'] = entry.note;
    base['prev_hash'] = state.hash;
    // Redact, then normalise through JSON (Dates become strings, undefined members go), so the
    // hash is computed over exactly what the line will hold. Without `before` and `after` every
    // member is already a string or a whole number, which JSON keeps as they are.
    const redacted = this.redactor.redactDeep(base as unknown as Omit<AuditEntry, 'hash'>);
    const normalised = entry.before === undefined && entry.after === undefined ? redacted : JSON.parse(JSON.stringify(redacted)) as Omit<AuditEntry, 'hash'>;
    // `normalised` is this call's own object (built above, or the redactor's or JSON's copy).
    const written = normalised as AuditEntry;
    written.hash = entryHashOfText(canonicalEntryJson(normalised));
    this.lines.append(JSON.stringify(written));
    this.state = { seq: written.seq, hash: written.hash };
    this.writeHead({ seq: written.seq, hash: written.hash, at: written.at });
    return written;
  }

  /** Establishes where the chain continues, repairing what a killed process left, in the open. */
  private recover(): { seq: number; hash: string } {
    const notes: string[] = [];
    const repair = repairTail(this.file);
    if (repair.kind === 'truncated') {
      notes.push(`A torn last line (line ${repair.line}: an entry cut short when the process was stopped mid-write) was removed: ${abbreviate(repair.text)}`);
    }
    const records = readJsonLines(this.file).records.map((record) => record.value).filter(isEntryLike);
    const last = records.at(-1);
    const lastIsSound = last !== undefined && entryHash(last) === last.hash;
    const head = readAuditHead(this.options.dir);
    let state: { seq: number; hash: string };
    if (head === undefined || head === 'invalid') {
      state = last !== undefined ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: genesisHash(this.options.runId) };
      if (last !== undefined || head === 'invalid') {
        notes.push(`${AUDIT_HEAD_FILE} was ${head === undefined ? 'missing' : 'unreadable'}; the head was recreated from ${last === undefined ? 'the empty trail' : `the last entry (seq ${last.seq})`}`);
      }
    } else if (lastIsSound && last.seq > head.seq) {
      // The process stopped between writing entries and moving the head: adopt them.
      state = { seq: last.seq, hash: last.hash };
      notes.push(`Entries ${head.seq + 1}${last.seq > head.seq + 1 ? `–${last.seq}` : ''} were written after the last head update (the process was stopped in between); the head now covers them`);
    } else {
      // Continue from the head. If entries at the end were deleted, the gap stays visible to
      // `audit verify` instead of being papered over by a head moved back.
      state = { seq: head.seq, hash: head.hash };
    }
    this.state = state;
    for (const note of notes) this.write({ operation: 'audit.repair', target: AUDIT_FILE, result: 'info', note });
    return this.state;
  }

  /**
   * Moves the head: in place when the head file has the fixed size this version writes (see
   * {@link HEAD_BYTES}), through a descriptor kept open; otherwise — a new trail, or a head
   * another program or an older version wrote — by replacing it atomically, in the fixed size,
   * so that the next move is in place.
   */
  private writeHead(head: AuditHead): void {
    const text = headText(head);
    if (this.overwriteHead(text)) return;
    this.closeHead();
    writeFileAtomic(this.headFile, text, this.durability);
  }

  /** Writes `text` over a head file of exactly {@link HEAD_BYTES}; false when there is no such file. */
  private overwriteHead(text: string): boolean {
    if (Buffer.byteLength(text, 'utf8') !== HEAD_BYTES) return false;
    if (this.headFd === undefined) {
      let fd: number;
      try {
        fd = openSync(this.headFile, 'r+');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
      // A head of another size (by hand, another program) is replaced, not patched.
      if (fstatSync(fd).size !== HEAD_BYTES) {
        closeSync(fd);
        return false;
      }
      this.headFd = fd;
    }
    writeSync(this.headFd, text, 0, 'utf8');
    if (this.durability === 'fsync') fsyncSync(this.headFd);
    return true;
  }

  private closeHead(): void {
    if (this.headFd === undefined) return;
    const fd = this.headFd;
    this.headFd = undefined;
    closeSync(fd);
  }
}

function checkInput(entry: AuditEntryInput): void {
  const problems: string[] = [];
  if (typeof entry !== 'object' || entry === null) throw new IdflowError('INVALID_AUDIT_ENTRY', 'An audit entry must be an object with operation, target and result');
  if (typeof entry.operation !== 'string' || entry.operation.trim() === '') problems.push('"operation" must be a non-empty string');
  if (typeof entry.target !== 'string' || entry.target.trim() === '') problems.push('"target" must be a non-empty string');
  if (!RESULTS.has(entry.result)) problems.push(`"result" must be one of ${[...RESULTS].join(', ')} (got ${JSON.stringify(entry.result)})`);
  if (entry.at !== undefined && (typeof entry.at !== 'string' || Number.isNaN(Date.parse(entry.at)))) problems.push(`"at" must be an ISO-8601 timestamp (got ${JSON.stringify(entry.at)})`);
  if (problems.length > 0) {
    throw new IdflowError('INVALID_AUDIT_ENTRY', `Invalid audit entry${typeof entry.step === 'string' ? ` for step "${entry.step}"` : ''}: ${problems.join('; ')}`);
  }
}

function isEntryLike(value: unknown): value is AuditEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as Partial<AuditEntry>;
  return typeof entry.seq === 'number' && typeof entry.hash === 'string' && typeof entry.prev_hash === 'string';
}

/**
 * The head file's text: the JSON and a newline, padded with spaces to {@link HEAD_BYTES} (JSON
 * allows white space after the value). A head that would not fit is written unpadded.
 */
function headText(head: AuditHead): string {
  const json = JSON.stringify(head);
  const padding = HEAD_BYTES - 1 - Buffer.byteLength(json, 'utf8');
  return padding < 0 ? `${json}\n` : `${json}${' '.repeat(padding)}\n`;
}

function abbreviate(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 200)}… (${text.length} characters)`;
}
