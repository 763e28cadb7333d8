import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Problem } from '../diagnostics/problem.js';
import { ValidationError } from '../errors/usage-errors.js';
import { parseYaml } from '../loader/parse-yaml.js';
import type { LoadedWorkflow } from '../runtime/runtime.js';
import { TEST_FILE_PATTERN } from '../template-tests/test-file.js';

/** File names that are config files, never templates. */
const CONFIG_NAMES = new Set(['idflow.config.yaml', 'idflow.config.yml']);

/** The templates of a folder, loaded and checked, or every problem they have. */
export interface WorkflowFolder {
  /** The folder (absolute). */
  dir: string;
  /** The templates that check, by file name order. */
  workflows: LoadedWorkflow[];
  /** Every problem of every template (errors and warnings), plus folder-level ones. */
  problems: Problem[];
}

/** Loads one template (the runtime's `loadWorkflow`). */
export interface TemplateLoader {
  loadWorkflow(file: string): Promise<LoadedWorkflow>;
}

/**
 * Loads every template (`*.yaml`, `*.yml`) directly in a folder, the way `idflow serve` and
 * `idflow workflows` see them: each is checked like `idflow validate` does (schedule triggers'
 * cron expressions and time zones included), and beyond that two templates may not share an id
 * (triggers, runs and the enabled state are all keyed by it). Problems are collected, never
 * thrown, so that a caller can list them all at once.
 *
 * A config file in the folder (`idflow.config.yaml`, or any file in `options.exclude`, such as
 * the `--config` file) is not a template and is left out, as are template tests
 * (`*.test.yaml`, which live beside their templates; see `idflow test`).
 *
 * @param dir - the folder, relative to `cwd` (default `templates`).
 * @param options.exclude - absolute paths of files to leave out.
 */
export async function loadWorkflowFolder(loader: TemplateLoader, dir: string, cwd: string, options: { exclude?: readonly string[] } = {}): Promise<WorkflowFolder> {
  const absolute = resolve(cwd, dir);
  const shown = relative(cwd, absolute) || '.';
  let names: string[];
  try {
    names = readdirSync(absolute, { withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.ya?ml$/i.test(entry.name) && !TEST_FILE_PATTERN.test(entry.name) && !CONFIG_NAMES.has(entry.name) && !(options.exclude ?? []).includes(join(absolute, entry.name)))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? `the workflows folder ${absolute} does not exist` : code === 'ENOTDIR' ? `${absolute} is a file, not a folder of templates` : `cannot read the workflows folder: ${(error as Error).message}`;
    return { dir: absolute, workflows: [], problems: [{ file: shown, line: 0, column: 0, path: '', code: code === 'ENOENT' ? 'folder-not-found' : 'folder-unreadable', message, severity: 'error' }] };
  }
  const workflows: LoadedWorkflow[] = [];
  const problems: Problem[] = [];
  const byId = new Map<string, LoadedWorkflow>();
  for (const name of names) {
    const file = join(absolute, name);
    let loaded: LoadedWorkflow;
    try {
      loaded = await loader.loadWorkflow(file);
    } catch (error) {
      if (error instanceof ValidationError) {
        problems.push(...error.problems);
        continue;
      }
      throw error;
    }
    const earlier = byId.get(loaded.workflow.id);
    if (earlier !== undefined) {
      problems.push(place(loaded, '/id', 'duplicate-workflow-id', `the workflow id "${loaded.workflow.id}" is already used by ${earlier.file}; every template in the folder needs its own id`));
      continue;
    }
    byId.set(loaded.workflow.id, loaded);
    workflows.push(loaded);
  }
  return { dir: absolute, workflows, problems };
}

/** A problem at `pointer` in a template that loaded (its text is parsed again only to place it). */
function place(loaded: LoadedWorkflow, pointer: string, code: string, message: string): Problem {
  const parsed = parseYaml(loaded.source, loaded.file, { what: 'template' });
  return parsed.map.toProblem({ pointer, code, message }, loaded.file);
}
