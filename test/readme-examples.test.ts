import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateFiles } from '../engine/cli/commands/validate-handler.js';
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

describe('the CLI reference', () => {
  /** The sample output of `idflow validate` in "The CLI": a ```text block starting with the command. */
  const sample = /^```text\n\$ idflow validate templates\/offboard\.yaml\n([\s\S]*?)^```$/m.exec(readme)?.[1];

  it('shows what idflow validate prints for a template with those mistakes', async () => {
    expect(sample).toBeDefined();
    // A template with the three mistakes of the sample on the lines it names.
    const lines = Array.from({ length: 40 }, (_, i) => `# line ${i + 1}`);
    const put = (line: number, text: string): void => {
      lines[line - 1] = text;
    };
    put(1, 'id: offboard');
    put(2, 'name: Offboard');
    put(3, 'inputs:');
    put(4, '  user_identifier: { type: string, required: true }');
    put(5, '  reason: { type: string }');
    put(14, 'stpes:');
    put(30, '  - id: suspend');
    put(31, '    action: jumpcloud.user.deactvate');
    put(37, '  - id: note');
    put(38, '    action: log');
    put(39, '    with:');
    put(40, '      message: "Offboarding {{inputs.user_identifer}}"');
    const dir = mkdtempSync(join(tmpdir(), 'idflow-readme-'));
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'templates', 'offboard.yaml'), `${lines.join('\n')}\n`);
    let stdout = '';
    const code = await validateFiles(['templates/offboard.yaml'], { plugin: [] }, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, env: {}, cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toBe(sample);
  });
});
