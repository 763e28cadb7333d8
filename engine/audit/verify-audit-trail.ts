import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonLines } from '../store/jsonl-file.js';
import { AUDIT_PINNED_KEYS, sha256Hex } from '../store/pinned-record.js';
import { RUN_FILES } from '../store/run-files.js';
import { AUDIT_FILE, AUDIT_HEAD_FILE, entryHash, genesisHash, readAuditHead, type AuditEntry, type AuditHead } from './audit-chain.js';

/** What is wrong, as a stable word for scripts. */
export type AuditProblemKind =
  /** An entry's content does not match its own hash. */
  | 'edited'
  /** Entries are missing (deleted), in the middle or at the end. */
  | 'missing'
  /** An entry with a seq already used, which nothing chains to. */
  | 'inserted'
  /** An entry comes after one with a higher seq. */
  | 'out-of-order'
  /** An entry does not chain to the one before it (one of them was replaced). */
  | 'chain'
  /** An entry of another run. */
  | 'foreign'
  /** A line that is not an audit entry (not JSON, or missing fields). */
  | 'invalid'
  /** The last line was cut short by an interrupted write (repaired on the next append). */
  | 'torn'
  /** The head file is missing, unreadable, or disagrees with the last entry. */
  | 'head'
  /** The trail file itself is missing. */
  | 'no-trail'
  /** The run's pinned template or recorded inputs differ from the hash its start entry recorded. */
  | 'pinned';

/** One problem. `line` is the 1-based line of `audit.jsonl` it is about; 0 for the file as a whole. */
export interface AuditProblem {
  seq?: number;
  line: number;
  message: string;
  kind: AuditProblemKind;
  /** `error` breaks the trail; `warning` is explained by an interrupted write and repaired by the next append. */
  severity: 'error' | 'warning';
}

/** The result of {@link verifyAuditTrail}. */
export interface AuditVerification {
  /** True when there is no problem of severity `error`. */
  ok: boolean;
  /** How many complete entries the trail holds. */
  entries: number;
  problems: AuditProblem[];
  /** The head as recorded, if readable. */
  head?: AuditHead;
}

interface Located {
  entry: AuditEntry;
  line: number;
}

/**
 * Checks a run's audit trail: every entry's hash, the chain from the run's genesis value to the
 * recorded head, the order of `seq`. Reports each edited, deleted, inserted or reordered entry
 * with its line, and a torn last line (an interrupted write) as a warning.
 *
 * @param runDir - the run's folder (holding `audit.jsonl` and `audit.head.json`).
 */
