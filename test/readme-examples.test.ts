import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../engine/config/load-config.js';
import { OPERATORS } from '../engine/conditions/index.js';
import { loadWorkflowSource } from '../engine/loader/load-workflow.js';
import { BLOCK_HELPERS, HELPERS } from '../engine/templating/index.js';
import type { ActionRegistry } from '../engine/registry/action-registry.js';
import { createBuiltinRegistry } from './engine/loader/support/test-registry.js';

/**
 * The README's examples cannot rot: every ```yaml block whose first line is `# validate` must
 * be a valid template, and every block starting `# validate config` a valid config file (see
 * README "Development"). The language reference must also name every condition operator and
 * template helper idflow has.
 */

const readme = readFileSync('README.md', 'utf8');

/** The ```yaml blocks of the README, with the line each starts on. */
function yamlBlocks(): Array<{ line: number; text: string }> {
  const blocks: Array<{ line: number; text: string }> = [];
  const pattern = /^```yaml\n([\s\S]*?)^```$/gm;
  for (let match = pattern.exec(readme); match; match = pattern.exec(readme)) {
    blocks.push({ line: readme.slice(0, match.index).split('\n').length + 1, text: match[1] ?? '' });
  }
  return blocks;
}

const templates = yamlBlocks().filter((block) => /^# validate\s*\n/.test(block.text));
const configs = yamlBlocks().filter((block) => /^# validate config\s*\n/.test(block.text));

let registry: ActionRegistry;
beforeAll(async () => {
  registry = await createBuiltinRegistry();
});

describe('README examples', () => {
  it('has examples to check', () => {
    expect(templates.length).toBeGreaterThan(0);
    expect(configs.length).toBeGreaterThan(0);
  });

  it.each(templates.map((block) => [block.line, block.text] as const))('the template at README.md:%i is valid', async (line, text) => {
    const result = await loadWorkflowSource(text, `README.md (block at line ${line})`, { registry });
    expect(result.problems).toEqual([]);
  });

  it.each(configs.map((block) => [block.line, block.text] as const))('the config at README.md:%i is valid', (line, text) => {
    expect(parseConfig(text, `README.md (block at line ${line})`, process.cwd()).problems).toEqual([]);
  });
});

describe('the template language reference', () => {
  const section = readme.slice(readme.indexOf('## The template language'), readme.indexOf('## The CLI'));

  it('names every condition operator', () => {
    const missing = [...OPERATORS.keys()].filter((name) => !section.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('names every template helper and block', () => {
    const missing = [...HELPERS.keys(), ...BLOCK_HELPERS.keys()].filter((name) => !section.includes(`\`${name}\``) && !section.includes(`{{#${name}`));
    expect(missing).toEqual([]);
  });
});
