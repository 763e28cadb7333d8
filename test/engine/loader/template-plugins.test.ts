import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflowFile } from '../../../engine/loader/load-workflow.js';
import { createTemplatePluginLoader } from '../../../engine/loader/template-plugins.js';
import type { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { createTestRegistry } from './support/test-registry.js';

/** A template's own plugins: loaded before its actions are checked, problems at the entry. */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'idflow-template-plugins-'));
  mkdirSync(join(dir, 'plugins'));
  writeFileSync(
    join(dir, 'plugins', 'ticket.mjs'),
    `export default {
      id: 'acme.ticket.note',
      description: 'Adds a note to a ticket',
      params: { type: 'object', properties: { ticket: { type: 'integer' }, text: { type: 'string' } }, required: ['ticket', 'text'], additionalProperties: false },
      run: () => ({ changed: true }),
    };\n`,
  );
  writeFileSync(join(dir, 'plugins', 'broken.mjs'), 'export default {\n  id: "acme.broken.thing",\n  description: "broken"\n  run() {}\n};\n');
  const template = (plugin: string, params: string) => `id: with-plugin\nname: With plugin\nplugins:\n  - ${plugin}\nsteps:\n  - id: note\n    action: acme.ticket.note\n    with: ${params}\n`;
  writeFileSync(join(dir, 'good.yaml'), template('./plugins/ticket.mjs', '{ ticket: 42, text: hello }'));
  writeFileSync(join(dir, 'bad-params.yaml'), template('./plugins/ticket.mjs', '{ ticket: forty-two, txt: hello }'));
  writeFileSync(join(dir, 'borrowing.yaml'), 'id: borrowing\nname: Borrowing\nsteps:\n  - id: note\n    action: log\n    with: { message: hi }\n  - id: other\n    action: acme.ticket.note\n    with: { ticket: 1, text: hi }\n  - id: typo\n    action: acme.ticket.nte\n');
  writeFileSync(join(dir, 'plugins', 'naming-it.yaml'), template('ticket.mjs', '{ ticket: 42, text: hello }'));
  writeFileSync(join(dir, 'broken.yaml'), `id: broken\nname: Broken\nplugins: [./plugins/broken.mjs, ./plugins/missing.mjs]\nsteps:\n  - id: x\n    action: acme.broken.thng\n`);
});

async function freshRegistry(): Promise<ActionRegistry> {
  return createTestRegistry();
}

describe("a template's plugins:", () => {
  it('are loaded, relative to the template, before its actions are checked', async () => {
    const registry = await freshRegistry();
    const result = await loadWorkflowFile(join(dir, 'good.yaml'), { registry });
    expect(result.problems).toEqual([]);
    expect(result.pluginSpecs).toEqual([join(dir, 'plugins', 'ticket.mjs')]);
    expect(result.workflow?.plugins).toEqual([join(dir, 'plugins', 'ticket.mjs')]);
    expect(registry.has('acme.ticket.note')).toBe(true);
  });

  it("check parameters against the plugin's own schema (a misspelt required key is one problem)", async () => {
    const registry = await freshRegistry();
    const result = await loadWorkflowFile(join(dir, 'bad-params.yaml'), { registry });
    expect(result.problems.find((p) => p.code === 'unknown-param')?.suggestion).toBe('Did you mean "text"?');
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.message}`)).toEqual([
      '8:21 invalid-param "ticket" must be a whole number, got "forty-two"',
      '8:32 unknown-param unknown parameter "txt" for action "acme.ticket.note"',
    ]);
  });

  it('that fail to load are problems at their entry, and their actions are unknown', async () => {
    const registry = await freshRegistry();
    const result = await loadWorkflowFile(join(dir, 'broken.yaml'), { registry });
    expect(result.workflow).toBeUndefined();
    expect(result.problems.map((p) => [p.line, p.column, p.code])).toEqual([
      [3, 11, 'plugin-load'],
      [3, 33, 'plugin-load'],
      [6, 13, 'unknown-action'],
    ]);
    expect(result.problems[0]?.message).toMatch(/^the plugin "\.\/plugins\/broken\.mjs" could not be loaded: .*broken\.mjs/);
    expect(result.problems[1]?.message).toMatch(/^the plugin "\.\/plugins\/missing\.mjs" could not be loaded: Plugin file not found/);
    expect(result.problems[2]?.suggestion).toBe('The template\'s plugin "./plugins/broken.mjs", "./plugins/missing.mjs" failed to load; it may define this action');
  });

  it('are loaded once per registry, and a broken one is reported for every template naming it', async () => {
    const registry = await freshRegistry();
    const loadTemplatePlugins = createTemplatePluginLoader(registry);
    const first = await loadWorkflowFile(join(dir, 'good.yaml'), { registry, loadTemplatePlugins });
    const second = await loadWorkflowFile(join(dir, 'good.yaml'), { registry, loadTemplatePlugins });
    expect([first.problems, second.problems]).toEqual([[], []]);
    const broken = [await loadWorkflowFile(join(dir, 'broken.yaml'), { registry, loadTemplatePlugins }), await loadWorkflowFile(join(dir, 'broken.yaml'), { registry, loadTemplatePlugins })];
    expect(broken.map((result) => result.problems.filter((p) => p.code === 'plugin-load').length)).toEqual([2, 2]);
  });

  it("are the template's own: an action another template's plugin brought into the registry is unknown here", async () => {
    const registry = await freshRegistry();
    const loadTemplatePlugins = createTemplatePluginLoader(registry);
    expect((await loadWorkflowFile(join(dir, 'good.yaml'), { registry, loadTemplatePlugins })).problems).toEqual([]);
    const borrowing = await loadWorkflowFile(join(dir, 'borrowing.yaml'), { registry, loadTemplatePlugins });
    expect(borrowing.workflow).toBeUndefined();
    expect(borrowing.problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.message} | ${p.suggestion}`)).toEqual([
      `8:13 unknown-action unknown action "acme.ticket.note" | It comes from the plugin ${join(dir, 'plugins', 'ticket.mjs')}, which another template names: add it under this template's plugins:`,
      // Nor is it suggested for a typo.
      `11:13 unknown-action unknown action "acme.ticket.nte" | Load the plugin that defines it with --plugin, the config file's plugins: or the template's plugins:`,
    ]);
    // Naming the same module again (spelt differently) makes it available.
    expect((await loadWorkflowFile(join(dir, 'plugins', 'naming-it.yaml'), { registry, loadTemplatePlugins })).problems).toEqual([]);
  });

  it('go through the hook when one is given', async () => {
    const registry = await freshRegistry();
    const seen: unknown[] = [];
    const result = await loadWorkflowFile(join(dir, 'good.yaml'), {
      registry,
      loadTemplatePlugins: async (specs) => {
        seen.push(...specs);
        return { failures: [{ index: 0, message: 'refused by the test', code: 'PLUGIN_LOAD' }], unavailable: new Map() };
      },
    });
    expect(seen).toEqual([{ spec: './plugins/ticket.mjs', baseDir: dir }]);
    expect(result.problems.map((p) => `${p.line}:${p.column} ${p.code} ${p.message}`)).toEqual([
      '4:5 plugin-load the plugin "./plugins/ticket.mjs" could not be loaded: refused by the test',
      '7:13 unknown-action unknown action "acme.ticket.note"',
    ]);
  });
});
