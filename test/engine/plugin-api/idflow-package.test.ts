import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as entry from '../../../engine/index.js';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { loadPlugins } from '../../../engine/plugins/load-plugins.js';
import { classifyError } from '../../../engine/errors/classify.js';
import { buildIdflowPackage, installIdflow } from '../plugins/support/idflow-package.js';
import { tempDir, writeFiles } from '../plugins/support/plugin-files.js';

describe('the package entry (import … from "idflow")', () => {
  it('exports defineAction, the typed errors that steer retries, the mock context and the plugin loader', () => {
    const names = ['defineAction', 'createMockActionContext', 'loadPluginActions', 'classifyError', 'IdflowError', 'TransientError', 'PermanentError', 'NotFoundError', 'ConflictError', 'AmbiguousError', 'TimeoutError', 'CancelledError', 'PluginError'];
    for (const name of names) expect(typeof (entry as Record<string, unknown>)[name], name).toBe('function');
    expect(new entry.TransientError('x').retryable).toBe(true);
    expect(new entry.PermanentError('x').retryable).toBe(false);
    expect(new entry.NotFoundError('x').code).toBe('NOT_FOUND');
    expect(new entry.ConflictError('x').retryable).toBe(false);
    expect(new entry.TimeoutError('x').retryable).toBe(true);
    expect(new entry.CancelledError().retryable).toBe(false);
    expect(new entry.AmbiguousError('two users match', ['a', 'b']).message).toBe('two users match: a, b');
  });
});

describe('plugins that import idflow, as installed by npm', () => {
  let packageDir: string;
  beforeAll(() => {
    packageDir = buildIdflowPackage();
  });

  const plugin = `import { defineAction, TransientError } from 'idflow';
export default defineAction({
  id: 'acme.ticket.touch',
  description: 'Touches a ticket',
  params: { type: 'object', properties: { ticket: { type: 'integer' } }, required: ['ticket'] },
  run(ctx, params) {
    if (params.ticket === 0) throw new TransientError('PSA busy', { retryAfterMs: 2000 });
    ctx.logger.info('touched');
    return { changed: true, output: { ticket: params.ticket } };
  },
});
`;

  it('loads a .mjs and a .ts plugin in a project that installed idflow', async () => {
    const project = writeFiles(tempDir(), {
      'package.json': { name: 'acme-idflow-plugins', type: 'module', private: true },
      'plugins/touch.mjs': plugin,
      'plugins/typed.ts': plugin.replace('acme.ticket.touch', 'acme.ticket.typed').replace('run(ctx, params)', 'run(ctx, params): { changed: boolean; output: { ticket: number } }'),
    });
    installIdflow(project, packageDir);
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, [
      { origin: 'config', spec: './plugins/touch.mjs', baseDir: project },
      { origin: 'template', spec: 'plugins/typed.ts', baseDir: project },
    ]);
    expect(problems).toEqual([]);
    const ctx = entry.createMockActionContext();
    expect(await registry.get('acme.ticket.touch')?.definition.run(ctx, { ticket: 5 })).toEqual({ changed: true, output: { ticket: 5 } });
    expect(await registry.get('acme.ticket.typed')?.definition.run(ctx, { ticket: 6 })).toEqual({ changed: true, output: { ticket: 6 } });
    // The plugin's import of idflow is the running idflow (not the copy installed next to it); the retry decision travels with the error.
    const thrown = await (async () => registry.get('acme.ticket.touch')?.definition.run(ctx, { ticket: 0 }))().catch((error: unknown) => error);
    const classified = classifyError(thrown);
    expect([classified.retryable, classified.message]).toEqual([true, 'PSA busy']);
  });

  it('resolves "idflow" inside the idflow package itself (self-reference through package.json "exports")', async () => {
    writeFiles(packageDir, { 'examples/plugins/self.mjs': plugin.replace('acme.ticket.touch', 'acme.ticket.self') });
    const registry = new ActionRegistry();
    expect(await loadPlugins(registry, [{ origin: 'template', spec: './plugins/self.mjs', baseDir: join(packageDir, 'examples') }])).toEqual([]);
    expect(registry.has('acme.ticket.self')).toBe(true);
  });

  it('loadPluginActions loads a plugin the way idflow does, for the plugin’s own tests', async () => {
    const project = writeFiles(tempDir(), { 'plugins/touch.mjs': plugin, 'plugins/broken.mjs': 'export const x = 1;\n' });
    installIdflow(project, packageDir);
    const [action] = await entry.loadPluginActions(new URL(`file://${join(project, 'plugins/touch.mjs')}`));
    expect(action?.id).toBe('acme.ticket.touch');
    await expect(entry.loadPluginActions('plugins/broken.mjs', project)).rejects.toThrow(`${join(project, 'plugins/broken.mjs')} has no default export (it exports only "x")`);
  });

  it('keeps the entry light: importing idflow loads neither ajv nor jiti', () => {
    const project = writeFiles(tempDir(), { 'package.json': { type: 'module' } });
    installIdflow(project, packageDir);
    const script = `
      import { createRequire } from 'node:module';
      const idflow = await import('idflow');
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ exports: Object.keys(idflow).sort(), heavy: loaded.filter((file) => /node_modules\\/(ajv|jiti|winston)\\//.test(file)) }));
    `;
    const output = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' })) as { exports: string[]; heavy: string[] };
    expect(output.heavy).toEqual([]);
    expect(output.exports).toEqual(expect.arrayContaining(['defineAction', 'createMockActionContext', 'TransientError', 'loadPluginActions']));
  });
});
