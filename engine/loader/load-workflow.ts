import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { sortProblems, type Problem } from '../diagnostics/problem.js';
import type { Workflow } from '../language/types.js';
import type { ActionRegistry } from '../registry/action-registry.js';
import { checkActions } from './check-actions.js';
import { checkDeclarations } from './check-declarations.js';
import { checkReferences } from './check-references.js';
import { checkStepIds } from './check-step-ids.js';
import { checkSchedules } from './check-schedules.js';
import { checkStepOptions } from './check-step-options.js';
import type { Issue } from './issue.js';
import { normaliseWorkflow, resolvePluginPath } from './normalise.js';
import { parseYaml } from './parse-yaml.js';
import { readSourceFile } from './read-source.js';
import { checkAgainstPackageSchema, type SchemaCheck } from './schema-validator.js';
import { createTemplatePluginLoader, type TemplatePluginLoader } from './template-plugins.js';
import { isRecord } from './workflow-data.js';

/** The schema of the workflow language, in `schemas/`. */
export const WORKFLOW_SCHEMA = 'workflow.schema.json';

/** A template file loaded and checked: the workflow, or every problem found. */
export interface LoadResult {
  /** The file as given. */
  file: string;
  /** The text that was checked (empty when the file could not be read). */
  source: string;
  /** False when the file could not be read at all (missing, a folder, too large): `source` is then empty. */
  read: boolean;
  /** sha256 of `source`, hex: pins the exact template a run used. */
  hash: string;
  /** The typed, normalised workflow; only when there is no error among `problems`. */
  workflow?: Workflow;
  /** Every problem (errors and warnings), sorted by position. */
  problems: Problem[];
  /** The template's `plugins:`, resolved against the template's folder. */
  pluginSpecs: string[];
}

/** What loading needs. */
export interface LoadOptions {
  /** The actions steps may use; the template's own plugins are loaded into it. */
  registry: ActionRegistry;
  /**
   * Loads the template's `plugins:` (before its actions are checked) and says which
   * registered actions the template may not use (another template's plugins). Give one loader
   * to every template loaded into the same registry. Default: a new
   * {@link createTemplatePluginLoader} on `registry`.
   */
  loadTemplatePlugins?: TemplatePluginLoader;
}

/**
 * Reads and checks a template file. Never throws for anything wrong with the file: a missing,
 * unreadable or oversized file is a problem like any other (codes `file-not-found`,
 * `file-unreadable`, `file-too-large`; see {@link readSourceFile}).
 */
export async function loadWorkflowFile(file: string, options: LoadOptions): Promise<LoadResult> {
  const read = await readSourceFile(file, 'template', { code: 'file-not-found', message: 'no such file' });
  if (!read.ok) return { file, source: '', read: false, hash: sha256(''), pluginSpecs: [], problems: [{ file, path: '', severity: 'error', ...read.problem }] };
  return loadWorkflowSource(read.source, file, options);
}

/**
 * Checks template text (named `file` in problems; its folder is where relative `plugins:` are
 * found). Problems come from, in order: YAML parsing (when the YAML is broken nothing else is
 * checked, since the data would be partial), the language schema, the template's plugins,
 * actions and their parameters, step ids, declarations, schedules, conditions and templates. The checks
 * after the schema read a misspelt key as the key it most likely means (see
 * `misspelt-keys.ts`), so that one typo does not hide the problems below it.
 */
export async function loadWorkflowSource(source: string, file: string, options: LoadOptions): Promise<LoadResult> {
  const hash = sha256(source);
  const parsed = parseYaml(source, file, { what: 'template' });
  if (parsed.data === undefined) return { file, source, read: true, hash, problems: sortProblems(parsed.problems), pluginSpecs: [] };
  const data = parsed.data;
  const baseDir = dirname(resolve(file));
  const issues: Issue[] = [];
  const guard = async (check: () => Issue[] | Promise<Issue[]>): Promise<Issue[]> => {
    try {
      return await check();
    } catch (error) {
      // A checker bug must not hide the other problems (or crash validate); show it instead.
      return [{ pointer: '', code: 'internal-error', message: `idflow failed while checking this template: ${(error as Error).stack ?? String(error)}` }];
    }
  };

  // The checks after the schema read its corrected data (a misspelt `stpes:` still has its
  // steps checked); their issues are placed back at the keys as written.
  let checked: Pick<SchemaCheck, 'data' | 'toOriginal'> = { data, toOriginal: (pointer) => pointer };
  issues.push(...(await guard(() => {
    const schema = checkAgainstPackageSchema(WORKFLOW_SCHEMA, data, { rootName: 'the template' });
    checked = schema;
    return schema.issues;
  })));
  const run = async (check: (data: unknown) => Issue[] | Promise<Issue[]>): Promise<void> => {
    issues.push(...(await guard(() => check(checked.data))).map((issue) => ({ ...issue, pointer: checked.toOriginal(issue.pointer) })));
  };

  const plugins = isRecord(checked.data) && Array.isArray(checked.data['plugins']) ? checked.data['plugins'] : [];
  const pluginEntries = plugins.flatMap((spec: unknown, index) => (typeof spec === 'string' && spec !== '' ? [{ index, spec }] : []));
  const failedPlugins: string[] = [];
  // Called without entries too: it also says which actions other templates' plugins brought.
  const load = options.loadTemplatePlugins ?? createTemplatePluginLoader(options.registry);
  const templatePlugins = await load(pluginEntries.map(({ spec }) => ({ spec, baseDir })));
  for (const failure of templatePlugins.failures) {
    const entry = pluginEntries[failure.index];
    if (!entry) continue;
    failedPlugins.push(entry.spec);
    issues.push({ pointer: checked.toOriginal(`/plugins/${entry.index}`), code: 'plugin-load', message: `the plugin "${entry.spec}" could not be loaded: ${failure.message}` });
  }

  await run((corrected) => checkActions(corrected, { registry: options.registry, failedPlugins, unavailable: templatePlugins.unavailable }));
  await run(checkStepIds);
  await run(checkDeclarations);
  await run(checkStepOptions);
  await run(checkSchedules);
  await run(checkReferences);

  const problems = sortProblems([...parsed.problems, ...issues.map((issue) => parsed.map.toProblem(issue, file))]);
  const result: LoadResult = { file, source, read: true, hash, problems, pluginSpecs: pluginEntries.map(({ spec }) => resolvePluginPath(spec, baseDir)) };
  if (!problems.some((problem) => problem.severity === 'error') && isRecord(data)) result.workflow = normaliseWorkflow(data, baseDir);
  return result;
}

/** sha256 hex of a text. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
