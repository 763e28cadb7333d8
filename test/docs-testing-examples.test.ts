import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflowSource } from '../engine/loader/load-workflow.js';
import type { ActionRegistry } from '../engine/registry/action-registry.js';
import { loadTestFile } from '../engine/template-tests/test-file.js';
import { runTemplateTests } from '../engine/template-tests/run-tests.js';
import { createBuiltinRegistry } from './engine/loader/support/test-registry.js';

/**
 * docs/testing.md's examples cannot rot: every ```yaml block starts with `# file: PATH` and is
 * written there in a scratch project (beside a copy of the shipped offboarding template, which
 * the examples test); each template must check clean, each test file too, and then every case
 * of every example must pass `idflow test`.
 */

const doc = readFileSync('docs/testing.md', 'utf8');

/** The ```yaml blocks of the document, with the line each starts on. */
function yamlBlocks(): Array<{ line: number; text: string }> {
  const blocks: Array<{ line: number; text: string }> = [];
  const pattern = /^```yaml\n([\s\S]*?)^```$/gm;
  for (let match = pattern.exec(doc); match; match = pattern.exec(doc)) blocks.push({ line: doc.slice(0, match.index).split('\n').length + 1, text: match[1] ?? '' });
  return blocks;
}

const blocks = yamlBlocks().map((block) => ({ ...block, file: /^# file: (\S+)\n/.exec(block.text)?.[1] }));
let registry: ActionRegistry;
let project: string;

beforeAll(async () => {
  registry = await createBuiltinRegistry();
  project = mkdtempSync(join(tmpdir(), 'idflow-docs-testing-'));
  mkdirSync(join(project, 'templates'));
  copyFileSync('templates/jumpcloud-offboarding.yaml', join(project, 'templates', 'jumpcloud-offboarding.yaml'));
  for (const block of blocks) {
    if (block.file === undefined) continue;
    mkdirSync(dirname(join(project, block.file)), { recursive: true });
    writeFileSync(join(project, block.file), block.text);
  }
});

describe('docs/testing.md examples', () => {
  it('names the file of every yaml block, a template and test files among them', () => {
    expect(blocks.filter((block) => block.file === undefined).map((block) => block.line)).toEqual([]);
    expect(blocks.some((block) => block.file?.endsWith('.test.yaml'))).toBe(true);
    expect(blocks.some((block) => block.file?.endsWith('.yaml') && !block.file.endsWith('.test.yaml'))).toBe(true);
  });

  it('has templates and test files that check clean', async () => {
    for (const block of blocks) {
      const where = `docs/testing.md:${block.line} (${block.file ?? ''})`;
      if (block.file?.endsWith('.test.yaml')) expect((await loadTestFile(block.file, project)).problems, where).toEqual([]);
      else expect((await loadWorkflowSource(block.text, where, { registry })).problems, where).toEqual([]);
    }
  });

  it('has test cases that all pass', async () => {
    const report = await runTemplateTests({ cwd: project, env: {}, plugins: [], paths: ['templates'], concurrency: 2 });
    expect(report.problems).toEqual([]);
    expect(report.results.length).toBeGreaterThanOrEqual(6);
    expect(report.results.filter((result) => !result.passed).map((result) => ({ name: result.name, differences: result.differences, problems: result.problems }))).toEqual([]);
  });
});
