import type { Problem } from '../diagnostics/problem.js';
import { parseYaml } from '../loader/parse-yaml.js';
import { readSourceFile } from '../loader/read-source.js';
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
  const read = await readSourceFile(file, 'inputs file', { code: 'file-not-found', message: 'cannot read the inputs file: it does not exist' });
  if (!read.ok) return { values: {}, source: '', origin: { file }, problems: [{ file, path: '', severity: 'error', ...read.problem }] };
  const source = read.source;
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
