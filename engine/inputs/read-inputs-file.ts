import { readFile, stat } from 'node:fs/promises';
import type { Problem } from '../diagnostics/problem.js';
import { MAX_SOURCE_BYTES } from '../loader/limits.js';
import { parseYaml, tooLargeMessage } from '../loader/parse-yaml.js';
import { describeValue } from '../loader/schema-issues.js';
import type { InputOrigin } from './resolve-inputs.js';

/** An inputs file read as one object, with a way to point at its values. */
export interface InputsFile {
  /** The given inputs (empty when the file has problems). */
  values: Record<string, unknown>;
  problems: Problem[];
  /** Hand this to `resolveInputs` so that its problems point into the file. */
  origin: InputOrigin;
  /** The file's text (for showing problems with their source line). */
  source: string;
}

/**
 * Reads `--inputs FILE` (`.json`, `.yaml` or `.yml`; JSON is read as YAML 1.2, of which it is a
 * subset, so both get positioned problems): one object of input name → value.
 */
export async function readInputsFile(file: string): Promise<InputsFile> {
  const none = (problem: Omit<Problem, 'file' | 'path' | 'severity'>, source = ''): InputsFile => ({
    values: {}, source, origin: { file }, problems: [{ file, path: '', severity: 'error', ...problem }],
  });
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    return none({ line: 0, column: 0, code: 'file-unreadable', message: `cannot read the inputs file: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message}` });
  }
  if (size > MAX_SOURCE_BYTES) {
    return none({ line: 1, column: 1, code: 'file-too-large', message: tooLargeMessage('inputs file', size) });
  }
  const source = await readFile(file, 'utf8');
  const parsed = parseYaml(source, file, { what: 'inputs file' });
  const origin: InputOrigin = { file, locate: (pointer, at) => parsed.map.locate(pointer, at ?? 'value') };
  if (parsed.problems.some((problem) => problem.severity === 'error')) return { values: {}, problems: parsed.problems, origin, source };
  const data = parsed.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const place = parsed.map.locate('');
    return {
      values: {}, origin, source,
      problems: [...parsed.problems, { file, ...place, path: '', code: 'wrong-type', severity: 'error', message: `the inputs file must hold one map of input names to values (like "user_identifier: a@b.com"), got ${describeValue(data)}` }],
    };
  }
  return { values: data as Record<string, unknown>, problems: parsed.problems, origin, source };
}
