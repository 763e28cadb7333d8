import { loadPlugins } from '../plugins/load-plugins.js';
import type { ActionRegistry } from '../registry/action-registry.js';
import { resolvePluginPath } from './normalise.js';

/** Loads a template's `plugins:`; returns a problem per entry that failed, by its index. */
export type TemplatePluginLoader = (specs: Array<{ spec: string; baseDir: string }>) => Promise<Array<{ index: number; message: string; code: string }>>;

/**
 * The default way to load a template's `plugins:` into a registry, through the same plugin
 * loader as every other plugin (which loads each module once per registry).
 *
 * The plugin loader reports a module that failed once; this loader remembers the failure so
 * that every template naming a broken plugin gets the problem at its own `plugins:` entry.
 */
export function createTemplatePluginLoader(registry: ActionRegistry): TemplatePluginLoader {
  const failures = new Map<string, { message: string; code: string }>();
  return async (specs) => {
    const problems: Array<{ index: number; message: string; code: string }> = [];
    for (const [index, { spec, baseDir }] of specs.entries()) {
      const key = resolvePluginPath(spec, baseDir);
      const [problem] = await loadPlugins(registry, [{ origin: 'template', spec, baseDir }]);
      if (problem) failures.set(key, { message: problem.message, code: problem.code });
      const failure = problem ?? failures.get(key);
      if (failure) problems.push({ index, message: failure.message, code: failure.code });
    }
    return problems;
  };
}
