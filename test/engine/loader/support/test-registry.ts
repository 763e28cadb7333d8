import { builtinPlugins } from '../../../../actions/index.js';
import type { PluginPack } from '../../../../engine/plugin-api/pack.js';
import { loadPlugins } from '../../../../engine/plugins/load-plugins.js';
import { ActionRegistry } from '../../../../engine/registry/action-registry.js';

/**
 * An action with the parameter shapes the loader's checks care about: a required string, an
 * integer with a minimum, an enum, a nested map with its own required key, a list of strings.
 */
export const testPack: PluginPack = {
  name: 'test',
  actions: [
    {
      id: 'test.user.update',
      description: 'Updates a user (test action)',
      params: {
        type: 'object',
        properties: {
          user: { type: 'string', minLength: 1 },
          count: { type: 'integer', minimum: 0 },
          mode: { type: 'string', enum: ['disable', 'delete'] },
          options: { type: 'object', properties: { notify: { type: 'boolean' } }, required: ['notify'], additionalProperties: false },
          tags: { type: 'array', items: { type: 'string' } },
          email: { type: 'string', format: 'email' },
        },
        required: ['user'],
        additionalProperties: false,
      },
      run: () => ({ changed: false }),
    },
  ],
};

/** A registry with only the built-in actions, loaded the way the CLI loads them. */
export async function createBuiltinRegistry(): Promise<ActionRegistry> {
  const registry = new ActionRegistry();
  const problems = await loadPlugins(registry, builtinPlugins.map((plugin) => ({ origin: 'builtin' as const, source: plugin.source, load: plugin.load })));
  if (problems.length > 0) throw new Error(`built-in plugins failed to load: ${problems.map((p) => p.message).join('; ')}`);
  return registry;
}

/** A registry with the built-in actions and {@link testPack}. */
export async function createTestRegistry(): Promise<ActionRegistry> {
  const registry = await createBuiltinRegistry();
  registry.registerModule(testPack, 'test:pack');
  return registry;
}

/** Strips the common indentation of a template literal (and its first empty line). */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((all, part, i) => all + part + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length));
  return lines.map((line) => line.slice(indent)).join('\n').replace(/[ \t]+$/, '');
}
