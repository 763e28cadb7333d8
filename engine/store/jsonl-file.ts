import { closeSync, fsyncSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import type { Durability } from './durability.js';
import { openPrivateFile } from './private-files.js';

/**
 * Append-only JSON-lines files (the journal, the audit trail): one JSON value per line, each
 * line written with a single write call and ended by a newline. A process killed mid-write can
 * leave a torn last line; readers drop it and the next append repairs the file first.
 */

/** What {@link readJsonLines} found. Line numbers are 1-based. */
export interface JsonLines {
  /** Every line that parsed, in file order. */
  records: Array<{ value: unknown; line: number; text: string }>;
  /** A last line without its newline that does not parse: an interrupted write. */
  torn?: { line: number; text: string };
  /** Lines other than the last that do not parse (damage, not an interrupted write). */
  invalid: Array<{ line: number; text: string; message: string }>;
  /** How many lines the file has, counting a torn last line. */
  lines: number;
}

/** Reads a JSON-lines file; a missing file reads as empty. Blank lines are skipped. */
export function readJsonLines(path: string): JsonLines {
  const text = readIfExists(path);
  const result: JsonLines = { records: [], invalid: [], lines: 0 };
  if (text === undefined || text === '') return result;
  const parts = text.split('\n');
  const terminated = text.endsWith('\n');
  if (terminated) parts.pop();
  result.lines = parts.length;
  parts.forEach((part, index) => {
    const line = index + 1;
    const last = index === parts.length - 1;
    if (part.trim() === '') return;
    try {
      result.records.push({ value: JSON.parse(part) as unknown, line, text: part });
    } catch (error) {
      if (last && !terminated) result.torn = { line, text: part };
      else result.invalid.push({ line, text: part, message: (error as Error).message });
    }
  });
  return result;
}

/**
 * Appends one line (a newline is added) with a single `writeSync`, so that it is in the
 * operating system's hands before this returns; `fsync` too when asked.
 */
export function appendLine(path: string, line: string, durability: Durability): void {
  const fd = openPrivateFile(path, 'a');
  try {
    writeFully(fd, Buffer.from(`${line}\n`, 'utf8'));
    if (durability === 'fsync') fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * An append-only JSON-lines file whose descriptor stays open between appends: the same
 * guarantee as {@link appendLine} (each line written with one `writeSync` before `append`
 * returns, `fsync`ed when asked), without opening and closing the file for every line, which
 * for a run's journal and audit trail cost more than the write itself. The file is opened in
 * append mode, so other writers (and truncation by {@link repairTail}) stay safe.
 *
 * `close()` when done; appending after `close()` opens the file again.
 */
export class AppendOnlyFile {
  private fd: number | undefined;

  constructor(readonly path: string, private readonly durability: Durability) {}

  /** Appends one line (a newline is added), written through before returning. */
  append(line: string): void {
    this.fd ??= openPrivateFile(this.path, 'a');
    writeFully(this.fd, Buffer.from(`${line}\n`, 'utf8'));
    if (this.durability === 'fsync') fsyncSync(this.fd);
  }

  /**
   * Creates the file, empty, and keeps it open for the appends that follow (one `open` instead
   * of creating it, closing it and opening it again for the first line).
   *
   * @throws the file system's error, `EEXIST` when the file exists.
   */
  create(): void {
    if (this.fd !== undefined) throw new Error(`${this.path} is already open`);
    this.fd = openPrivateFile(this.path, 'ax');
    if (this.durability === 'fsync') fsyncSync(this.fd);
  }

  /** Closes the descriptor, if open. Safe to call more than once. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }
}

/** What {@link repairTail} did. */
export type TailRepair =
  | { kind: 'none' }
  /** A torn last line was cut off (its text is given, for the record). */
  | { kind: 'truncated'; line: number; text: string }
  /** A complete last line only lacked its newline, which was added. */
  | { kind: 'terminated'; line: number };

/**
 * Makes the file end with a complete line before appending to it: a torn last line (a write
 * cut short by a kill) is removed; a complete last line missing only its newline gets one.
 */
export function repairTail(path: string): TailRepair {
  const text = readIfExists(path);
  if (text === undefined || text === '' || text.endsWith('\n')) return { kind: 'none' };
  const cut = text.lastIndexOf('\n') + 1;
  const tail = text.slice(cut);
  const line = text.slice(0, cut).split('\n').length;
  try {
    JSON.parse(tail);
    const fd = openPrivateFile(path, 'a');
    try {
      writeFully(fd, Buffer.from('\n'));
    } finally {
      closeSync(fd);
    }
    return { kind: 'terminated', line };
  } catch {
    truncateSync(path, Buffer.byteLength(text.slice(0, cut), 'utf8'));
    return { kind: 'truncated', line, text: tail };
  }
}

function writeFully(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
