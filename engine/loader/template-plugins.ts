import { loadPlugins } from '../plugins/load-plugins.js';
import { resolvePluginSpec } from '../plugins/resolve-plugin.js';
import type { ActionRegistry } from '../registry/action-registry.js';
import { resolvePluginPath } from './normalise.js';

/** What loading one template's `plugins:` gave. */
export interface TemplatePlugins {
  /** A problem per `plugins:` entry that failed, by the entry's index. */
  failures: Array<{ index: number; message: string; code: string }>;
  /**
   * Actions in the registry that this template may not use, each with the plugin that defines
   * it: registered by the `plugins:` of templates loaded earlier into the same registry, and
   * named neither by this template nor by the config, `--plugin` or idflow itself.
   */
  unavailable: ReadonlyMap<string, string>;
}

/** Loads a template's `plugins:` (an empty list is fine: the template then gets only what every template gets). */
export type TemplatePluginLoader = (specs: Array<{ spec: string; baseDir: string }>) => Promise<TemplatePlugins>;

/**
 * The default way to load templates' `plugins:` into a registry, through the same plugin
 * loader as every other plugin (which loads each module once per registry).
 *
 * Several templates share one registry (`idflow validate a.yaml b.yaml`, `idflow serve`, a
 * sub-workflow started by a run), but a template may only use the actions of the plugins it
 * names itself: a template that used another template's plugin without naming it would pass
 * here and fail when run alone. So this loader remembers which actions each template plugin
 * registered and reports, per template, the ones it may not use. It also remembers a module
 * that failed, so that every template naming a broken plugin gets the problem at its own entry.
 */
export function createTemplatePluginLoader(registry: ActionRegistry): TemplatePluginLoader {
  const failed = new Map<string, { message: string; code: string }>();
  /** Action id → the template plugin that registered it: its resolved entry, and how messages name it. */
  const definedBy = new Map<string, { key: string; source: string }>();
  return async (specs) => {
    const failures: TemplatePlugins['failures'] = [];
    const named = new Set<string>();
    for (const [index, { spec, baseDir }] of specs.entries()) {
      const { key, source } = identify(spec, baseDir);
      named.add(key);
      const before = new Set(registry.ids());
      const [problem] = await loadPlugins(registry, [{ origin: 'template', spec, baseDir }]);
      for (const id of registry.ids()) if (!before.has(id)) definedBy.set(id, { key, source });
      if (problem) failed.set(key, { message: problem.message, code: problem.code });
      const failure = problem ?? failed.get(key);
      if (failure) failures.push({ index, message: failure.message, code: failure.code });
    }
    const unavailable = new Map([...definedBy].filter(([, plugin]) => !named.has(plugin.key)).map(([id, plugin]) => [id, plugin.source]));
    return { failures, unavailable };
  };
}

/** The module a spec names, told apart the way the plugin loader does (`./x.mjs` and `x.mjs` are one), and its name for messages. */
function identify(spec: string, baseDir: string): { key: string; source: string } {
  try {
    const resolved = resolvePluginSpec(spec, baseDir);
    return { key: resolved.realEntry, source: resolved.source };
  } catch {
    const path = resolvePluginPath(spec, baseDir);
    return { key: path, source: path };
  }
}
