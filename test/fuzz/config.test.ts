import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../engine/config/load-config.js';
import { resolveConnections, resolveSecrets } from '../../engine/config/index.js';
import { repoRoot } from '../support/cli.js';
import { FUZZ_SEED, FULL } from '../reliability/support/suite-settings.js';
import { mutatedText } from './support/mutations.js';
import { expectReadableProblems } from './support/problem-checks.js';

/**
 * Fuzzing the config file (`idflow.config.yaml`, read by every command): mutated versions of
 * the example configs. Never an exception; positioned, readable problems; and a config that
 * checks resolves its connections and secrets without throwing anything but a clear error.
 */

const RUNS = FULL ? 5000 : 1000;
const CONFIGS = ['examples/idflow.config.yaml', 'examples/serve/idflow.config.yaml'];

describe(`mutated config files (${RUNS} runs, seed ${FUZZ_SEED})`, () => {
  const sources = CONFIGS.map((path) => readFileSync(join(repoRoot, path), 'utf8'));

  it('the originals check without errors', () => {
    for (const [i, source] of sources.entries()) expect(parseConfig(source, CONFIGS[i] as string, repoRoot).problems.filter((p) => p.severity === 'error'), CONFIGS[i]).toEqual([]);
  });

  it('never throw, and report positioned, readable problems', () => {
    const env = { JUMPCLOUD_API_KEY: 'fuzz-jumpcloud-key-0001', SMTP_PASSWORD: 'fuzz-smtp-password-0002', PSA_TOKEN: 'fuzz-psa-token-0003', HR_WEBHOOK_SECRET: 'fuzz-hr-webhook-secret-0004', IDFLOW_SERVE_TOKEN: 'fuzz-serve-token-0005' };
    let withErrors = 0;
    fc.assert(
      fc.property(mutatedText(sources), (mutation) => {
        const file = CONFIGS[mutation.source] as string;
        const loaded = parseConfig(mutation.text, file, repoRoot);
        expectReadableProblems(loaded.problems, file, mutation.text, 'mutated config');
        if (loaded.problems.some((p) => p.severity === 'error')) {
          withErrors++;
          return;
        }
        // A config that checks can be used: resolving it either works or says what is missing.
        for (const resolve of [() => resolveConnections(loaded.config, env, () => undefined), () => resolveSecrets(loaded.config, env, () => undefined)]) {
          try {
            resolve();
          } catch (error) {
            expect((error as { code?: unknown }).code, String(error)).toEqual(expect.any(String));
            expect((error as Error).message.length).toBeGreaterThan(0);
          }
        }
      }),
      { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(withErrors).toBeGreaterThan(RUNS / 5);
  }, 120_000);
});
