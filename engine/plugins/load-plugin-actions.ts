import { fileURLToPath } from 'node:url';
import type { ActionDefinition } from '../plugin-api/action.js';
import { PluginError } from '../errors/usage-errors.js';

/**
 * Loads a plugin exactly as idflow does (same resolution, TypeScript without a build, same
 * checks: shape, namespaced ids, schemas compiled) and returns its action definitions, so a
 * plugin's own test can check that idflow accepts it and then call `run` on what idflow would
 * call.
 *
 * @example
 * ```js
 * const [action] = await loadPluginActions(new URL('./ticket-note.ts', import.meta.url));
 * const result = await action.run(createMockActionContext(), { ticket: 42 });
 * ```
 *
 * @param spec - a file or folder path, a `file:` URL (e.g. `new URL('./x.mjs', import.meta.url)`)
 *   or an installed package name.
 * @param baseDir - what relative paths and package names are resolved from; the working
 *   directory by default.
 * @returns the definitions, in the order the module exports them.
 * @throws PluginError with every problem (naming the file) when idflow would not load it.
 */
export async function loadPluginActions(spec: string | URL, baseDir: string = process.cwd()): Promise<ActionDefinition[]> {
  // Loaded on demand: the package entry stays light for plugins that only need `defineAction`.
  const [{ ActionRegistry }, { loadPlugins, loadedPluginSources }] = await Promise.all([import('../registry/action-registry.js'), import('./load-plugins.js')]);
  const path = spec instanceof URL ? fileURLToPath(spec) : spec;
  const registry = new ActionRegistry();
  const problems = await loadPlugins(registry, [{ origin: 'cli', spec: path, baseDir }]);
  const first = problems[0];
  if (first !== undefined) {
    throw new PluginError(problems.map((problem) => problem.message).join('\n'), first.source, { code: first.code });
  }
  // In the order the module exports them, so `const [action] = …` is the first one written.
  const ids = loadedPluginSources(registry).flatMap((loaded) => loaded.ids);
  return ids.map((id) => (registry.get(id) as NonNullable<ReturnType<typeof registry.get>>).definition);
}
