import { basename, dirname, join, resolve } from 'node:path';
import type { Problem } from '../diagnostics/problem.js';
import { sortProblems } from '../diagnostics/problem.js';
import type { Issue } from '../loader/issue.js';
import { parseYaml } from '../loader/parse-yaml.js';
import { readSourceFile } from '../loader/read-source.js';
import { checkAgainstPackageSchema } from '../loader/schema-validator.js';
import type { SourceMap } from '../loader/source-map.js';
import type { SandboxAmendment } from '../plugin-api/pack.js';

/** The schema of template test files, under `schemas/`. */
export const TEMPLATE_TEST_SCHEMA = 'template-test.schema.json';

/** How a template test file is named: `<template>.test.yaml` (or `.test.yml`) beside the template. */
export const TEST_FILE_PATTERN = /\.test\.ya?ml$/;

/** The sandbox organisation a test (or a case) starts from. */
export interface TestSandbox {
  /** An org file, resolved against the test file's folder. */
  file?: string;
  changes?: Record<string, unknown>;
  remove?: Record<string, string[]>;
}

/** An email a case expects in the outbox. */
export interface ExpectedEmail {
  to?: string[];
  cc?: string[];
  subject?: string;
  subject_contains?: string;
}

/** A webhook message a case expects in the outbox. */
export interface ExpectedWebhook {
  format?: string;
  connection?: string;
  body?: unknown;
}

/** A durable timer a case expects its run to have scheduled. */
export interface ExpectedTimer {
  action?: string;
  key?: string;
  /** The due time: exact, or its beginning (`2099-01-05` for any time that day, UTC). */
  due?: string;
  /** A subset of the timer's parameters. */
  params?: unknown;
  description_contains?: string;
}

/** What must hold after a case's run (only what is given is checked). */
export interface CaseExpectations {
  status?: 'succeeded' | 'failed' | 'skipped' | 'not_triggered' | 'refused';
  error?: string;
  failed_step?: string;
  output?: unknown;
  changes?: Record<string, string[]>;
  emails?: ExpectedEmail[];
  webhooks?: ExpectedWebhook[];
  timers?: ExpectedTimer[];
  state?: Record<string, unknown>;
  idempotent?: boolean;
}

/** One case of a test file. */
export interface TestCase {
  name: string;
  /** Its index in `cases:`, for messages and JSON pointers. */
  index: number;
  inputs?: Record<string, unknown>;
  event?: { name: string; payload?: Record<string, unknown>; payload_file?: string };
  vars?: Record<string, unknown>;
  sandbox?: TestSandbox;
  initiated_by?: string;
  expect: CaseExpectations;
}

/** A checked test file. */
export interface TemplateTestFile {
  /** The file as given (relative paths stay relative). */
  file: string;
  /** Its absolute path. */
  path: string;
  /** The template under test, absolute. */
  template: string;
  sandbox?: TestSandbox;
  vars?: Record<string, unknown>;
  cases: TestCase[];
  /** Places JSON pointers of the file (for problems found when a case runs). */
  map: SourceMap;
}

/** The outcome of {@link loadTestFile}. */
export interface LoadedTestFile {
  file: string;
  /** The text (empty when unreadable), for showing problems with their source line. */
  source: string;
  read: boolean;
  problems: Problem[];
  /** Present when the file has no errors. */
  test?: TemplateTestFile;
}

/**
 * Reads and checks a template test file: YAML, the test file schema (unknown or misspelt keys
 * with suggestions, every problem at its line and column), unique case names. The template it
 * names is not loaded here (see runTemplateTests); its path is only resolved.
 *
 * @param file - the file as the user named it.
 * @param cwd - what a relative `file` is relative to.
 */
export async function loadTestFile(file: string, cwd: string): Promise<LoadedTestFile> {
  const path = resolve(cwd, file);
  const read = await readSourceFile(path, 'test file', { code: 'file-not-found', message: 'no such file' });
  if (!read.ok) return { file, source: '', read: false, problems: [{ file, path: '', severity: 'error', ...read.problem }] };
  const parsed = parseYaml(read.source, file, { what: 'test file' });
  if (parsed.data === undefined) return { file, source: read.source, read: true, problems: sortProblems(parsed.problems) };
  const data = parsed.data;
  const schema = checkAgainstPackageSchema(TEMPLATE_TEST_SCHEMA, data, { rootName: 'the test file' });
  const issues: Issue[] = [...schema.issues];
  const cases = isRecord(data) && Array.isArray(data['cases']) ? data['cases'] : [];
  const seen = new Map<string, number>();
  for (const [index, entry] of cases.entries()) {
    if (!isRecord(entry) || typeof entry['name'] !== 'string') continue;
    const earlier = seen.get(entry['name']);
    if (earlier !== undefined) issues.push({ pointer: `/cases/${index}/name`, code: 'duplicate-case', message: `two cases are named "${entry['name']}" (the first is case ${earlier + 1}); each name must say what its case shows` });
    else seen.set(entry['name'], index);
  }
  const problems = sortProblems([...parsed.problems, ...issues.map((issue) => parsed.map.toProblem(issue, file))]);
  const result: LoadedTestFile = { file, source: read.source, read: true, problems };
  if (problems.some((problem) => problem.severity === 'error') || !isRecord(data)) return result;
  const folder = dirname(path);
  const templateName = typeof data['template'] === 'string' ? data['template'] : basename(path).replace(TEST_FILE_PATTERN, '.yaml');
  result.test = {
    file,
    path,
    template: resolve(folder, templateName),
    ...(isRecord(data['sandbox']) ? { sandbox: resolvedSandbox(data['sandbox'] as TestSandbox, folder) } : {}),
    ...(isRecord(data['vars']) ? { vars: data['vars'] } : {}),
    cases: cases.map((entry, index) => {
      const given = entry as Omit<TestCase, 'index'>;
      return {
        ...given,
        index,
        ...(given.sandbox === undefined ? {} : { sandbox: resolvedSandbox(given.sandbox, folder) }),
        ...(given.event?.payload_file === undefined ? {} : { event: { ...given.event, payload_file: join(folder, given.event.payload_file) } }),
      };
    }),
    map: parsed.map,
  };
  return result;
}

/** The amendment of a sandbox (its changes and removals), or undefined when it has none. */
export function amendmentOf(...sandboxes: Array<TestSandbox | undefined>): SandboxAmendment | undefined {
  const changes: Record<string, unknown> = {};
  const remove: Record<string, string[]> = {};
  for (const sandbox of sandboxes) {
    for (const [key, value] of Object.entries(sandbox?.changes ?? {})) {
      // A case's changes to a collection come after the file's; to an object, key by key.
      const earlier = changes[key];
      changes[key] = Array.isArray(earlier) && Array.isArray(value) ? [...earlier, ...value] : isRecord(earlier) && isRecord(value) ? { ...earlier, ...value } : value;
    }
    for (const [key, names] of Object.entries(sandbox?.remove ?? {})) remove[key] = [...(remove[key] ?? []), ...names];
  }
  const amendment: SandboxAmendment = {
    ...(Object.keys(changes).length > 0 ? { changes } : {}),
    ...(Object.keys(remove).length > 0 ? { remove } : {}),
  };
  return Object.keys(amendment).length > 0 ? amendment : undefined;
}

function resolvedSandbox(sandbox: TestSandbox, folder: string): TestSandbox {
  return sandbox.file === undefined ? sandbox : { ...sandbox, file: resolve(folder, sandbox.file) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
