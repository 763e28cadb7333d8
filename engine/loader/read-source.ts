import { readFile, stat } from 'node:fs/promises';
import type { Problem } from '../diagnostics/problem.js';
import { MAX_SOURCE_BYTES } from './limits.js';
import { tooLargeMessage } from './parse-yaml.js';

/** What {@link readSourceFile} says about a file that exists but has no place to point at. */
type FileProblem = Pick<Problem, 'line' | 'column' | 'code' | 'message'> & { length?: number };

/** A file read, or the one problem that kept it from being read. */
export type SourceRead = { ok: true; source: string } | { ok: false; problem: FileProblem };

/**
 * Reads a file the user gave idflow to check (a template, the config file, an inputs file),
 * refusing one over {@link MAX_SOURCE_BYTES} before reading it. Never throws for anything wrong
 * with the file: each way it can fail is a problem, worded for `what` the file is.
 *
 * - missing: `notFound` (each kind of file says it its own way);
 * - a folder, or unreadable (permissions, …): `file-unreadable`;
 * - too large: `file-too-large`, at line 1, column 1 (the file is there; it is refused whole).
 *
 * Problems about a file that cannot be read have no position: line and column 0.
 *
 * @param what - `template`, `config file`, `inputs file`.
 */
export async function readSourceFile(path: string, what: string, notFound: Pick<Problem, 'code' | 'message'>): Promise<SourceRead> {
  const fail = (code: string, message: string, at: 0 | 1 = 0): SourceRead => ({ ok: false, problem: { line: at, column: at, ...(at === 1 ? { length: 1 } : {}), code, message } });
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) return fail('file-unreadable', `this is a folder, not ${fileNoun(what)}`);
    if (stats.size > MAX_SOURCE_BYTES) return fail('file-too-large', tooLargeMessage(what, stats.size), 1);
    return { ok: true, source: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail(notFound.code, notFound.message);
    if (typeof code === 'string') return fail('file-unreadable', `cannot read the ${what}: ${(error as Error).message}`);
    throw error;
  }
}

/** `a template file`, `a config file`, `an inputs file`. */
function fileNoun(what: string): string {
  const noun = what.endsWith('file') ? what : `${what} file`;
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}
