import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { loadPlugins, loadedPluginSources, type PluginSpec } from '../../../engine/plugins/load-plugins.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { actionModule, commonJsActionModule, tempDir, writeFiles } from './support/plugin-files.js';

const cli = (spec: string, baseDir: string): PluginSpec => ({ origin: 'cli', spec, baseDir });

async function loadOne(spec: string, baseDir: string): Promise<{ registry: ActionRegistry; problems: Awaited<ReturnType<typeof loadPlugins>> }> {
  const registry = new ActionRegistry();
  const problems = await loadPlugins(registry, [cli(spec, baseDir)]);
  return { registry, problems };
}

describe('loadPlugins: sources', () => {
  it('loads a plain .mjs file anywhere on disk, with no import from idflow, and runs it', async () => {
    const dir = writeFiles(tempDir(), { 'greet.mjs': actionModule('acme.greeting.say') });
    const { registry, problems } = await loadOne('greet.mjs', dir);
    expect(problems).toEqual([]);
    const action = registry.get('acme.greeting.say');
    expect(action?.source).toBe(join(dir, 'greet.mjs'));
    expect(await action?.definition.run(createMockActionContext(), { name: 'Ada' })).toEqual({ changed: false, output: { hello: 'Ada' } });
  });

  it('loads an absolute path and a file: URL', async () => {
    const dir = writeFiles(tempDir(), { 'a.mjs': actionModule('acme.a.run'), 'b.mjs': actionModule('acme.b.run') });
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, [cli(join(dir, 'a.mjs'), '/'), cli(`file://${join(dir, 'b.mjs')}`, '/')]);
    expect(problems).toEqual([]);
    expect(registry.ids()).toEqual(['acme.a.run', 'acme.b.run']);
  });

  it('loads a CommonJS .js file (module.exports) and an ESM .js file in a "type": "module" folder', async () => {
    const dir = writeFiles(tempDir(), {
      'cjs/plugin.js': commonJsActionModule('acme.cjs.run'),
      'esm/package.json': { type: 'module' },
      'esm/plugin.js': actionModule('acme.esm.run'),
      'explicit.cjs': commonJsActionModule('acme.explicit.run'),
    });
    const registry = new ActionRegistry();
    expect(await loadPlugins(registry, [cli('cjs/plugin.js', dir), cli('esm/plugin.js', dir), cli('explicit.cjs', dir)])).toEqual([]);
    expect(registry.ids()).toEqual(['acme.cjs.run', 'acme.esm.run', 'acme.explicit.run']);
  });

  it('unwraps a CommonJS module compiled from TypeScript (exports.default with __esModule)', async () => {
    const dir = writeFiles(tempDir(), {
      'compiled.cjs': `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = ${actionModule('acme.compiled.run').replace('export default ', '').trimEnd()}`,
    });
    const { registry, problems } = await loadOne('compiled.cjs', dir);
    expect(problems).toEqual([]);
    expect(registry.has('acme.compiled.run')).toBe(true);
  });

  it('loads a TypeScript file without a build step (types stripped), and an array of actions', async () => {
    const dir = writeFiles(tempDir(), {
      'ticket.ts': `
interface Params { ticket: number; note?: string }
const params = { type: 'object', properties: { ticket: { type: 'integer' }, note: { type: 'string' } }, required: ['ticket'] } as const;
function describeTicket(p: Params): string { return \`ticket #\${p.ticket}\`; }
export default [
  { id: 'acme.ticket.describe', description: 'Describes a ticket', params, run: (_ctx: unknown, p: Params) => ({ changed: false, output: describeTicket(p) }) },
  { id: 'acme.ticket.noop', description: 'Does nothing', params: { type: 'object' }, run: () => ({ changed: false }) },
];
`,
    });
    const { registry, problems } = await loadOne('./ticket.ts', dir);
    expect(problems).toEqual([]);
    expect(registry.ids()).toEqual(['acme.ticket.describe', 'acme.ticket.noop']);
    expect(await registry.get('acme.ticket.describe')?.definition.run(createMockActionContext(), { ticket: 7 })).toEqual({ changed: false, output: 'ticket #7' });
  });

  it('loads a folder through its package.json "exports" (import condition), "main", or index file', async () => {
    const dir = writeFiles(tempDir(), {
      'with-exports/package.json': { name: 'with-exports', type: 'module', exports: { '.': { types: './index.d.ts', require: './wrong.cjs', import: './src/entry.mjs' } } },
      'with-exports/src/entry.mjs': actionModule('acme.exports.run'),
      'with-main/package.json': { name: 'with-main', main: 'lib/plugin' },
      'with-main/lib/plugin.js': commonJsActionModule('acme.main.run'),
      'with-index/package.json': { name: 'with-index' },
      'with-index/index.mjs': actionModule('acme.index.run'),
      'ts-folder/package.json': { name: 'ts-folder', main: 'src/index.ts' },
      'ts-folder/src/index.ts': actionModule('acme.tsfolder.run').replace('run(ctx, params)', 'run(_ctx: unknown, params: { name?: string })'),
    });
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, ['with-exports', './with-main', 'with-index', './ts-folder'].map((spec) => cli(spec, dir)));
    expect(problems).toEqual([]);
    expect(registry.ids()).toEqual(['acme.exports.run', 'acme.index.run', 'acme.main.run', 'acme.tsfolder.run']);
    expect(registry.get('acme.exports.run')?.source).toBe(`${join(dir, 'with-exports')} (src/entry.mjs)`);
  });

  it('loads an installed npm package by name, resolved from baseDir upwards (scoped, with a subpath)', async () => {
    const dir = writeFiles(tempDir(), {
      'node_modules/idflow-plugin-psa/package.json': { name: 'idflow-plugin-psa', version: '1.0.0', type: 'module', exports: { '.': './dist/index.js', './extra/*': './dist/extra/*.js' } },
      'node_modules/idflow-plugin-psa/dist/index.js': actionModule('psa.note.add'),
      'node_modules/idflow-plugin-psa/dist/extra/close.js': actionModule('psa.ticket.close'),
      'node_modules/@acme/idflow-actions/package.json': { name: '@acme/idflow-actions', main: 'index.js' },
      'node_modules/@acme/idflow-actions/index.js': commonJsActionModule('acme.user.flag'),
      'templates/nested/.keep': '',
    });
    const baseDir = join(dir, 'templates', 'nested');
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, [
      { origin: 'template', spec: 'idflow-plugin-psa', baseDir },
      { origin: 'template', spec: 'idflow-plugin-psa/extra/close', baseDir },
      { origin: 'config', spec: '@acme/idflow-actions', baseDir },
    ]);
    expect(problems).toEqual([]);
    expect(registry.ids()).toEqual(['acme.user.flag', 'psa.note.add', 'psa.ticket.close']);
    expect(registry.get('psa.note.add')?.source).toBe(`idflow-plugin-psa (${join(dir, 'node_modules/idflow-plugin-psa/dist/index.js')})`);
  });

  it('registers built-in modules through the same registry', async () => {
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, [{ origin: 'builtin', source: 'builtin:core', load: () => import('../../../actions/core/index.js') }]);
    expect(problems).toEqual([]);
    expect(registry.get('log')?.source).toBe('builtin:core');
    expect(registry.listPacks().map((p) => p.pack.name)).toContain('core');
  });
});

