import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Problem } from '../diagnostics/problem.js';
import { createEnvironment } from '../cli/environment.js';
import { loadWorkflowFile } from '../loader/load-workflow.js';
import { runPool } from '../runner/concurrency-pool.js';
import { loadTestFile, TEST_FILE_PATTERN, type TemplateTestFile } from './test-file.js';
import { runCase, type CaseEnvironment, type CaseResult } from './run-case.js';

/** What `idflow test` found and did. */
export interface TestRunReport {
  /** Every case run, in file and case order. */
  results: CaseResult[];
  /**
   * Problems that kept files from running: a test file or its template that does not check,
   * a path with no test files. Their cases did not run.
   */
  problems: Problem[];
  /** The texts of the files with problems, by file as named, for showing source lines. */
  sources: Map<string, string>;
  /** The test files found. */
  files: string[];
}

/** How to run template tests. */
export interface RunTestsOptions extends CaseEnvironment {
  /** Files or folders (searched for `*.test.yaml`), relative to `cwd`. */
  paths: readonly string[];
  /** Cases run at once (each has its own sandbox and store). */
  concurrency: number;
  /** Only cases whose name contains this text. */
  filter?: string;
  /** Called as each case ends (for printing results as they come). */
  onResult?(result: CaseResult): void;
}

/**
 * Runs the template tests under `paths`: finds the test files, checks each with its template
 * (a file with problems is reported and its cases are not run), then runs every case, `concurrency`
 * at a time, each on its own sandbox and store.
 */
export async function runTemplateTests(options: RunTestsOptions): Promise<TestRunReport> {
  const problems: Problem[] = [];
  const sources = new Map<string, string>();
  const files = await findTestFiles(options.paths, options.cwd, problems);
  const environment = await createEnvironment({ cwd: options.cwd, plugins: options.plugins, ...(options.configFile === undefined ? {} : { configFile: options.configFile }) });
  const setupErrors = environment.problems.filter((problem) => problem.severity === 'error');
  if (setupErrors.length > 0) return { results: [], problems: [...problems, ...environment.problems], sources, files };

  const tests: TemplateTestFile[] = [];
  for (const file of files) {
    const loaded = await loadTestFile(file, options.cwd);
    if (loaded.test === undefined) {
      problems.push(...loaded.problems);
      sources.set(file, loaded.source);
      continue;
    }
    const template = await loadWorkflowFile(loaded.test.template, { registry: environment.registry, loadTemplatePlugins: environment.loadTemplatePlugins });
    const shown = relative(options.cwd, loaded.test.template) || loaded.test.template;
    if (template.problems.some((problem) => problem.severity === 'error')) {
      const missing = template.problems.some((problem) => problem.code === 'file-not-found');
      if (missing) {
        const place = loaded.test.map.locate('/template');
        problems.push({ file, line: place.line, column: place.column, path: '/template', code: 'template-not-found', message: `the template under test, ${shown}, does not exist`, suggestion: 'name it with template: (relative to the test file), or put the test beside its template as NAME.test.yaml', severity: 'error' });
        sources.set(file, loaded.source);
      } else {
        problems.push(...template.problems.map((problem) => ({ ...problem, file: shown })));
        sources.set(shown, template.source);
      }
      continue;
    }
    tests.push(loaded.test);
  }

  const work = tests.flatMap((test) => test.cases.filter((c) => options.filter === undefined || c.name.includes(options.filter)).map((testCase) => ({ test, testCase })));
  if (options.filter !== undefined && work.length === 0 && tests.length > 0) {
    problems.push({ file: '--filter', line: 0, column: 0, path: '', code: 'no-matching-case', message: `no case name contains ${JSON.stringify(options.filter)}`, suggestion: 'the filter is matched against the cases\' names as written, case-sensitively', severity: 'error' });
  }
  const results: Array<CaseResult | undefined> = new Array(work.length);
  await runPool([...work.keys()], Math.max(1, options.concurrency), async (index) => {
    const { test, testCase } = work[index]!;
    let result: CaseResult;
    const started = performance.now();
    try {
      result = await runCase(test, testCase, options);
    } catch (error) {
      // A case that cannot run (a sandbox organisation that does not load, a plugin error) fails
      // with the reason; the other cases still run.
      const problemsOf = (error as { problems?: Problem[] }).problems ?? [];
      result = { file: test.file, name: testCase.name, index: testCase.index, passed: false, durationMs: performance.now() - started, status: 'refused', differences: [{ path: 'case', message: `the case could not run: ${(error as Error).message}` }], problems: [...problemsOf] };
    }
    results[index] = result;
    options.onResult?.(result);
  });
  return { results: results.filter((r): r is CaseResult => r !== undefined), problems, sources, files };
}

/**
 * The test files under `paths`: a file is taken as it is; a folder is searched (with its
 * subfolders, except `node_modules` and hidden ones) for `*.test.yaml` and `*.test.yml`.
 * A path that does not exist, or a folder without test files, is a problem.
 */
export async function findTestFiles(paths: readonly string[], cwd: string, problems: Problem[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      problems.push({ file: path, line: 0, column: 0, path: '', code: 'file-not-found', message: 'no such file or folder', severity: 'error' });
      continue;
    }
    if (!info.isDirectory()) {
      found.push(path);
      continue;
    }
    const inFolder = (await walk(absolute)).map((file) => relative(cwd, file) || file);
    if (inFolder.length === 0) problems.push({ file: path, line: 0, column: 0, path: '', code: 'no-tests', message: 'the folder holds no template tests (*.test.yaml)', suggestion: 'write one beside a template, or start from "idflow new template NAME"', severity: 'error' });
    found.push(...inFolder);
  }
  return [...new Set(found)];
}

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile() && TEST_FILE_PATTERN.test(entry.name)) files.push(path);
  }
  return files;
}
