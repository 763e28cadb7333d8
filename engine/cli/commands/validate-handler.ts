import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Problem } from '../../diagnostics/problem.js';
import { loadWorkflowFile } from '../../loader/load-workflow.js';
import { coloursFor, ExitCode, type CommandIo } from '../command-runner.js';
import { createEnvironment } from '../environment.js';
import { problemToJson } from '../format/problem-json.js';
import { formatProblems, SourceLines } from '../format/problem-report.js';
import { formatSummary } from '../format/problem-text.js';
import type { ValidateOptions } from './validate.js';
import { loadTestFile, TEST_FILE_PATTERN } from '../../template-tests/test-file.js';

/**
 * `idflow validate`: checks every file (templates in order, so that a template's plugins are
 * loaded before the next is checked), then prints every problem at once. A template test
 * (`*.test.yaml`) is checked as one: against the test file schema, and that its template exists.
 *
 * @returns 0 when every template is valid, 1 when one has an error, 2 when a file does not
 *   exist or cannot be read, or the config file or a plugin is broken (everything found is
 *   still printed).
 */
export async function validateFiles(files: readonly string[], options: ValidateOptions, io: CommandIo): Promise<number> {
  const environment = await createEnvironment({ cwd: io.cwd, describeOnly: true, plugins: options.plugin, ...(options.config === undefined ? {} : { configFile: options.config }) });
  const sources = new SourceLines();
  if (environment.loadedConfig.file !== undefined && environment.loadedConfig.source !== undefined) sources.add(environment.loadedConfig.file, environment.loadedConfig.source);

  const problems: Problem[] = [...environment.problems];
  let usageError = environment.problems.some((problem) => problem.severity === 'error');
  let invalidTemplate = false;
  const valid: string[] = [];
  for (const file of files) {
    if (TEST_FILE_PATTERN.test(file)) {
      const loaded = await loadTestFile(file, io.cwd);
      sources.add(file, loaded.read ? loaded.source : undefined);
      problems.push(...loaded.problems);
      if (!loaded.read) usageError = true;
      else if (loaded.problems.some((problem) => problem.severity === 'error')) invalidTemplate = true;
      if (loaded.test !== undefined && !existsSync(loaded.test.template)) {
        const place = loaded.test.map.locate('/template');
        problems.push({ file, line: place.line, column: place.column, path: '/template', code: 'template-not-found', message: `the template under test, ${relative(io.cwd, loaded.test.template)}, does not exist`, suggestion: 'name it with template: (relative to the test file), or put the test beside its template as NAME.test.yaml', severity: 'error' });
        invalidTemplate = true;
      } else if (loaded.test !== undefined) valid.push(file);
      continue;
    }
    // Read relative to the command's working directory; show the file as it was given.
    const result = await loadWorkflowFile(resolve(io.cwd, file), { registry: environment.registry, loadTemplatePlugins: environment.loadTemplatePlugins });
    sources.add(file, result.read ? result.source : undefined);
    problems.push(...result.problems.map((problem) => ({ ...problem, file })));
    // A path that is not a readable file was never a template: the command was given the wrong thing.
    if (result.problems.some((problem) => problem.code === 'file-not-found' || problem.code === 'file-unreadable')) usageError = true;
    else if (result.problems.some((problem) => problem.severity === 'error')) invalidTemplate = true;
    if (result.workflow) valid.push(file);
  }

  if (options.json) {
    io.stdout.write(`${JSON.stringify(problems.map(problemToJson), null, 2)}\n`);
  } else {
    const colours = coloursFor(io);
    if (problems.length > 0) io.stdout.write(`${formatProblems(problems, sources, colours)}\n\n${formatSummary(problems)}\n`);
    else io.stdout.write(`${files.length === 1 ? `${files[0]} is valid` : `${files.length} templates are valid`}\n`);
  }
  return usageError ? ExitCode.invalid : invalidTemplate ? ExitCode.failure : ExitCode.ok;
}