export function verifyAuditTrail(runDir: string): AuditVerification {
  const problems: AuditProblem[] = [];
  const error = (line: number, message: string, kind: AuditProblemKind, seq?: number): void => {
    problems.push({ line, message, kind, severity: 'error', ...(seq === undefined ? {} : { seq }) });
  };
  const file = join(runDir, AUDIT_FILE);
  if (!existsSync(file)) {
    error(0, `${AUDIT_FILE} is missing from ${runDir}`, 'no-trail');
    return { ok: false, entries: 0, problems };
  }
  const runId = runIdOf(runDir);
  const read = readJsonLines(file);
  if (read.torn !== undefined) {
    problems.push({
      line: read.torn.line,
      kind: 'torn',
      severity: 'warning',
      message: `line ${read.torn.line} is incomplete: a write was interrupted (the process was stopped mid-write); the entry never became part of the chain and the line is removed on the next append`,
    });
  }
  for (const bad of read.invalid) error(bad.line, `line ${bad.line} is not valid JSON: it was edited or damaged`, 'invalid');

  const located: Located[] = [];
  for (const record of read.records) {
    if (!isEntryShape(record.value)) {
      error(record.line, `line ${record.line} is not an audit entry (it needs a positive integer "seq", "prev_hash" and "hash")`, 'invalid');
      continue;
    }
    located.push({ entry: record.value, line: record.line });
  }

  // 1. Each entry against its own hash, and its run.
  for (const { entry, line } of located) {
    if (entryHash(entry) !== entry.hash) error(line, `line ${line} (seq ${entry.seq}): the entry does not match its hash: it was changed after it was written`, 'edited', entry.seq);
    if (entry.run_id !== runId) error(line, `line ${line} (seq ${entry.seq}): the entry belongs to run ${String(entry.run_id)}, not ${runId}`, 'foreign', entry.seq);
  }

  // 2. Duplicated seqs: the genuine entry is the one the next entry (or the head) chains to.
  const head = readAuditHead(runDir);
  const bySeq = new Map<number, Located[]>();
  for (const item of located) bySeq.set(item.entry.seq, [...(bySeq.get(item.entry.seq) ?? []), item]);
  const inserted = new Set<Located>();
  for (const [seq, items] of bySeq) {
    if (items.length < 2) continue;
    const successorHashes = new Set((bySeq.get(seq + 1) ?? []).map((next) => next.entry.prev_hash));
    if (typeof head === 'object' && head.seq === seq) successorHashes.add(head.hash);
    const genuine = items.find((item) => successorHashes.has(item.entry.hash)) ?? items[0];
    for (const item of items) {
      if (item === genuine) continue;
      inserted.add(item);
      error(item.line, `line ${item.line} (seq ${seq}): a second entry with seq ${seq} (the other is on line ${genuine?.line ?? '?'}) that the chain does not lead through: it was inserted`, 'inserted', seq);
    }
  }
  const kept = located.filter((item) => !inserted.has(item));
  const keptBySeq = new Map(kept.map((item) => [item.entry.seq, item]));

  // 3. Order: seq must grow from line to line.
  let highest: Located | undefined;
  for (const item of kept) {
    if (highest !== undefined && item.entry.seq < highest.entry.seq) {
      error(item.line, `line ${item.line} (seq ${item.entry.seq}) comes after seq ${highest.entry.seq} (line ${highest.line}): entries were reordered`, 'out-of-order', item.entry.seq);
    }
    if (highest === undefined || item.entry.seq > highest.entry.seq) highest = item;
  }

  // 4. The chain: each entry must carry the hash of the entry with the seq before it.
  const sortedSeqs = [...keptBySeq.keys()].sort((a, b) => a - b);
  for (const item of kept) {
    const { seq } = item.entry;
    if (seq === 1) {
      if (item.entry.prev_hash !== genesisHash(runId)) error(item.line, `line ${item.line} (seq 1): does not chain to the start of run ${runId}'s trail: it was replaced or comes from another run`, 'chain', seq);
      continue;
    }
    const previous = keptBySeq.get(seq - 1);
    if (previous === undefined) {
      const before = sortedSeqs.filter((s) => s < seq).at(-1) ?? 0;
      error(item.line, `line ${item.line} (seq ${seq}): ${describeRange(before + 1, seq - 1)} before it ${before + 1 === seq - 1 ? 'is' : 'are'} missing: deleted`, 'missing', seq);
    } else if (previous.entry.hash !== item.entry.prev_hash) {
      error(item.line, `line ${item.line} (seq ${seq}): does not chain to seq ${seq - 1} (line ${previous.line}): one of the two was replaced or rewritten`, 'chain', seq);
    }
  }

  // 5. The head: deletions at the end leave a valid chain, so compare with the recorded head.
  const last = sortedSeqs.length === 0 ? undefined : keptBySeq.get(sortedSeqs[sortedSeqs.length - 1] as number);
  const endLine = read.lines + 1;
  if (head === undefined) {
    error(0, `${AUDIT_HEAD_FILE} is missing: entries deleted at the end of the trail could not be detected`, 'head');
  } else if (head === 'invalid') {
    error(0, `${AUDIT_HEAD_FILE} is not a valid head: entries deleted at the end of the trail could not be detected`, 'head');
  } else {
    const lastSeq = last?.entry.seq ?? 0;
    if (lastSeq < head.seq) {
      error(endLine, `the trail ends at seq ${lastSeq} but the head records seq ${head.seq}: ${describeRange(lastSeq + 1, head.seq)} at the end ${lastSeq + 1 === head.seq ? 'was' : 'were'} deleted`, 'missing', lastSeq + 1);
    } else if (lastSeq > head.seq && last !== undefined) {
      const beyond = kept.filter((item) => item.entry.seq > head.seq);
      for (const item of beyond) {
        const single = beyond.length === 1 && item.entry.seq === head.seq + 1;
        problems.push({
          line: item.line,
          seq: item.entry.seq,
          kind: 'head',
          // One entry past the head is exactly what a process stopped between writing an entry
          // and moving the head leaves; more than one cannot come from that.
          severity: single ? 'warning' : 'error',
          message: single
            ? `line ${item.line} (seq ${item.entry.seq}) was written after the recorded head (seq ${head.seq}): the process was stopped before it moved the head; the next append adopts it`
            : `line ${item.line} (seq ${item.entry.seq}) is beyond the recorded head (seq ${head.seq}): entries were appended without the head`,
        });
      }
    } else if (last !== undefined && last.entry.hash !== head.hash) {
      error(last.line, `line ${last.line} (seq ${last.entry.seq}): does not match the head recorded in ${AUDIT_HEAD_FILE}: it was rewritten`, 'head', last.entry.seq);
    } else if (last === undefined && head.hash !== genesisHash(runId)) {
      error(0, `${AUDIT_HEAD_FILE} does not belong to run ${runId}`, 'head');
    }
  }

  // 6. The pinned files, against the hashes the start entry carries into the chain.
  const start = kept.find((item) => item.entry.operation === 'run.start');
  if (start !== undefined) {
    for (const [which, file] of [['template', RUN_FILES.template], ['inputs', RUN_FILES.inputs]] as const) {
      const problem = pinnedFileProblem(runDir, file, start.entry.after, AUDIT_PINNED_KEYS[which]);
      if (problem !== undefined) error(start.line, `line ${start.line} (seq ${start.entry.seq}): ${problem}`, 'pinned', start.entry.seq);
    }
  }

  problems.sort((a, b) => a.line - b.line || (a.seq ?? 0) - (b.seq ?? 0));
  return {
    ok: problems.every((problem) => problem.severity !== 'error'),
    entries: located.length,
    problems,
    ...(typeof head === 'object' ? { head } : {}),
  };
}

