import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputsFile } from '../../../engine/inputs/read-inputs-file.js';
import { resolveInputs } from '../../../engine/inputs/resolve-inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'idflow-inputs-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('readInputsFile', () => {
  it('reads YAML and JSON, and problems from resolveInputs point into the file', async () => {
    const yamlFile = write('inputs.yaml', 'user_identifier: john@company.com\nretention_days: thirty\n');
    const read = await readInputsFile(yamlFile);
    expect(read.problems).toEqual([]);
    expect(read.values).toEqual({ user_identifier: 'john@company.com', retention_days: 'thirty' });
    const resolved = resolveInputs({ user_identifier: { type: 'string' }, retention_days: { type: 'integer' } }, read.values, { origin: read.origin });
    expect(resolved.problems).toEqual([
      { file: yamlFile, line: 2, column: 17, length: 6, path: '/retention_days', code: 'wrong-type', severity: 'error', message: 'input "retention_days" must be a whole number; got "thirty"' },
    ]);

    const jsonFile = write('inputs.json', '{\n  "user_identifier": "john@company.com",\n  "extra": 1\n}\n');
    const json = await readInputsFile(jsonFile);
    const unknown = resolveInputs({ user_identifier: { type: 'string' } }, json.values, { origin: json.origin });
    expect(unknown.problems[0]).toMatchObject({ file: jsonFile, line: 3, column: 3, code: 'unknown-input' });
  });

  it('refuses a file that is not one map', async () => {
    const file = write('list.yaml', '- a\n- b\n');
    const read = await readInputsFile(file);
    expect(read.problems).toEqual([
      expect.objectContaining({ line: 1, column: 1, code: 'wrong-type', message: 'the inputs file must hold one map of input names to values (like "user_identifier: a@b.com"), got a list' }),
    ]);
  });

  it('reports YAML problems and missing files with positions', async () => {
    expect((await readInputsFile(write('dup.yaml', 'a: 1\na: 2\n'))).problems[0]).toMatchObject({ line: 2, column: 1, code: 'yaml-duplicate-key' });
    expect((await readInputsFile(join(dir, 'nope.json'))).problems[0]).toMatchObject({ line: 0, code: 'file-not-found', message: 'cannot read the inputs file: it does not exist' });
    // A folder is a problem too, not an EISDIR crash.
    expect((await readInputsFile(dir)).problems).toEqual([{ file: dir, line: 0, column: 0, path: '', code: 'file-unreadable', severity: 'error', message: 'this is a folder, not an inputs file' }]);
  });
});
