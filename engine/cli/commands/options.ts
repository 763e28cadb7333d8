/**
 * Options several commands share, so that they are spelt and explained the same everywhere.
 */

/** Commander collector for a repeatable option (`--plugin a --plugin b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Help text of `--plugin`. */
export const PLUGIN_OPTION_HELP = 'load a plugin (a .js/.mjs/.ts file, a folder or a package name, relative to the working directory); repeatable';

/** Help text of `--config`. */
export const CONFIG_OPTION_HELP = 'the config file (default: idflow.config.yaml in the working directory, when there is one)';
