import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseCsv, CsvError } from 'csv-parse/sync';
import type { Problem } from '../diagnostics/problem.js';
import { ValidationError } from '../errors/usage-errors.js';

/** One row of a bulk inputs file: the inputs of one run. */
export interface BulkRow {
  /** 1-based line of the row in the file (its last line, for a CSV row with quoted line breaks). */
  line: number;
  /** Input name → value. CSV values are strings (coerced like `--input`); JSONL values keep their JSON types. */
  values: Record<string, unknown>;
  /** Whether values are strings to coerce (CSV) or typed (JSONL). */
  strings: boolean;
}

/** Bulk files larger than this are refused (a runaway export, not a list of people). */
export const MAX_BULK_FILE_BYTES = 32 * 1024 * 1024;

/**
 * Reads a bulk inputs file: `.csv` (a header row of input names, one run per row; empty cells
 * mean "not given") or `.jsonl`/`.ndjson` (one JSON object per line; blank lines ignored).
 *
 * @throws ValidationError (`INVALID_INPUT`) listing every malformed row with its line.
 */
export function readBulkRows(file: string): BulkRow[] {
  const extension = extname(file).toLowerCase();
  const text = readText(file);
  if (extension === '.csv') return readCsv(file, text);
  if (extension === '.jsonl' || extension === '.ndjson') return readJsonLines(file, text);
  throw new ValidationError('INVALID_INPUT', `${file}: a bulk inputs file must be .csv or .jsonl (got "${extension || 'no extension'}")`);
}

function readText(file: string): string {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (error) {
    throw new ValidationError('INVALID_INPUT', `Cannot read the bulk inputs file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (buffer.length > MAX_BULK_FILE_BYTES) {
    throw new ValidationError('INVALID_INPUT', `${file} is ${buffer.length} bytes; bulk inputs files are limited to ${MAX_BULK_FILE_BYTES} bytes`);
  }
  return buffer.toString('utf8').replace(/^\uFEFF/, '');
}

function problem(file: string, line: number, column: number, message: string): Problem {
  return { file, line, column, path: '', code: 'bulk-row', message, severity: 'error' };
}

function readCsv(file: string, text: string): BulkRow[] {
  const problems: Problem[] = [];
  const checkHeader = (header: string[]): string[] => {
    const names = header.map((h) => h.trim());
    const seen = new Set<string>();
    names.forEach((name, i) => {
      if (name === '') problems.push(problem(file, 1, 1, `column ${i + 1} of the header row has no name`));
      else if (seen.has(name)) problems.push(problem(file, 1, 1, `the header row names column "${name}" twice`));
      else if (name === '__proto__' || name === 'constructor' || name === 'prototype') problems.push(problem(file, 1, 1, `"${name}" is not allowed as an input name`));
      seen.add(name);
    });
    return names;
  };
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parseCsv(text, { columns: checkHeader, skip_empty_lines: true, trim: true, info: true }) as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = typeof (error as CsvError & { lines?: unknown }).lines === 'number' ? (error as CsvError & { lines: number }).lines : 1;
      throw new ValidationError('INVALID_INPUT', `${file}:${line}: ${error.message}`, [problem(file, line, 1, error.message)]);
    }
    throw error;
  }
  if (problems.length > 0) throw new ValidationError('INVALID_INPUT', `${file}: ${problems.map((p) => p.message).join('; ')}`, problems);
  return records.map(({ record, info }) => {
    const values: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(record)) if (value !== '') values[name] = value;
    return { line: info.lines, values, strings: true };
  });
}

function readJsonLines(file: string, text: string): BulkRow[] {
  const rows: BulkRow[] = [];
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      problems.push(problem(file, line, 1, `not valid JSON: ${(error as Error).message}`));
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(problem(file, line, 1, `each line must be a JSON object of input names to values, got ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}`));
      return;
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') problems.push(problem(file, line, 1, `"${key}" is not allowed as an input name`));
    }
    rows.push({ line, values: value as Record<string, unknown>, strings: false });
  });
  if (problems.length > 0) {
    throw new ValidationError('INVALID_INPUT', `${file} has ${problems.length} malformed line${problems.length > 1 ? 's' : ''}: ${problems.slice(0, 5).map((p) => `line ${p.line}: ${p.message}`).join('; ')}${problems.length > 5 ? '; …' : ''}`, problems);
  }
  return rows;
}