describe('loadPlugins: the same module twice', () => {
  it('loads the same resolved file once when named by the config and a template (and through a symlink)', async () => {
    const dir = writeFiles(tempDir(), { 'plugins/greet.mjs': actionModule('acme.greeting.say'), 'templates/offboard.yaml': '' });
    symlinkSync(join(dir, 'plugins'), join(dir, 'linked'));
    const registry = new ActionRegistry();
    const first = await loadPlugins(registry, [{ origin: 'config', spec: './plugins/greet.mjs', baseDir: dir }]);
    const validator = registry.get('acme.greeting.say')?.validateParams;
    const second = await loadPlugins(registry, [
      { origin: 'template', spec: '../plugins/greet.mjs', baseDir: join(dir, 'templates') },
      { origin: 'cli', spec: 'linked/greet.mjs', baseDir: dir },
    ]);
    expect([...first, ...second]).toEqual([]);
    expect(registry.ids()).toEqual(['acme.greeting.say']);
    // Registered (and its schema compiled) once: the validator is the one compiled first.
    expect(registry.get('acme.greeting.say')?.validateParams).toBe(validator);
    expect(loadedPluginSources(registry)).toEqual([{ source: join(dir, 'plugins/greet.mjs'), ids: ['acme.greeting.say'] }]);
  });

  it('reports an id defined by two different files as a clash naming both files', async () => {
    const dir = writeFiles(tempDir(), { 'one.mjs': actionModule('acme.user.flag'), 'two/copy.mjs': actionModule('acme.user.flag') });
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, [cli('one.mjs', dir), { origin: 'template', spec: './two/copy.mjs', baseDir: dir }]);
    expect(problems).toEqual([
      {
        origin: 'template',
        spec: './two/copy.mjs',
        source: join(dir, 'two/copy.mjs'),
        code: 'PLUGIN_DUPLICATE',
        message: `Action "acme.user.flag" from ${join(dir, 'two/copy.mjs')} is already registered from ${join(dir, 'one.mjs')}; action ids must be unique`,
      },
    ]);
    expect(registry.get('acme.user.flag')?.source).toBe(join(dir, 'one.mjs'));
  });

  it('reports a plugin that clashes with a built-in action naming both sources', async () => {
    const dir = writeFiles(tempDir(), { 'log.mjs': actionModule('log') });
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, [{ origin: 'builtin', source: 'builtin:core', load: () => import('../../../actions/core/index.js') }, cli('log.mjs', dir)]);
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      ['PLUGIN_DUPLICATE', `Action "log" from ${join(dir, 'log.mjs')} is already registered from builtin:core; action ids must be unique`],
    ]);
  });
});

