import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../../engine/loader/duration.js';
import { loadWorkflowFile, loadWorkflowSource, sha256 } from '../../../engine/loader/load-workflow.js';
import { DEFAULT_RETRY_POLICY } from '../../../engine/language/defaults.js';
import { resolvePluginPath } from '../../../engine/loader/normalise.js';
import type { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { createTestRegistry, yaml } from './support/test-registry.js';

let registry: ActionRegistry;
beforeAll(async () => {
  registry = await createTestRegistry();
});

describe('normalisation to the Workflow type', () => {
  it('fills every default', async () => {
    const source = yaml`
      id: defaults
      name: Defaults
      steps:
        - id: a
          action: log
          with: { message: hi }
      on_failure:
        - id: b
          action: log
          with: { message: failed }
    `;
    const result = await loadWorkflowSource(source, '/work/flows/defaults.yaml', { registry });
    expect(result.problems).toEqual([]);
    expect(result.hash).toBe(sha256(source));
    expect(result.workflow).toEqual({
      id: 'defaults',
      name: 'Defaults',
      inputs: {},
      vars: {},
      triggers: [{ type: 'manual' }],
      steps: [{ id: 'a', action: 'log', with: { message: 'hi' }, concurrency: 1, continue_on_error: false, verify: false }],
      on_failure: [{ id: 'b', action: 'log', with: { message: 'failed' }, concurrency: 1, continue_on_error: false, verify: false }],
      plugins: [],
    });
  });

  it('turns durations into milliseconds and completes retry policies', async () => {
    const result = await loadWorkflowSource(
      yaml`
        id: retry
        name: Retry
        steps:
          - id: a
            action: log
            with: { message: hi }
            timeout: 2m
            retry: { attempts: 4 }
          - id: b
            action: log
            with: { message: hi }
            timeout: 1500
            retry: { backoff: fixed, delay: 45s }
      `,
      'retry.yaml',
      { registry },
    );
    expect(result.problems).toEqual([]);
    const [a, b] = result.workflow?.steps ?? [];
    expect(a).toMatchObject({ timeoutMs: 120_000, retry: { attempts: 4, backoff: 'exponential', delayMs: DEFAULT_RETRY_POLICY.delayMs, maxDelayMs: DEFAULT_RETRY_POLICY.maxDelayMs } });
    // A delay above the default maximum raises the maximum with it.
    expect(b).toMatchObject({ timeoutMs: 1500, retry: { attempts: DEFAULT_RETRY_POLICY.attempts, backoff: 'fixed', delayMs: 45_000, maxDelayMs: 45_000 } });
  });

  it('refuses a retry delay longer than its maximum, and warns about concurrency without foreach', async () => {
    const result = await loadWorkflowSource(
      yaml`
        id: retry
        name: Retry
        steps:
          - id: a
            action: log
            with: { message: hi }
            concurrency: 3
            retry: { delay: 1m, max_delay: 10s }
      `,
      'retry.yaml',
      { registry },
    );
    expect(result.problems.map((p) => [p.line, p.column, p.code, p.severity, p.message])).toEqual([
      [7, 5, 'unused-option', 'warning', '"concurrency" only applies to foreach steps; this step has no "foreach"'],
      [8, 21, 'invalid-retry', 'error', 'the retry "delay" (1m) is longer than its "max_delay" (10s)'],
    ]);
  });

  it('keeps a workflow that has only warnings', async () => {
    const result = await loadWorkflowSource('id: w\nname: W\nsteps:\n  - { id: a, action: log, with: { message: hi }, concurrency: 2 }\n', 'w.yaml', { registry });
    expect(result.problems.map((p) => p.severity)).toEqual(['warning']);
    expect(result.workflow?.steps[0]?.concurrency).toBe(2);
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    [0, 0],
    [250, 250],
  ])('%s → %s ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['5 minutes', '1.5s', '-1s', '10', 1.5, -1, null])('%s is not a duration', (value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});

describe('resolvePluginPath', () => {
  it('resolves paths against the folder of the file naming them and keeps package names', () => {
    expect(resolvePluginPath('./p.mjs', '/flows')).toBe('/flows/p.mjs');
    expect(resolvePluginPath('../plugins/p.ts', '/flows/a')).toBe('/flows/plugins/p.ts');
    expect(resolvePluginPath('/abs/p.js', '/flows')).toBe('/abs/p.js');
    expect(resolvePluginPath('idflow-plugin-psa', '/flows')).toBe('idflow-plugin-psa');
    expect(resolvePluginPath('@acme/pack', '/flows')).toBe('@acme/pack');
  });
});

describe('loadWorkflowFile', () => {
  it('reports a missing file as a problem, not an exception', async () => {
    const result = await loadWorkflowFile('/nonexistent/flow.yaml', { registry });
    expect(result.problems).toEqual([{ file: '/nonexistent/flow.yaml', line: 0, column: 0, path: '', code: 'file-not-found', message: 'no such file', severity: 'error' }]);
    expect(result.workflow).toBeUndefined();
  });

  it('refuses an oversized file without reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-loader-'));
    const file = join(dir, 'big.yaml');
    writeFileSync(file, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const result = await loadWorkflowFile(file, { registry });
    expect(result.source).toBe('');
    expect(result.read).toBe(false);
    // At 1:1, as when the same text is checked by loadWorkflowSource: the file is there, refused whole.
    expect(result.problems).toEqual([expect.objectContaining({ code: 'file-too-large', line: 1, column: 1, message: 'the template is 2,097,155 bytes; idflow reads at most 1 MiB (1,048,576 bytes) and refuses it unparsed' })]);
  });

  it('reads a folder as a problem', async () => {
    const result = await loadWorkflowFile(tmpdir(), { registry });
    expect(result.problems[0]).toMatchObject({ code: 'file-unreadable', message: 'this is a folder, not a template file' });
  });
});
