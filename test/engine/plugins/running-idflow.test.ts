import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as idflow from '../../../engine/index.js';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { loadPlugins } from '../../../engine/plugins/load-plugins.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { REPO_ROOT } from './support/idflow-package.js';
import { tempDir, writeFiles } from './support/plugin-files.js';

/** A plugin that imports idflow: it throws idflow's TransientError for ticket 0 and returns idflow's version. */
function pluginImportingIdflow(id: string): string {
  return `import { defineAction, TransientError } from 'idflow';
import manifest from 'idflow/package.json' with { type: 'json' };
export default defineAction({
  id: '${id}',
  description: 'Touches a ticket',
  params: { type: 'object', properties: { ticket: { type: 'integer' } }, required: ['ticket'] },
  run(ctx, params) {
    if (params.ticket === 0) throw new TransientError('PSA busy');
    return { changed: false, output: { version: manifest.version, resolved: import.meta.resolve('idflow') } };
  },
});
`;
}

const repoVersion = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

async function load(dir: string, ...specs: string[]): Promise<ActionRegistry> {
  const registry = new ActionRegistry();
  const problems = await loadPlugins(registry, specs.map((spec) => ({ origin: 'cli' as const, spec, baseDir: dir })));
  expect(problems).toEqual([]);
  return registry;
}

async function thrownBy(registry: ActionRegistry, id: string): Promise<unknown> {
  return (async () => registry.get(id)?.definition.run(createMockActionContext(), { ticket: 0 }))().catch((error: unknown) => error);
}

describe("a plugin's import of idflow is the running idflow, wherever the plugin lies", () => {
  it('an .mjs plugin in a folder with no node_modules anywhere above it loads, and its errors are the engine’s own classes', async () => {
    // Under the system's temporary folder: nothing there or above it has idflow installed.
    const dir = writeFiles(tempDir(), { 'touch.mjs': pluginImportingIdflow('acme.ticket.touch') });
    const registry = await load(dir, 'touch.mjs');
    const thrown = await thrownBy(registry, 'acme.ticket.touch');
    expect(thrown).toBeInstanceOf(idflow.TransientError);
    expect(thrown).toBeInstanceOf(idflow.IdflowError);
    const result = await registry.get('acme.ticket.touch')?.definition.run(createMockActionContext(), { ticket: 1 });
    // idflow/package.json is the running package's own manifest.
    expect(result?.output).toMatchObject({ version: repoVersion });
  });

  it('a .ts plugin there loads too (through jiti), with the same classes', async () => {
    const dir = writeFiles(tempDir(), {
      'typed.ts': pluginImportingIdflow('acme.ticket.typed').replace("import.meta.resolve('idflow')", "'n/a'").replace('run(ctx, params)', 'run(_ctx, params): { changed: boolean; output: Record<string, unknown> }'),
    });
    const registry = await load(dir, 'typed.ts');
    const thrown = await thrownBy(registry, 'acme.ticket.typed');
    expect(thrown).toBeInstanceOf(idflow.TransientError);
    expect((await registry.get('acme.ticket.typed')?.definition.run(createMockActionContext(), { ticket: 1 }))?.output).toMatchObject({ version: repoVersion });
  });

  it('the running idflow wins over another copy installed next to the plugin', async () => {
    const dir = writeFiles(tempDir(), {
      'node_modules/idflow/package.json': { name: 'idflow', version: '0.0.0-other', type: 'module', exports: { '.': './index.js', './package.json': './package.json' } },
      'node_modules/idflow/index.js': "export class TransientError extends Error {}\nexport const defineAction = (definition) => ({ ...definition, id: 'other.copy.used' });\n",
      'touch.mjs': pluginImportingIdflow('acme.ticket.local'),
      'typed.ts': pluginImportingIdflow('acme.ticket.localts').replace("import.meta.resolve('idflow')", "'n/a'"),
    });
    const registry = await load(dir, 'touch.mjs', 'typed.ts');
    expect(registry.ids()).toEqual(['acme.ticket.local', 'acme.ticket.localts']);
    expect(await thrownBy(registry, 'acme.ticket.local')).toBeInstanceOf(idflow.TransientError);
    expect(await thrownBy(registry, 'acme.ticket.localts')).toBeInstanceOf(idflow.TransientError);
    expect((await registry.get('acme.ticket.local')?.definition.run(createMockActionContext(), { ticket: 1 }))?.output).toMatchObject({ version: repoVersion });
  });

  it('a plugin module imported by another (a helper file) gets it too', async () => {
    const dir = writeFiles(tempDir(), {
      'lib/errors.mjs': "import { PermanentError } from 'idflow';\nexport const refuse = (why) => { throw new PermanentError(why); };\n",
      'refuse.mjs': "import { refuse } from './lib/errors.mjs';\nexport default { id: 'acme.ticket.refuse', description: 'Refuses', params: { type: 'object' }, run() { refuse('no'); } };\n",
    });
    const registry = await load(dir, 'refuse.mjs');
    const thrown = await (async () => registry.get('acme.ticket.refuse')?.definition.run(createMockActionContext(), {}))().catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(idflow.PermanentError);
  });
});
