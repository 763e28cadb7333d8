import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { UsageError } from '../errors/usage-errors.js';
import { packageRoot } from '../loader/package-files.js';
import { writeNewFiles } from './write-new-files.js';

/** A template name: what `id:` allows (lower-case words joined by "-"). */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** What `idflow new template` is asked for. */
export interface ScaffoldTemplateOptions {
  /** The new template's name: its file name and `id:`. */
  name: string;
  /** The folder to write into, created if missing (relative to `cwd`). */
  dir: string;
  /** A shipped template's name (`jumpcloud-offboarding`) or a template file to copy. */
  from?: string;
  cwd: string;
}

/** What was written. */
export interface ScaffoldTemplateResult {
  template: string;
  test: string;
  /** The template copied, when `from` was given. */
  from?: string;
}

/**
 * Writes `NAME.yaml` and `NAME.test.yaml` into a folder, never overwriting a file: a small
 * working template with its test, or a copy of a template (a shipped one by name, or a file)
 * and its test file, renamed (`id:`), with the editor schema lines and relative paths (test
 * organisation and payload files, template plugins) pointing where they did from the new folder.
 * Either way the pair passes `idflow test` as written.
 *
 * @throws UsageError for an unusable name, a template to copy that does not exist or has no
 *   test file, or a file that already exists (nothing is written then).
 */
export async function scaffoldTemplate(options: ScaffoldTemplateOptions): Promise<ScaffoldTemplateResult> {
  if (!NAME.test(options.name)) {
    throw new UsageError(`Template name "${options.name}" is not usable: write lower-case letters and digits in words joined by "-", starting with a letter (like contractor-offboarding)`);
  }
  const dir = resolve(options.cwd, options.dir);
  const template = join(dir, `${options.name}.yaml`);
  const test = join(dir, `${options.name}.test.yaml`);
  const schemaLine = (schema: string): string => `# yaml-language-server: $schema=${toPosix(relative(dir, join(packageRoot(), 'schemas', schema)))}`;
  let files: Array<[string, string]>;
  let from: string | undefined;
  if (options.from === undefined) {
    files = [
      [template, blankTemplate(options.name, schemaLine('workflow.schema.json'))],
      [test, blankTest(options.name, schemaLine('template-test.schema.json'))],
    ];
  } else {
    from = sourceTemplate(options.from, options.cwd);
    const sourceTest = from.replace(/\.ya?ml$/, '.test.yaml');
    if (!existsSync(sourceTest)) throw new UsageError(`${from} has no test file (${basename(sourceTest)}) to copy; write one, or start from a new template without --from`);
    const [templateText, testText] = await Promise.all([readFile(from, 'utf8'), readFile(sourceTest, 'utf8')]);
    files = [
      [template, copiedTemplate(templateText, options.name, dirname(from), dir, schemaLine('workflow.schema.json'))],
      [test, copiedTest(testText, options.name, dirname(from), dir, schemaLine('template-test.schema.json'))],
    ];
  }
  await mkdir(dir, { recursive: true });
  await writeNewFiles(files);
  return { template, test, ...(from === undefined ? {} : { from }) };
}

/** The template to copy: a path to a file, else a shipped template by name. */
function sourceTemplate(from: string, cwd: string): string {
  const asFile = resolve(cwd, from);
  if (/\.ya?ml$/.test(from) && existsSync(asFile)) return asFile;
  const shipped = join(packageRoot(), 'templates', `${from.replace(/\.ya?ml$/, '')}.yaml`);
  if (existsSync(shipped)) return shipped;
  throw new UsageError(`--from ${from}: no such template file, nor a shipped template of that name (idflow ships ${shippedNames().join(', ')})`);
}

/** The shipped templates' names, for messages. */
function shippedNames(): string[] {
  const folder = join(packageRoot(), 'templates');
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((name) => name.endsWith('.yaml') && !name.endsWith('.test.yaml')).map((name) => name.replace(/\.yaml$/, ''));
}

/** A copied template: its `id:` is the new name, its schema line and relative `plugins:` point from the new folder. */
function copiedTemplate(text: string, name: string, fromDir: string, toDir: string, schemaLine: string): string {
  const doc = parseDocument(text);
  doc.set('id', name);
  rebase(doc, ['plugins'], fromDir, toDir, true);
  return withSchemaLine(doc.toString({ lineWidth: 0 }), schemaLine);
}

