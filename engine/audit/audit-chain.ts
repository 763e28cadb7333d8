import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from './canonical-json.js';

/**
 * The hash chain of a run's audit trail, shared by the writer ({@link AuditTrail}) and the
 * checker ({@link verifyAuditTrail}).
 *
 * @remarks
 * Each entry's `hash` is the sha256 of the canonical JSON of the entry without `hash`, which
 * includes `prev_hash`, the previous entry's hash (the first entry's `prev_hash` is the run's
 * genesis value). Editing, deleting, inserting or reordering entries therefore breaks the
 * chain. Deleting entries at the end leaves a valid chain, so the last `seq` and `hash` (the
 * head) are also kept in `audit.head.json`, rewritten after every append.
 *
 * The chain is keyed by nothing secret: it proves that the trail was not changed by a user or
 * program that did not also recompute every later hash and the head. Copying the head (or the
 * whole trail) somewhere the run's host cannot write makes even that detectable.
 */

/** The trail, one entry per line. */
export const AUDIT_FILE = 'audit.jsonl';
/** The last `seq` and `hash` written, so that deleting entries at the end is detected. */
export const AUDIT_HEAD_FILE = 'audit.head.json';

/** One audit entry as written. Field names are snake_case: the file is read by auditors and scripts. */
export interface AuditEntry {
  /** 1, 2, 3, … in the order written. */
  seq: number;
  /** When the change happened (ISO-8601 UTC). */
  at: string;
  run_id: string;
  workflow_id: string;
  /** Who started the run (`--initiated-by`, default the OS user). */
  initiated_by: string;
  /** Why (`--reason`). */
  reason?: string;
  /** The step (inside foreach: `step[index]`). */
  step?: string;
  /** The action id. */
  action?: string;
  /** The kind of change, e.g. `remove`, `suspend`, `notify`. */
  operation: string;
  /** What was changed, by name. */
  target: string;
  before?: unknown;
  after?: unknown;
  /**
   * What came of it (see `Change.result`); `started` is a write-ahead intent, not a change made:
   * its outcome is a later entry with the same operation and target. `info`: the engine's own notes.
   */
  result: 'changed' | 'unchanged' | 'failed' | 'reported' | 'started' | 'info';
  note?: string;
  /** The hash of the entry before (the genesis value for the first). */
  prev_hash: string;
  /** sha256 (hex) of the canonical JSON of this entry without `hash`. */
  hash: string;
}

/** The head of the chain, as kept in {@link AUDIT_HEAD_FILE}. `seq` 0 means "no entries yet". */
export interface AuditHead {
  seq: number;
  hash: string;
  at: string;
}

/** The value the first entry chains to: specific to the run, so that entries cannot be moved between runs unnoticed. */
export function genesisHash(runId: string): string {
  return sha256(`idflow-audit-genesis:${runId}`);
}

/** The hash an entry must carry: over everything but `hash` itself. */
export function entryHash(entry: Omit<AuditEntry, 'hash'> | Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = entry as Record<string, unknown>;
  return entryHashOfText(canonicalJson(rest));
}

/** The hash of an entry whose canonical JSON (see {@link entryHash}) is already written out. */
export function entryHashOfText(canonical: string): string {
  return sha256(canonical);
}

/** The head file's content; `undefined` when it does not exist; `'invalid'` when it is not a head. */
export function readAuditHead(runDir: string): AuditHead | undefined | 'invalid' {
  let text: string;
  try {
    text = readFileSync(join(runDir, AUDIT_HEAD_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const head = JSON.parse(text) as Partial<AuditHead>;
    if (typeof head.seq === 'number' && Number.isInteger(head.seq) && head.seq >= 0 && typeof head.hash === 'string') return { seq: head.seq, hash: head.hash, at: typeof head.at === 'string' ? head.at : '' };
  } catch {
    // fall through
  }
  return 'invalid';
}

/** sha256 (hex) of the text's UTF-8 bytes; the one-shot `crypto.hash` (Node ≥ 20.12) is about half the cost of a Hash object. */
function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}
