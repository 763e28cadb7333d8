import { resolve } from 'node:path';
import { builtinManifest, builtinPlugins } from '../../actions/index.js';
import { loadConfig, type IdflowConfig, type LoadedConfig } from '../config/index.js';
import type { Problem } from '../diagnostics/problem.js';
import { createTemplatePluginLoader, type TemplatePluginLoader } from '../loader/template-plugins.js';
import { describedPack, readBuiltinManifest } from '../plugins/builtin-manifest.js';
import { loadPlugins, type PluginLoadProblem, type PluginSpec } from '../plugins/load-plugins.js';
import { ActionRegistry } from '../registry/action-registry.js';

/** What a command needs to know about where it runs. */
export interface EnvironmentOptions {
  /** The working directory (where `idflow.config.yaml` is looked for; `--plugin` paths are relative to it). */
  cwd: string;
  /** `--config FILE`. */
  configFile?: string;
  /** `--plugin PATH`, repeatable, in order. */
  plugins?: readonly string[];
  /**
   * The command only describes and checks actions (`validate`, `actions`, `schema`): the
   * built-in packs are registered from the manifest the build wrote, without importing their
   * code, when there is one for this build (see plugins/builtin-manifest.ts). Their actions'
   * `run`, `plan` and `verify` import the pack when first called; the packs' sandboxes and
   * event sources are not registered. Plugins load as always.
   */
  describeOnly?: boolean;
}

/** The registry, the config, and every problem found setting them up. */
export interface CommandEnvironment {
  cwd: string;
  /** Built-in actions, then the config's `plugins:`, then `--plugin`s. */
  registry: ActionRegistry;
  /** The config (the defaults when there is none or it has errors). */
  config: IdflowConfig;
  /** The config as loaded: its file, text and problems. */
  loadedConfig: LoadedConfig;
  /**
   * Problems with the config file and with plugins (built-in, the config's, `--plugin`).
   * Config plugins are placed at their `plugins:` entry; the others have no position.
   * Commands treat errors here as invalid input (exit 2), after reporting everything else.
   */
  problems: Problem[];
  /** Loads a template's own `plugins:` into {@link CommandEnvironment.registry}. */
  loadTemplatePlugins: TemplatePluginLoader;
}

/**
 * Sets up what every command that reads templates needs: loads the config, then registers the
 * built-in actions, the config's `plugins:` (relative to the config file) and each `--plugin`
 * (relative to the working directory), all through the one plugin loader. A plugin that fails
 * does not stop the others: it becomes a problem, and templates using its actions are reported
 * as using unknown actions.
 */
export async function createEnvironment(options: EnvironmentOptions): Promise<CommandEnvironment> {
  const cwd = resolve(options.cwd);
  const loadedConfig = await loadConfig({ cwd, ...(options.configFile === undefined ? {} : { file: options.configFile }) });
  const { config } = loadedConfig;
  const registry = new ActionRegistry();
  const problems: Problem[] = [...loadedConfig.problems];

  const builtinProblems = await loadPlugins(registry, builtinSpecs(options.describeOnly === true));
  problems.push(...builtinProblems.map((problem) => unplaced(problem, problem.spec)));

  for (const [index, spec] of config.plugins.entries()) {
    const [problem] = await loadPlugins(registry, [{ origin: 'config', spec, baseDir: config.baseDir }]);
    if (!problem) continue;
    const file = loadedConfig.file ?? 'idflow.config.yaml';
    const place = loadedConfig.locate?.(`/plugins/${index}`);
    problems.push({ file, line: place?.line ?? 0, column: place?.column ?? 0, ...(place ? { length: place.length } : {}), path: `/plugins/${index}`, code: problem.code, message: `the plugin "${spec}" could not be loaded: ${problem.message}`, severity: 'error' });
  }

  for (const spec of options.plugins ?? []) {
    const [problem] = await loadPlugins(registry, [{ origin: 'cli', spec, baseDir: cwd }]);
    if (problem) problems.push(unplaced(problem, `--plugin ${spec}`));
  }

  return { cwd, registry, config, loadedConfig, problems, loadTemplatePlugins: createTemplatePluginLoader(registry) };
}

/** The built-in packs to load: their modules, or (`describeOnly`) their manifest entries where the build wrote them. */
function builtinSpecs(describeOnly: boolean): PluginSpec[] {
  const manifest = describeOnly ? readBuiltinManifest(builtinManifest) : undefined;
  return builtinPlugins.map(({ source, load }) => {
    const entry = manifest?.packs[source];
    return { origin: 'builtin', source, load: entry === undefined ? load : () => Promise.resolve({ default: describedPack(entry, source, load) }) };
  });
}

function unplaced(problem: PluginLoadProblem, file: string): Problem {
  return { file, line: 0, column: 0, path: '', code: problem.code, message: problem.message, severity: 'error' };
}
