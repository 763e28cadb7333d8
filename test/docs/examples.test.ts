import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateFiles } from '../../engine/cli/commands/validate-handler.js';
import { parseConfig } from '../../engine/config/load-config.js';
import { OPERATORS } from '../../engine/conditions/index.js';
import { loadWorkflowSource } from '../../engine/loader/load-workflow.js';
import { BLOCK_HELPERS, HELPERS } from '../../engine/templating/index.js';
import type { ActionRegistry } from '../../engine/registry/action-registry.js';
import { createBuiltinRegistry } from '../engine/loader/support/test-registry.js';
import { documentationFile, documentationFiles } from './support/markdown-files.js';

/**
 * The examples of the README and docs/ cannot rot: every ```yaml block whose first line is
 * `# validate` must be a valid template, and every block starting `# validate config` a valid
 * config file (see docs/development.md "Docs examples are tests"). The language reference must
 * also name every condition operator and template helper idflow has.
 */

/** The ```yaml blocks of every documentation file, each with its file and the line it starts on. */
function yamlBlocks(): Array<{ where: string; text: string }> {
  const blocks: Array<{ where: string; text: string }> = [];
  for (const file of documentationFiles()) {
    const pattern = /^```yaml\n([\s\S]*?)^```$/gm;
    for (let match = pattern.exec(file.text); match; match = pattern.exec(file.text)) {
      blocks.push({ where: `${file.path}:${file.text.slice(0, match.index).split('\n').length + 1}`, text: match[1] ?? '' });
    }
  }
  return blocks;
}

const templates = yamlBlocks().filter((block) => /^# validate\s*\n/.test(block.text));
const configs = yamlBlocks().filter((block) => /^# validate config\s*\n/.test(block.text));

let registry: ActionRegistry;
beforeAll(async () => {
  registry = await createBuiltinRegistry();
});

describe('documentation examples', () => {
  it('has at least the examples the README had before it was split into docs/', () => {
    // 6 templates and 4 config files when the manual moved from README.md to docs/: a block
    // that loses its marker (or a page that is dropped) must not quietly go unchecked.
    expect(templates.length).toBeGreaterThanOrEqual(6);
    expect(configs.length).toBeGreaterThanOrEqual(4);
  });

  it.each(templates.map((block) => [block.where, block.text] as const))('the template at %s is valid', async (where, text) => {
    const result = await loadWorkflowSource(text, `${where} (block)`, { registry });
    expect(result.problems).toEqual([]);
  });

  it.each(configs.map((block) => [block.where, block.text] as const))('the config at %s is valid', (where, text) => {
    expect(parseConfig(text, `${where} (block)`, process.cwd()).problems).toEqual([]);
  });
});

describe('the template language reference (docs/language.md)', () => {
  const section = documentationFile('docs/language.md').text;

  it('names every condition operator', () => {
    const missing = [...OPERATORS.keys()].filter((name) => !section.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('names every template helper and block', () => {
    const missing = [...HELPERS.keys(), ...BLOCK_HELPERS.keys()].filter((name) => !section.includes(`\`${name}\``) && !section.includes(`{{#${name}`));
    expect(missing).toEqual([]);
  });
});

describe('the CLI reference (docs/cli.md)', () => {
  /** The sample output of `idflow validate`: a ```text block starting with the command. */
  const sample = /^```text\n\$ idflow validate templates\/offboard\.yaml\n([\s\S]*?)^```$/m.exec(documentationFile('docs/cli.md').text)?.[1];

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
    const dir = mkdtempSync(join(tmpdir(), 'idflow-docs-'));
    mkdirSync(join(dir, 'templates'));
    writeFileSync(join(dir, 'templates', 'offboard.yaml'), `${lines.join('\n')}\n`);
    let stdout = '';
    const code = await validateFiles(['templates/offboard.yaml'], { plugin: [] }, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, env: {}, cwd: dir });
    expect(code).toBe(1);
    expect(stdout).toBe(sample);
  });
});