describe('loadPlugins: broken plugins are reported, naming the file, and the others still load', () => {
  async function problemFor(files: Record<string, string | object>, spec: string): Promise<{ dir: string; code: string; message: string; source: string }> {
    const dir = writeFiles(tempDir(), { ...files, 'good.mjs': actionModule('acme.good.run') });
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, [cli(spec, dir), cli('good.mjs', dir)]);
    // Loading goes on after the broken plugin.
    expect(registry.ids()).toContain('acme.good.run');
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    return { dir, code: problem?.code ?? '', message: problem?.message ?? '', source: problem?.source ?? '' };
  }

  it('a syntax error in an .mjs file, with line and column', async () => {
    const { dir, code, message, source } = await problemFor({ 'broken.mjs': "export default {\n  id: 'acme.broken.run',\n  description 'missing colon',\n};\n" }, 'broken.mjs');
    expect(code).toBe('PLUGIN_SYNTAX');
    expect(source).toBe(join(dir, 'broken.mjs'));
    expect(message).toBe(`Syntax error in ${join(dir, 'broken.mjs')}:3:15: Unexpected string`);
  });

  it('a syntax error in a CommonJS .js file, with line and column', async () => {
    const { dir, code, message } = await problemFor({ 'broken.cjs': 'module.exports = {\n  id: "acme.x.y",,\n};\n' }, 'broken.cjs');
    expect(code).toBe('PLUGIN_SYNTAX');
    expect(message).toBe(`Syntax error in ${join(dir, 'broken.cjs')}:2:18: Unexpected token ','`);
  });

  it('a syntax error in a .ts file, with line and column', async () => {
    const { dir, code, message } = await problemFor({ 'broken.ts': 'const n: number = 1;\nexport default {\n  id: "acme.x.y"\n  run() {}\n};\n' }, 'broken.ts');
    expect(code).toBe('PLUGIN_SYNTAX');
    expect(message).toMatch(new RegExp(`^Syntax error in ${escape(join(dir, 'broken.ts'))}:4:2: Unexpected token, expected ","`));
  });

  it('a SyntaxError thrown while running the module is an import failure, not a syntax error', async () => {
    const { dir, code, message } = await problemFor({ 'json.mjs': "const settings = JSON.parse('{oops');\nexport default settings;\n" }, 'json.mjs');
    expect(code).toBe('PLUGIN_IMPORT');
    expect(message).toContain(`Plugin ${join(dir, 'json.mjs')} threw while being imported:`);
    expect(message).toContain(`(at ${join(dir, 'json.mjs')}:1:23)`);
  });

  it('a module that throws on import, with where it threw', async () => {
    const { dir, code, message } = await problemFor({ 'throws.mjs': "const token = process.env.NOPE_NOT_SET;\nif (!token) throw new Error('PSA token missing');\nexport default {};\n" }, 'throws.mjs');
    expect(code).toBe('PLUGIN_IMPORT');
    expect(message).toBe(`Plugin ${join(dir, 'throws.mjs')} threw while being imported: PSA token missing (at ${join(dir, 'throws.mjs')}:2:19)`);
  });

  it('a .ts module that throws on import, with where it threw', async () => {
    const { dir, code, message } = await problemFor({ 'throws.ts': "const limit: number = 0;\nif (limit === 0) throw new Error('limit must be set');\nexport default {};\n" }, 'throws.ts');
    expect(code).toBe('PLUGIN_IMPORT');
    expect(message).toBe(`Plugin ${join(dir, 'throws.ts')} threw while being imported: limit must be set (at ${join(dir, 'throws.ts')}:2:24)`);
  });

  it("a CommonJS module that requires idflow where idflow is not installed says how to fix it (ES modules get the running idflow)", async () => {
    const { dir, code, message } = await problemFor({ 'needs-idflow.cjs': "const { defineAction } = require('idflow');\nmodule.exports = defineAction({});\n" }, 'needs-idflow.cjs');
    expect(code).toBe('PLUGIN_IMPORT');
    expect(message).toBe(
      `Cannot load plugin ${join(dir, 'needs-idflow.cjs')}: Cannot find module 'idflow'; require('idflow') in CommonJS is looked up next to the plugin: write the plugin as an ES module (import … from 'idflow' always gets the running idflow), install idflow next to it (see docs/install.md), or drop the import: a plugin needs nothing from idflow to work`,
    );
  });

  it('a missing default export, listing what the module does export', async () => {
    const { dir, code, message } = await problemFor({ 'named.mjs': actionModule('acme.named.run').replace('export default', 'export const action =') }, 'named.mjs');
    expect(code).toBe('PLUGIN_NO_DEFAULT');
    expect(message).toBe(`${join(dir, 'named.mjs')} has no default export (it exports only "action"); write \`export default\` with an action, an array of actions or a pack { name, actions }`);
  });

  it('a missing default export in a .ts file', async () => {
    const { code, message } = await problemFor({ 'named.ts': 'export const helper = (n: number): number => n + 1;\n' }, 'named.ts');
    expect(code).toBe('PLUGIN_NO_DEFAULT');
    expect(message).toContain('has no default export (it exports only "helper")');
  });

  it('a missing run function', async () => {
    const { dir, code, message } = await problemFor({ 'no-run.mjs': actionModule('acme.norun.x').replace(/  run\(ctx, params\).*\n/, '') }, 'no-run.mjs');
    expect(code).toBe('PLUGIN_INVALID');
    expect(message).toBe(`${join(dir, 'no-run.mjs')} (default export): action "acme.norun.x" has no "run" function`);
  });

  it('an id that is not namespaced', async () => {
    const { dir, code, message } = await problemFor({ 'bare.mjs': actionModule('greet') }, 'bare.mjs');
    expect(code).toBe('PLUGIN_INVALID');
    expect(message).toBe(`${join(dir, 'bare.mjs')} (default export): action id "greet" must be namespaced like "vendor.object.verb" (lower-case segments separated by dots)`);
  });

  it('an invalid JSON Schema (does not compile), naming the action and the file', async () => {
    const source = actionModule('acme.schema.bad').replace("properties: { name: { type: 'string' } }", "properties: { name: { type: 'strnig' } }");
    const { dir, code, message } = await problemFor({ 'schema.mjs': source }, 'schema.mjs');
    expect(code).toBe('PLUGIN_SCHEMA');
    expect(message).toMatch(new RegExp(`^Action "acme.schema.bad" in ${escape(join(dir, 'schema.mjs'))} has an invalid params schema: schema is invalid: data/properties/name/type must be equal to one of the allowed values`));
  });

  it('a file that does not exist, saying where it was looked for', async () => {
    const { dir, code, message, source } = await problemFor({}, './plugins/missing.mjs');
    expect(code).toBe('PLUGIN_NOT_FOUND');
    expect(source).toBe(join(dir, 'plugins/missing.mjs'));
    expect(message).toBe(`Plugin file not found: ${join(dir, 'plugins/missing.mjs')} ("./plugins/missing.mjs" relative to ${dir})`);
  });

  it('a package that is not installed', async () => {
    const { code, message } = await problemFor({}, 'idflow-plugin-nowhere');
    expect(code).toBe('PLUGIN_NOT_FOUND');
    expect(message).toMatch(/^Plugin "idflow-plugin-nowhere" is neither a file nor a folder relative to .*, nor an installed package \(looked in .*node_modules.*\); install it \(npm install idflow-plugin-nowhere\) or write a path such as \.\/idflow-plugin-nowhere$/);
  });

  it('a folder whose package.json points at a file that was never built', async () => {
    const { dir, code, message } = await problemFor({ 'unbuilt/package.json': { name: 'unbuilt', exports: './dist/index.js' } }, 'unbuilt');
    expect(code).toBe('PLUGIN_NOT_FOUND');
    expect(message).toBe(`${join(dir, 'unbuilt/package.json')} exports "." as ./dist/index.js, which does not exist (is the package built? run its build first)`);
  });

  it('a file that is not a module (e.g. a YAML file given by mistake)', async () => {
    const { dir, code, message } = await problemFor({ 'offboard.yaml': 'id: x\n' }, 'offboard.yaml');
    expect(code).toBe('PLUGIN_NOT_FOUND');
    expect(message).toBe(`${join(dir, 'offboard.yaml')} is not a JavaScript or TypeScript module (expected one of .js, .mjs, .cjs, .ts, .mts, .cts)`);
  });

  it('a broken module named twice is reported once', async () => {
    const dir = writeFiles(tempDir(), { 'broken.mjs': 'export default {' });
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, [cli('broken.mjs', dir), { origin: 'template', spec: './broken.mjs', baseDir: dir }]);
    expect(problems.map((p) => p.code)).toEqual(['PLUGIN_SYNTAX']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