/** What is wrong with a pinned file against the hash the start entry recorded, if anything. */
function pinnedFileProblem(runDir: string, file: string, after: unknown, key: string): string | undefined {
  if (typeof after !== 'object' || after === null) return undefined;
  const recorded = (after as Record<string, unknown>)[key];
  if (typeof recorded !== 'string') return undefined;
  let text: string;
  try {
    text = readFileSync(join(runDir, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return `${file}, pinned when the run started, is missing`;
    throw error;
  }
  const actual = sha256Hex(text);
  return actual === recorded ? undefined : `${file} changed since the run started (sha256 ${actual.slice(0, 12)}…, the start entry recorded ${recorded.slice(0, 12)}…)`;
}

function describeRange(from: number, to: number): string {
  return from === to ? `entry seq ${from}` : `entries seq ${from}–${to}`;
}

function isEntryShape(value: unknown): value is AuditEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entry = value as Partial<AuditEntry>;
  return typeof entry.seq === 'number' && Number.isInteger(entry.seq) && entry.seq > 0 && typeof entry.hash === 'string' && typeof entry.prev_hash === 'string';
}

/** The run id the trail must belong to: from `run.json`, else the folder name (run folders are named by id). */
function runIdOf(runDir: string): string {
  try {
    const meta = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { id?: unknown };
    if (typeof meta.id === 'string' && meta.id !== '') return meta.id;
  } catch {
    // fall back to the folder name
  }
  return basename(runDir);
}