/** A copied test file: it tests the new template; its organisation and payload files point from the new folder. */
function copiedTest(text: string, name: string, fromDir: string, toDir: string, schemaLine: string): string {
  const doc = parseDocument(text);
  if (doc.has('template')) doc.set('template', `${name}.yaml`);
  rebase(doc, ['sandbox', 'file'], fromDir, toDir);
  const cases = doc.get('cases');
  if (isSeq(cases)) {
    for (const item of cases.items) {
      if (!isMap(item)) continue;
      for (const path of [['sandbox', 'file'], ['event', 'payload_file']]) {
        const node = item.getIn(path, true);
        if (isScalar(node) && typeof node.value === 'string' && !isAbsolute(node.value)) node.value = moved(node.value, fromDir, toDir);
      }
    }
  }
  return withSchemaLine(doc.toString({ lineWidth: 0 }), schemaLine);
}

/** Rewrites a relative path (or, with `list`, each of a list of them) at `path` so that it points at the same file from `toDir`. */
function rebase(doc: Document, path: string[], fromDir: string, toDir: string, list = false): void {
  const node = doc.getIn(path, true);
  const scalars = list ? (isSeq(node) ? node.items : []) : [node];
  for (const scalar of scalars) {
    // Only paths: a plugin given as a package name (no ./ or ../) is found the same from anywhere.
    if (isScalar(scalar) && typeof scalar.value === 'string' && !isAbsolute(scalar.value) && (!list || scalar.value.startsWith('.'))) scalar.value = moved(scalar.value, fromDir, toDir);
  }
}

function moved(path: string, fromDir: string, toDir: string): string {
  const target = toPosix(relative(toDir, resolve(fromDir, path)));
  return target.startsWith('.') ? target : `./${target}`;
}

/** The text with its first line the editor schema line (replacing one that was there). */
function withSchemaLine(text: string, schemaLine: string): string {
  const lines = text.split('\n');
  if (lines[0]?.startsWith('# yaml-language-server:')) lines[0] = schemaLine;
  else lines.unshift(schemaLine);
  return lines.join('\n');
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function blankTemplate(name: string, schemaLine: string): string {
  return `${schemaLine}
#
# ${name}: adds a JumpCloud user to user groups. A starting point: change the steps, then run
#   idflow test ${name}.test.yaml
# and try it against the built-in emulator with
#   idflow run ${name}.yaml --sandbox --input user_identifier=kevin.white --input groups=Engineering
id: ${name}
name: ${name}
version: "0.1.0"
description: Adds a JumpCloud user to the user groups given (a member already is left as is).
subject: "{{inputs.user_identifier}}"

inputs:
  user_identifier:
    type: string
    required: true
    description: JumpCloud user ID, username, or email
  groups:
    type: array
    items: { type: string }
    required: true
    description: The user groups, each by exact name or id

triggers:
  - type: manual

steps:
  # Stops the run when there is no such user, several, or a protected account.
  - id: lookup
    name: Find the user
    action: jumpcloud.user.lookup
    with:
      identifier: "{{inputs.user_identifier}}"
      refuse_protected: true

  - id: add_groups
    name: Add to the user groups
    action: jumpcloud.user.groups.add
    with:
      user_id: "{{steps.lookup.output.user.id}}"
      groups: "{{inputs.groups}}"

output:
  username: "{{steps.lookup.output.user.username}}"
  added: "{{steps.add_groups.output.added}}"
`;
}

function blankTest(name: string, schemaLine: string): string {
  return `${schemaLine}
#
# Tests of ${name}.yaml: run them with
#   idflow test ${name}.test.yaml
# Each case runs on a fresh copy of the built-in JumpCloud emulator's organisation (never a
# real one). Add a case for everything the template must keep doing as you change it.
template: ${name}.yaml

cases:
  - name: adds kevin.white to Engineering, once
    inputs:
      user_identifier: kevin.white
      groups: [Engineering]
    expect:
      status: succeeded
      output: { username: kevin.white, added: 1 }
      changes:
        jumpcloud.user.groups.add: [user group Engineering]
      state:
        user kevin.white: { state: ACTIVATED }
        user_group Engineering: { members: [alex.nguyen, chris.taylor, daniel.martinez, grace.lee, jane.doe, john.smith, kevin.white, olivia.brown, priya.patel, ryan.oconnor] }
      # A second run finds him a member already and changes nothing.
      idempotent: true

  - name: a user who does not exist stops the run at the lookup, before any change
    inputs:
      user_identifier: nobody.here@company.com
      groups: [Engineering]
    expect:
      status: failed
      failed_step: lookup
      changes:
        jumpcloud.user.groups.add: []

  - name: a protected account is refused
    inputs:
      user_identifier: admin@company.com
      groups: [Engineering]
    expect:
      status: failed
      failed_step: lookup
      error: protected
`;
}
