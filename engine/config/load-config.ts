import { dirname, join, resolve } from 'node:path';
import { sortProblems, type Problem } from '../diagnostics/problem.js';
import type { InputOrigin } from '../inputs/resolve-inputs.js';
import { parseYaml } from '../loader/parse-yaml.js';
import { readSourceFile } from '../loader/read-source.js';
import { checkAgainstPackageSchema } from '../loader/schema-validator.js';
import type { SourceLocation } from '../loader/source-map.js';
import { isRecord } from '../loader/workflow-data.js';
import { CONFIG_FILE_NAME, DEFAULT_STORE, type EventSourceConfig, type IdflowConfig, type SecretRef, type ServeConfig } from './config-types.js';
import { literalSecrets } from './literal-secrets.js';

/** The schema of the config file, in `schemas/`. */
export const CONFIG_SCHEMA = 'config.schema.json';

/** Where to look for the config. */
export interface LoadConfigOptions {
  /** The working directory: `idflow.config.yaml` is looked for here, and `file` is relative to it. */
  cwd: string;
  /** `--config FILE`: must exist. Without it, a missing `idflow.config.yaml` means defaults. */
  file?: string;
}

/** The loaded config, or the defaults and every problem found. */
export interface LoadedConfig {
  /** The config; the defaults when there is no file or it has errors. */
  config: IdflowConfig;
  /** The file read, as named (relative to `cwd` when found there); undefined when none was. */
  file?: string;
  /** Every problem, positioned in the file. */
  problems: Problem[];
  /** The file's text, for showing problems with their source line. */
  source?: string;
  /** Points `resolveVars` problems at the config's `vars:` entries. */
  varsOrigin: InputOrigin;
  /** Where a node of the file is, by JSON pointer (e.g. `/plugins/0`); undefined without a file. */
  locate?: (pointer: string, at?: 'value' | 'key' | 'map') => SourceLocation;
}

/** The configuration used when there is no config file. */
export function defaultConfig(baseDir: string): IdflowConfig {
  return { vars: {}, connections: {}, secrets: {}, plugins: [], baseDir, store: resolve(baseDir, DEFAULT_STORE), run: {} };
}

/**
 * Loads `--config FILE`, or `idflow.config.yaml` in the working directory when it exists,
 * checking it against `schemas/config.schema.json` with the same positioned problems as
 * templates, and refusing secrets written as plain text (see `literalSecrets`). Relative
 * `plugins:` and `store:` are resolved against the config file's folder. Never throws for
 * anything wrong with the file.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd);
  const shown = options.file ?? CONFIG_FILE_NAME;
  const path = resolve(cwd, shown);
  const read = await readSourceFile(path, 'config file', { code: 'config-not-found', message: `the config file ${path} does not exist` });
  if (!read.ok) {
    // Without --config, a config file is optional.
    if (read.problem.code === 'config-not-found' && options.file === undefined) return { config: defaultConfig(cwd), problems: [], varsOrigin: { file: join(cwd, CONFIG_FILE_NAME) } };
    const problem: Problem = { file: shown, path: '', severity: 'error', ...read.problem };
    return { config: defaultConfig(options.file === undefined ? cwd : dirname(path)), file: shown, problems: [problem], varsOrigin: { file: shown } };
  }
  return parseConfig(read.source, shown, dirname(path));
}

/**
 * Checks config text (named `file` in problems; relative paths resolve against `baseDir`).
 * An empty file is an empty config.
 */
export function parseConfig(source: string, file: string, baseDir: string): LoadedConfig {
  const parsed = parseYaml(source, file, { what: 'config file' });
  const locate = (pointer: string, at?: 'value' | 'key' | 'map'): SourceLocation => parsed.map.locate(pointer, at ?? 'value');
  const varsOrigin: InputOrigin = { file, locate: (pointer, at) => locate(`/vars${pointer}`, at) };
  if (parsed.data === undefined) return { config: defaultConfig(baseDir), file, problems: parsed.problems, source, varsOrigin, locate };
  const data = parsed.data === null ? {} : parsed.data;
  const schema = checkAgainstPackageSchema(CONFIG_SCHEMA, data, { rootName: 'the config file' });
  // Secrets are looked for under misspelt keys too (`conections:`), where the schema reads them.
  const secrets = literalSecrets(schema.data).map((issue) => ({ ...issue, pointer: schema.toOriginal(issue.pointer) }));
  const issues = [...schema.issues, ...secrets];
  const problems = sortProblems([...parsed.problems, ...issues.map((issue) => parsed.map.toProblem(issue, file))]);
  if (problems.some((problem) => problem.severity === 'error') || !isRecord(data)) return { config: defaultConfig(baseDir), file, problems, source, varsOrigin, locate };
  return { config: toConfig(data, baseDir), file, problems, source, varsOrigin, locate };
}

function toConfig(data: Record<string, unknown>, baseDir: string): IdflowConfig {
  const config = defaultConfig(baseDir);
  if (isRecord(data['vars'])) config.vars = data['vars'];
  if (isRecord(data['connections'])) config.connections = data['connections'] as Record<string, Record<string, unknown>>;
  if (isRecord(data['secrets'])) config.secrets = data['secrets'] as Record<string, SecretRef>;
  if (Array.isArray(data['plugins'])) config.plugins = data['plugins'] as string[];
  if (typeof data['store'] === 'string') config.store = resolve(baseDir, data['store']);
  if (isRecord(data['run'])) config.run = data['run'];
  if (isRecord(data['serve'])) config.serve = data['serve'] as ServeConfig;
  if (Array.isArray(data['event_sources'])) config.event_sources = data['event_sources'] as EventSourceConfig[];
  return config;
}
