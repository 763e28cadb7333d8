import { isAbsolute, resolve } from 'node:path';

/**
 * Where the store lives: `IDFLOW_HOME` if set, else the config's `store:`, else `.idflow/` in
 * the working directory. Relative paths are resolved against `cwd`; pass `configStore` already
 * resolved against the config file's folder if it should be relative to that.
 * (A `--store` flag, where a command has one, overrides all three before this is called.)
 */
export function resolveStoreRoot(options: { cwd: string; env: NodeJS.ProcessEnv; configStore?: string }): string {
  const fromEnv = options.env['IDFLOW_HOME'];
  const chosen = fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : options.configStore !== undefined && options.configStore.trim() !== '' ? options.configStore : '.idflow';
  return isAbsolute(chosen) ? chosen : resolve(options.cwd, chosen);
}
