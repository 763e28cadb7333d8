import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_FILE } from '../audit/audit-chain.js';
import { readJsonLines } from './jsonl-file.js';
import { RunRecordChangedError } from '../errors/usage-errors.js';
import { RUN_FILES } from './run-files.js';

/**
 * The pinned part of a run record (the template text and the recorded inputs), checked against
 * the hashes taken when the run started.
 *
 * @remarks
 * Why: `resume`, a timer firing from a run and a parent resuming its child all run the pinned
 * template with the recorded inputs, not the files the admin has now. Whoever can edit those
 * two files could otherwise make a resumed run do something nobody started (an injected step).
 * The hashes are kept twice: in `run.json` (`pinned`) and in the `run.start` entry of the
 * hash-chained audit trail, so editing the record as well shows up in `audit verify`.
 */

/** The sha256 (hex) of each pinned file's exact bytes, as recorded at the start of the run. */
export interface PinnedHashes {
  /** Of `template.yaml`. */
  template: string;
  /** Of `inputs.json`. */
  inputs: string;
}

/** The pinned files as read and found unchanged. */
export interface VerifiedPinnedRecord {
  templateText: string;
  inputsText: string;
}

/** The audit `run.start` entry's members that hold the pinned hashes (in its `after`). */
export const AUDIT_PINNED_KEYS = { template: 'template_sha256', inputs: 'inputs_sha256' } as const;

/** sha256 (hex) of a text as written (UTF-8), with the one-shot `crypto.hash` (as the audit chain). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * Reads a run's pinned template and recorded inputs and checks each against every hash recorded
 * when the run started (in `run.json` and in the audit trail's `run.start` entry). A run recorded
 * before these hashes were kept has none to check against and is read as it is.
 *
 * @param recorded - the hashes from `run.json` (its `pinned` member), when it has them.
 * @throws RunRecordChangedError (`RUN_RECORD_CHANGED`) naming the file that changed since the
 *   run started, or whose hashes disagree (the record was edited to match).
 */
export function verifyPinnedRecord(runDir: string, runId: string, recorded: Partial<PinnedHashes> | undefined): VerifiedPinnedRecord {
  const templateText = readFileSync(join(runDir, RUN_FILES.template), 'utf8');
  const inputsText = readFileSync(join(runDir, RUN_FILES.inputs), 'utf8');
  const audited = auditedPinnedHashes(runDir);
  checkOne(runId, runDir, RUN_FILES.template, sha256Hex(templateText), [recorded?.template, audited?.template]);
  checkOne(runId, runDir, RUN_FILES.inputs, sha256Hex(inputsText), [recorded?.inputs, audited?.inputs]);
  return { templateText, inputsText };
}

/**
 * The pinned hashes the audit trail's `run.start` entry recorded, or undefined when it has none
 * (a run started before they were recorded, or a trail without its start entry, which
 * `audit verify` reports on its own).
 */
export function auditedPinnedHashes(runDir: string): Partial<PinnedHashes> | undefined {
  let records: readonly { value: unknown }[];
  try {
    records = readJsonLines(join(runDir, AUDIT_FILE)).records;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  for (const record of records) {
    const entry = record.value as { operation?: unknown; after?: unknown };
    if (typeof entry !== 'object' || entry === null || entry.operation !== 'run.start') continue;
    const after = entry.after as Record<string, unknown> | undefined;
    if (typeof after !== 'object' || after === null) return undefined;
    const template = after[AUDIT_PINNED_KEYS.template];
    const inputs = after[AUDIT_PINNED_KEYS.inputs];
    return {
      ...(typeof template === 'string' ? { template } : {}),
      ...(typeof inputs === 'string' ? { inputs } : {}),
    };
  }
  return undefined;
}

function checkOne(runId: string, runDir: string, file: string, actual: string, expected: ReadonlyArray<string | undefined>): void {
  for (const hash of expected) {
    if (hash === undefined || hash === actual) continue;
    throw new RunRecordChangedError(runId, join(runDir, file), hash, actual);
  }
}
