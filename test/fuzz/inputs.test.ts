import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment } from '../../engine/cli/environment.js';
import { loadWorkflowSource } from '../../engine/loader/load-workflow.js';
import { readInputsFile, resolveInputs } from '../../engine/inputs/index.js';
import { readBulkRows } from '../../engine/bulk/read-bulk-rows.js';
import { ValidationError } from '../../engine/errors/index.js';
import type { Workflow } from '../../engine/language/types.js';
import { repoRoot } from '../support/cli.js';
import { FUZZ_SEED, FULL } from '../reliability/support/suite-settings.js';
import { mutatedText, noise, textEdit, applyTextEdits } from './support/mutations.js';
import { expectReadableProblems } from './support/problem-checks.js';

/**
 * Fuzzing run inputs against the offboarding template's declarations: values given on the
 * command line (strings, coerced), inputs files (`--inputs`, YAML or JSON with positions) and
 * bulk files (`--inputs-file`, CSV and JSON lines). Never an exception other than the
 * documented ValidationError; problems readable, and positioned where there is a file.
 */

const RUNS = FULL ? 5000 : 1000;
let workflow: Workflow;
let dir: string;

beforeAll(async () => {
  const environment = await createEnvironment({ cwd: repoRoot });
  const file = join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml');
  const loaded = await loadWorkflowSource(readFileSync(file, 'utf8'), file, { registry: environment.registry });
  if (loaded.workflow === undefined) throw new Error('the offboarding template does not load');
  workflow = loaded.workflow;
  dir = mkdtempSync(join(tmpdir(), 'idflow-fuzz-inputs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const inputName = fc.oneof(fc.constantFrom('user_identifier', 'removal_mode', 'revoke_all_access', 'backup_user_data', 'reason', 'notify_manager', 'manager_email', 'user_identifer', 'Removal_Mode'), noise);
const inputValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), noise, fc.constantFrom('true', 'false', 'yes', '1', 'delete', 'disable', 'DELETE', 'a@b.c', 'not an email', '', ' ', 'null'));

describe(`fuzzed inputs (${RUNS} runs each, seed ${FUZZ_SEED})`, () => {
  it('values given on the command line or as data: never an exception, always readable problems', () => {
    fc.assert(
      fc.property(fc.dictionary(inputName, inputValue, { maxKeys: 6 }), fc.boolean(), (given, coerce) => {
        const strings = coerce ? Object.fromEntries(Object.entries(given).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])) : given;
        const result = resolveInputs(workflow.inputs, strings, { coerceStrings: coerce });
        expectReadableProblems(result.problems, '--input', undefined, 'inputs');
        if (!result.problems.some((p) => p.severity === 'error')) {
          expect(typeof result.values['user_identifier']).toBe('string');
          expect(['disable', 'delete', null]).toContain(result.values['removal_mode']);
        }
      }),
      { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('inputs files (--inputs): never an exception, problems positioned in the file', async () => {
    const json = readFileSync(join(repoRoot, 'examples', 'offboarding', 'inputs.json'), 'utf8');
    const yaml = 'user_identifier: john.smith@company.com\nremoval_mode: disable\nreason: "Employee termination"\nnotify_manager: true\nmanager_email: jane.doe@company.com\n';
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutatedText([json, yaml]), async (mutation) => {
        const file = join(dir, `inputs-${n++}.${mutation.source === 0 ? 'json' : 'yaml'}`);
        writeFileSync(file, mutation.text);
        const read = await readInputsFile(file);
        expectReadableProblems(read.problems, file, mutation.text, 'inputs file');
        const resolved = resolveInputs(workflow.inputs, read.values, { origin: read.origin });
        expectReadableProblems(resolved.problems, file, mutation.text, 'inputs file values');
        rmSync(file);
      }),
      { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('bulk files (--inputs-file): rows, or a ValidationError whose problems name each bad line', () => {
    const csv = readFileSync(join(repoRoot, 'examples', 'offboarding', 'leavers.csv'), 'utf8');
    const jsonl = '{"user_identifier":"priya.patel","reason":"Resigned"}\n{"user_identifier":"tom.wilson","removal_mode":"delete"}\n{"user_identifier":"kevin.white","notify_manager":false}\n';
    let n = 0;
    fc.assert(
      fc.property(fc.nat({ max: 1 }), fc.array(textEdit, { minLength: 1, maxLength: 3 }), (which, edits) => {
        const text = applyTextEdits(which === 0 ? csv : jsonl, edits);
        const file = join(dir, `rows-${n++}.${which === 0 ? 'csv' : 'jsonl'}`);
        writeFileSync(file, text);
        try {
          const rows = readBulkRows(file);
          for (const row of rows) {
            expect(row.line).toBeGreaterThanOrEqual(1);
            expect(typeof row.values).toBe('object');
          }
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(ValidationError);
          const problems = (error as ValidationError).problems;
          expect((error as Error).message.length).toBeGreaterThan(0);
          if (problems.length > 0) expectReadableProblems(problems, file, text, 'bulk file');
        } finally {
          rmSync(file, { force: true });
        }
      }),
      { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
