import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import type { ActionRegistry } from '../registry/action-registry.js';
import { PluginError } from '../errors/usage-errors.js';

/** Where a plugin was named. */
export type PluginOrigin = 'builtin' | 'cli' | 'config' | 'template';

/** A plugin to load: a path or package name resolved from `baseDir`, or a built-in module. */
export type PluginSpec =
  | { origin: 'cli' | 'config' | 'template'; spec: string; baseDir: string }
  | { origin: 'builtin'; source: string; load: () => Promise<{ default: unknown }> };

/** A plugin that could not be loaded or registered. Loading goes on with the others. */
export interface PluginLoadProblem {
  origin: PluginOrigin;
  /** As the user wrote it (or `builtin:<pack>`). */
  spec: string;
  /** The resolved file, folder or package. */
  source: string;
  code: string;
  message: string;
}

/**
 * Loads plugins into the registry. Every plugin, built-in or not, is registered through
 * `registry.registerModule`. A broken plugin does not stop the others from loading: its
 * problem is returned, naming the file, so that `validate` can go on and report the templates
 * that use its actions.
 */
export async function loadPlugins(registry: ActionRegistry, specs: readonly PluginSpec[]): Promise<PluginLoadProblem[]> {
  const problems: PluginLoadProblem[] = [];
  for (const spec of specs) {
    const source = spec.origin === 'builtin' ? spec.source : resolveSpec(spec.spec, spec.baseDir);
    const shown = spec.origin === 'builtin' ? spec.source : spec.spec;
    try {
      const loaded = spec.origin === 'builtin' ? await spec.load() : ((await import(pathToFileURL(source).href)) as { default?: unknown });
      if (loaded.default === undefined) throw new PluginError(`${source} has no default export; export an action, an array of actions or a pack`, source);
      registry.registerModule(loaded.default, source);
    } catch (error) {
      const pluginError = error instanceof PluginError ? error : new PluginError(`Cannot load plugin ${source}: ${(error as Error).message}`, source, { cause: error, code: 'PLUGIN_LOAD' });
      problems.push({ origin: spec.origin, spec: shown, source, code: pluginError.code, message: pluginError.message });
    }
  }
  return problems;
}

function resolveSpec(spec: string, baseDir: string): string {
  return isAbsolute(spec) ? spec : resolve(baseDir, spec);
}
