import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEnvironment, type CommandEnvironment } from '../../engine/cli/environment.js';
import { loadWorkflowSource } from '../../engine/loader/load-workflow.js';
import { repoRoot } from '../support/cli.js';
import { FUZZ_SEED, FULL } from '../reliability/support/suite-settings.js';
import { mutatedText, withinTime } from './support/mutations.js';
import { expectReadableProblems } from './support/problem-checks.js';

/**
 * Fuzzing the template loader (what `idflow validate`, `run` and `serve` read first): mutated
 * versions of real templates — the JumpCloud offboarding, the examples, test fixtures — by
 * line and character edits and by structural edits. Never an uncaught exception or a hang;
 * always a result, and problems that are positioned and readable. Seeded: a failure prints the
 * seed; IDFLOW_FUZZ_SEED=<seed> replays it.
 */

const RUNS = FULL ? 5000 : 1000;
const TEMPLATES = ['templates/jumpcloud-offboarding.yaml', 'examples/hello.yaml', 'examples/psa-offboarding-note.yaml', 'test/fixtures/templates/hello.yaml', 'test/fixtures/templates/typos.yaml'];

let environment: CommandEnvironment;
beforeAll(async () => {
  environment = await createEnvironment({ cwd: repoRoot });
});

describe(`mutated templates (${RUNS} runs, seed ${FUZZ_SEED})`, () => {
  const sources = TEMPLATES.map((path) => readFileSync(join(repoRoot, path), 'utf8'));

  it('the originals load without errors (so mutations start from valid templates)', async () => {
    for (const [i, source] of sources.entries()) {
      const result = await loadWorkflowSource(source, join(repoRoot, TEMPLATES[i] as string), { registry: environment.registry, loadTemplatePlugins: environment.loadTemplatePlugins });
      if (!TEMPLATES[i]?.includes('typos')) expect(result.problems.filter((p) => p.severity === 'error'), TEMPLATES[i]).toEqual([]);
    }
  });

  it('never throw or hang, and report positioned, readable problems', async () => {
    let withErrors = 0;
    await fc.assert(
      fc.asyncProperty(mutatedText(sources), async (mutation) => {
        // Named like the template it came from, so that relative plugins resolve as they would.
        const file = join(repoRoot, TEMPLATES[mutation.source] as string);
        const result = await withinTime(loadWorkflowSource(mutation.text, file, { registry: environment.registry, loadTemplatePlugins: environment.loadTemplatePlugins }), 10_000, 'loading a mutated template');
        expect(Array.isArray(result.problems)).toBe(true);
        expectReadableProblems(result.problems, file, mutation.text, 'mutated template');
        const errors = result.problems.filter((p) => p.severity === 'error');
        if (errors.length > 0) {
          withErrors++;
          expect(result.workflow).toBeUndefined();
        } else {
          expect(result.workflow).toBeDefined();
        }
      }),
      { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
    );
    // Most mutations break something; a fuzzer that never does tests nothing.
    expect(withErrors).toBeGreaterThan(RUNS / 4);
  }, FULL ? 600_000 : 120_000);
});
