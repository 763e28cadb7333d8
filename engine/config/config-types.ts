/**
 * The configuration idflow reads from `idflow.config.yaml` (or `--config FILE`), validated by
 * `schemas/config.schema.json`, with paths resolved and defaults filled.
 */

/** A secret written as a reference to an environment variable: `{ env: NAME }`. */
export interface SecretRef {
  env: string;
}

/** Defaults for `idflow run`. */
export interface RunDefaults {
  /** Who runs are recorded as started by when `--initiated-by` is not given. */
  initiated_by?: string;
  /** The most subjects a bulk run may start without `--yes` or an interactive confirmation (default 10). */
  blast_radius?: number;
}

/** The loaded configuration. */
export interface IdflowConfig {
  /** Organisation variable values by name (templates declare which they read). */
  vars: Record<string, unknown>;
  /** Named connections; values may be {@link SecretRef}s (see `resolveConnections`). */
  connections: Record<string, Record<string, unknown>>;
  /** Secrets by name, each a reference to an environment variable. */
  secrets: Record<string, SecretRef>;
  /** Plugins as written; relative paths are relative to {@link IdflowConfig.baseDir}. */
  plugins: string[];
  /** The folder of the config file (or the working directory when there is none). */
  baseDir: string;
  /** Where run records go: absolute (default `<baseDir>/.idflow`). */
  store: string;
  run: RunDefaults;
  /** Settings of `idflow serve`; the serve command defines and checks their shape. */
  serve?: Record<string, unknown>;
  /** Event sources of `idflow serve`; the serve command defines and checks their shape. */
  event_sources?: unknown;
}

/** The file name looked for in the working directory. */
export const CONFIG_FILE_NAME = 'idflow.config.yaml';

/** The store folder used when the config does not name one, relative to its base folder. */
export const DEFAULT_STORE = '.idflow';
