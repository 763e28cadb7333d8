import type { ActionRegistry } from '../registry/action-registry.js';
import { PluginError } from '../errors/usage-errors.js';
import type { ModuleNamespace } from './import-plugin-module.js';
import { resolvePluginSpec } from './resolve-plugin.js';

/** Where a plugin was named. */
export type PluginOrigin = 'builtin' | 'cli' | 'config' | 'template';

/**
 * A plugin to load: a path or package name resolved from `baseDir`, or a built-in module.
 *
 * `baseDir` is the folder the spec is relative to: the template's folder for a template's
 * `plugins:`, the config file's folder for the config's, the working directory for `--plugin`.
 */
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
  /**
   * Stable code: `PLUGIN_NOT_FOUND`, `PLUGIN_SYNTAX`, `PLUGIN_IMPORT`, `PLUGIN_NO_DEFAULT`,
   * `PLUGIN_INVALID` (not an action: no `run`, id not namespaced, …), `PLUGIN_SCHEMA` (a schema
   * does not compile), `PLUGIN_DUPLICATE` (an id clash, naming both sources) or `PLUGIN_LOAD`.
   */
  code: string;
  /** What is wrong, naming the file (and line:column for syntax errors). */
  message: string;
}

/** What became of one module in one registry. */
interface LoadOutcome {
  source: string;
  ids: string[];
}

/**
 * The modules each registry has seen, by real path (or `builtin:<pack>`): the same file named
 * by the config and by a template, or by two templates, is loaded once, not reported as a clash.
 */
const seenByRegistry = new WeakMap<ActionRegistry, Map<string, LoadOutcome>>();

/**
 * Loads plugins into the registry. Every plugin, built-in or not, is registered through
 * `registry.registerModule`, which checks each definition and compiles its schemas once.
 *
 * A spec may be a `.js`/`.mjs`/`.cjs` file, a `.ts`/`.mts`/`.cts` file (loaded without a build),
 * a folder with a package.json, or an installed package name (see {@link resolvePluginSpec}).
 * A broken plugin does not stop the others: its problem is returned, naming the file, so that
 * `validate` can go on and report the templates that use its actions as unknown. A module
 * already loaded into this registry (by any spec that resolves to the same file) is skipped,
 * and a module that failed is reported once.
 *
 * @returns the problems, in the order of `specs`; empty when everything loaded.
 */
export async function loadPlugins(registry: ActionRegistry, specs: readonly PluginSpec[]): Promise<PluginLoadProblem[]> {
  const seen = seenByRegistry.get(registry) ?? new Map<string, LoadOutcome>();
  seenByRegistry.set(registry, seen);
  const problems: PluginLoadProblem[] = [];
  for (const spec of specs) {
    const shown = spec.origin === 'builtin' ? spec.source : spec.spec;
    let source = spec.origin === 'builtin' ? spec.source : spec.spec;
    try {
      let key: string;
      let load: () => Promise<ModuleNamespace>;
      if (spec.origin === 'builtin') {
        key = spec.source;
        load = spec.load;
      } else {
        const resolved = resolvePluginSpec(spec.spec, spec.baseDir);
        source = resolved.source;
        key = resolved.realEntry;
        // Imported when a plugin is: the importer and the `import 'idflow'` hook it installs
        // are not needed when only the built-in packs load (every command's start-up).
        load = async () => (await import('./import-plugin-module.js')).importPluginModule(resolved.entry);
      }
      if (seen.has(key)) continue;
      const outcome: LoadOutcome = { source, ids: [] };
      seen.set(key, outcome);
      const namespace = await load();
      // The built-in packs' schemas are compiled when first used (see RegisterOptions.lazy).
      outcome.ids = registry.registerModule(defaultExport(namespace, source), source, { lazy: spec.origin === 'builtin' });
    } catch (error) {
      const pluginError = error instanceof PluginError
        ? error
        : new PluginError(`Cannot load plugin ${source}: ${(error as Error).message}`, source, { cause: error, code: 'PLUGIN_LOAD' });
      problems.push({ origin: spec.origin, spec: shown, source: pluginError.source, code: pluginError.code, message: pluginError.message });
    }
  }
  return problems;
}

/**
 * The ids each module loaded into this registry registered, by source, in load order (for
 * `idflow actions` and diagnostics).
 */
export function loadedPluginSources(registry: ActionRegistry): Array<{ source: string; ids: readonly string[] }> {
  return [...(seenByRegistry.get(registry)?.values() ?? [])].map(({ source, ids }) => ({ source, ids }));
}

/**
 * The module's default export; a CommonJS module compiled from TypeScript or Babel
 * (`exports.default = …` with `__esModule`) is unwrapped to what its author wrote.
 * @throws PluginError (`PLUGIN_NO_DEFAULT`) listing the named exports when there is none.
 */
function defaultExport(namespace: ModuleNamespace, source: string): unknown {
  let exported = namespace.default;
  if (typeof exported === 'object' && exported !== null && (exported as { __esModule?: unknown }).__esModule === true && 'default' in exported) {
    exported = (exported as { default: unknown }).default;
  }
  if (exported === undefined) {
    const named = Object.keys(namespace).filter((name) => name !== 'default' && name !== '__esModule');
    const found = named.length === 0 ? 'it exports nothing' : `it exports only ${named.map((name) => `"${name}"`).join(', ')}`;
    throw new PluginError(
      `${source} has no default export (${found}); write \`export default\` with an action, an array of actions or a pack { name, actions }`,
      source,
      { code: 'PLUGIN_NO_DEFAULT' },
    );
  }
  return exported;
}
