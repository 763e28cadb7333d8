import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { idflow, repoRoot, type CliResult } from '../support/cli.js';

/**
 * What a cold `idflow validate` (and `--help`, `actions`, `schema`) loads, through the built CLI
 * with plain node: the guard of issue 14's start-up gain, without timing anything (speed is
 * measured by `npm run bench -- --only startup`). Each command runs with a preloaded module
 * (`--import`, through NODE_OPTIONS) that lists every module the process loads: the ES modules
 * through a loader hook, the CommonJS ones from `require.cache` at exit.
 *
 * These commands only describe and check actions: they must not load the code that runs them
 * (the built-in packs' action modules, the JumpCloud client and emulator, nodemailer, p-retry),
 * nor what only runs, serves or logs a run (the runner, the store, winston, Fastify, croner,
 * csv-parse, jiti), nor ajv's compiler (the shipped schemas' validators are precompiled).
 */

let preload: string;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-startup-modules-'));
  writeFileSync(join(dir, 'hooks.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export async function load(url, context, next) {',
    "  if (url.startsWith('file:')) appendFileSync(process.env.IDFLOW_TEST_MODULE_LIST, `${url}\\n`);",
    '  return next(url, context);',
    '}',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'preload.mjs'), [
    "import { appendFileSync, writeFileSync } from 'node:fs';",
    "import { createRequire, register } from 'node:module';",
    "import { pathToFileURL } from 'node:url';",
    'const list = process.env.IDFLOW_TEST_MODULE_LIST;',
    "writeFileSync(list, '');",
    "register('./hooks.mjs', import.meta.url);",
    'const require = createRequire(import.meta.url);',
    "process.on('exit', () => appendFileSync(list, Object.keys(require.cache).map((file) => `${pathToFileURL(file).href}\\n`).join('')));",
    '',
  ].join('\n'));
  preload = pathToFileURL(join(dir, 'preload.mjs')).href;
});

/** Runs the built CLI and returns what it printed and the modules it loaded, relative to the repository (`dist/…`, `node_modules/…`). */
async function modulesLoadedBy(args: readonly string[]): Promise<CliResult & { modules: string[] }> {
  const list = join(mkdtempSync(join(tmpdir(), 'idflow-module-list-')), 'modules.txt');
  const result = await idflow(args, { cwd: repoRoot, env: { NODE_OPTIONS: `--import ${preload}`, IDFLOW_TEST_MODULE_LIST: list } });
  const modules = [...new Set(readFileSync(list, 'utf8').split('\n').filter((line) => line !== '').map((url) => relative(repoRoot, new URL(url).pathname)))];
  return { ...result, modules };
}

/** Modules, by path prefix, that only running or serving a workflow needs. */
const RUN_ONLY = ['dist/engine/runner/', 'dist/engine/runtime/', 'dist/engine/store/', 'dist/engine/serve/', 'dist/engine/bulk/', 'dist/engine/timers/'];

/** Modules, by path prefix, that none of these commands needs: the actions' code and heavy libraries. */
const NEVER_LOADED = [
  'dist/actions/core/',
  'dist/actions/jumpcloud/',
  'node_modules/nodemailer/',
  'node_modules/p-retry/',
  'node_modules/winston/',
  'node_modules/fastify/',
  'node_modules/@fastify/',
  'node_modules/croner/',
  'node_modules/csv-parse/',
  'node_modules/jiti/',
  'node_modules/json-logic-js/',
  'node_modules/ajv/dist/ajv.js',
  'node_modules/ajv/dist/compile/',
  'node_modules/handlebars/dist/cjs/handlebars.js',
  'node_modules/handlebars/lib/',
];

/** The modules of `modules` that start with one of `prefixes` (default: {@link NEVER_LOADED} and {@link RUN_ONLY}). */
function heavyModules(modules: readonly string[], prefixes: readonly string[] = [...NEVER_LOADED, ...RUN_ONLY]): string[] {
  return modules.filter((module) => prefixes.some((prefix) => module.startsWith(prefix)));
}

describe('what a cold start loads (built CLI)', () => {
  it('validate checks the offboarding template without loading any action module, the runner, the store or a heavy library', async () => {
    const result = await modulesLoadedBy(['validate', 'templates/jumpcloud-offboarding.yaml']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('templates/jumpcloud-offboarding.yaml is valid\n');
    expect(result.code).toBe(0);
    // The list is complete: the modules validate does need are in it.
    expect(result.modules).toEqual(expect.arrayContaining(['dist/engine/cli/main.js', 'dist/engine/loader/load-workflow.js', 'dist/actions/index.js', 'node_modules/yaml/dist/index.js', 'node_modules/handlebars/dist/cjs/handlebars/compiler/base.js']));
    expect(heavyModules(result.modules)).toEqual([]);
  });

  it('validate still reports a JumpCloud action\'s parameter problem from its schema, without loading the action', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-startup-template-'));
    const template = join(dir, 'leaver.yaml');
    writeFileSync(template, 'id: leaver\nsteps:\n  - id: lookup\n    uses: jumpcloud.user.lookup\n    with:\n      user: 42\n');
    const result = await modulesLoadedBy(['validate', template]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('jumpcloud.user.lookup');
    expect(heavyModules(result.modules)).toEqual([]);
  });

  it('--help loads neither yaml, nor ajv, nor handlebars, nor the actions', async () => {
    const result = await modulesLoadedBy(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('validate');
    expect(result.modules.filter((module) => /^node_modules\/(yaml|ajv|handlebars)\//.test(module) || module.startsWith('dist/actions/'))).toEqual([]);
    expect(heavyModules(result.modules)).toEqual([]);
  });

  it('actions and schema describe every built-in action without loading one', async () => {
    const actions = await modulesLoadedBy(['actions', 'jumpcloud.user.lookup']);
    expect(actions.code).toBe(0);
    expect(actions.stdout).toContain('jumpcloud.user.lookup');
    expect(heavyModules(actions.modules)).toEqual([]);
    const schema = await modulesLoadedBy(['schema']);
    expect(schema.code).toBe(0);
    expect(schema.stdout).toBe(readFileSync(join(repoRoot, 'schemas', 'workflow.schema.json'), 'utf8'));
    // schema loads the store's atomic write, for --out.
    expect(heavyModules(schema.modules, NEVER_LOADED)).toEqual([]);
  });
});
