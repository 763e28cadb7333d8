import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTarball, packTarball, run, type PackedTarball } from './support/installed-package.js';
import { quickStartArgs, returned, workspace, type Workspace } from './support/offboarding.js';

/**
 * idflow as a user gets it before it is published: `npm pack`, then `npm install` of the
 * tarball into an empty folder (docs/install.md). From that folder, with nothing of this
 * repository around: the README's quick start, and a plugin made by `idflow new plugin` used as
 * its printed next steps say. One pack and one install for the whole file (they are slow).
 */

let tarball: PackedTarball;
let project: string;
let installed: string;
let ws: Workspace;
/** Folders this file made, removed at the end: an install is tens of megabytes. */
const made: string[] = [];

/** A fresh temporary folder, removed after the file's tests. */
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** `npx …` in the project folder, with the workspace's store. */
function npx(args: readonly string[], cwd = project): ReturnType<typeof run> {
  return run('npx', args, { cwd, env: ws.env });
}

/** Each case starts several commands (npx, node, npm's own start-up): generous on a loaded machine. */
const CASE_TIMEOUT = 240_000;

beforeAll(async () => {
  tarball = await packTarball(scratchDir('idflow-tarball-'));
  project = scratchDir('idflow-install-');
  await installTarball(tarball.file, project);
  installed = join(project, 'node_modules', 'idflow');
  ws = workspace();
  made.push(ws.dir);
}, 600_000);

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('the npm pack tarball', () => {
  it('holds what an installed idflow runs with, and nothing of the tests or the sources', () => {
    for (const path of ['package.json', 'README.md', 'docs/install.md', 'dist/engine/cli/main.js', 'dist/engine/index.js', 'dist/engine/index.d.ts', 'templates/jumpcloud-offboarding.yaml', 'schemas/workflow.schema.json', 'schemas/config.schema.json', 'examples/sandbox/org.json', 'examples/plugins/psa-ticket-note.mjs']) {
      expect(tarball.files, path).toContain(path);
    }
    // The precompiled validators: an installed CLI does not compile the shipped schemas at start.
    expect(tarball.files.some((path) => /^dist\/engine\/schema\/compiled\/.+\.cjs$/.test(path))).toBe(true);
    // The built-in packs' manifest: an installed validate, actions or schema does not import the packs.
    expect(tarball.files).toContain('dist/actions/builtin-manifest.json');
    const unwanted = tarball.files.filter((path) =>
      /^(test|engine|actions|node_modules|\.idflow)\//.test(path) || /\.test\.(ts|mjs)$/.test(path) || /\.map$/.test(path) || /(^|\/)\.build-stamp$/.test(path) || /^tsconfig|^vitest/.test(path));
    expect(unwanted).toEqual([]);
  });

  it('installs into an empty folder without TypeScript or any development tool, with the idflow command', () => {
    expect(existsSync(join(project, 'node_modules', '.bin', 'idflow'))).toBe(true);
    for (const tool of ['typescript', 'vitest', 'fast-check', 'smtp-server']) expect(existsSync(join(project, 'node_modules', tool)), tool).toBe(false);
  });
});

describe('the installed package', () => {
  it('runs the README quick start against the sandbox, on the template installed with it', async () => {
    const [command, template, ...rest] = quickStartArgs();
    expect([command, template]).toEqual(['run', 'templates/jumpcloud-offboarding.yaml']);
    const result = await npx(['idflow', 'run', join(installed, template as string), ...rest]);
    expect(result.code, result.stderr).toBe(0);
    expect(returned(result)).toMatchObject({
      success: true,
      user_info: { username: 'john.smith', email: 'john.smith@company.com' },
      actions_taken: { account_status: 'disabled', groups_removed: 5, systems_unbound: 8, applications_revoked: 6 },
      notifications_sent: { manager_notification: { sent: true, recipient: 'jane.doe@company.com' } },
    });
    expect(result.stderr).toContain('Run succeeded');
  }, CASE_TIMEOUT);

  it('makes a plugin with idflow new plugin whose test passes and which runs in a template as its next steps say', async () => {
    const created = await npx(['idflow', 'new', 'plugin', 'ticket-note']);
    expect(created.code, created.stderr).toBe(0);
    // idflow is installed here, so the next steps do not ask to install it.
    expect(created.stdout).not.toContain('npm install');

    // The generated test, with plain node: it imports idflow from the installed package.
    const test = await run(process.execPath, ['--test', 'plugins/ticket-note.test.mjs'], { cwd: project });
    expect(test.code, `${test.stdout}\n${test.stderr}`).toBe(0);
    expect(test.stdout).toMatch(/# pass 3\b/);

    // The template snippet it printed, as an admin would paste it into a template in this folder.
    const snippet = created.stdout.split('\n').filter((line) => line.startsWith('    ')).map((line) => line.slice(4)).join('\n');
    expect(snippet).toContain('action: custom.ticket-note');
    writeFileSync(join(project, 'note.yaml'), [
      'id: ticket-note-check',
      'name: Ticket note',
      'version: "1.0.0"',
      'description: Uses the scaffolded plugin.',
      'inputs:',
      '  user_identifier: { type: string, required: true }',
      snippet,
      'output:',
      '  message: "{{steps.ticket_note.output.message}}"',
      '',
    ].join('\n'));
    const validated = await npx(['idflow', 'validate', 'note.yaml']);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
    const ran = await npx(['idflow', 'run', 'note.yaml', '--input', 'user_identifier=john.smith@company.com', '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(returned(ran)).toEqual({ message: 'Offboarding john.smith@company.com' });
  }, CASE_TIMEOUT);

  it('gives a plugin outside any node_modules (JavaScript or TypeScript) that imports idflow the running idflow', async () => {
    const elsewhere = scratchDir('idflow-plugin-elsewhere-');
    const created = await npx(['idflow', 'new', 'plugin', 'acme.ticket.close', '--typescript', '--dir', elsewhere]);
    expect(created.code, created.stderr).toBe(0);
    const plugin = join(elsewhere, 'acme-ticket-close.ts');
    expect(readFileSync(plugin, 'utf8')).toContain("import { defineAction } from 'idflow';");
    // A JavaScript one that uses idflow's error classes and its package.json.
    writeFileSync(join(elsewhere, 'version.mjs'), [
      "import { defineAction, PermanentError } from 'idflow';",
      "import manifest from 'idflow/package.json' with { type: 'json' };",
      'export default defineAction({',
      "  id: 'acme.idflow.version',",
      "  description: 'Returns the running idflow version',",
      "  params: { type: 'object', properties: {} },",
      '  run() {',
      "    if (!(new PermanentError('x') instanceof Error)) throw new Error('not an error class');",
      '    return { changed: false, output: { version: manifest.version } };',
      '  },',
      '});',
      '',
    ].join('\n'));
    writeFileSync(join(elsewhere, 'close.yaml'), [
      'id: close-check',
      'name: Close',
      'version: "1.0.0"',
      'description: Uses plugins that lie outside any node_modules.',
      'plugins:',
      '  - acme-ticket-close.ts',
      '  - version.mjs',
      'steps:',
      '  - id: close',
      '    action: acme.ticket.close',
      '    with: { message: closed }',
      '  - id: version',
      '    action: acme.idflow.version',
      'output:',
      '  message: "{{steps.close.output.message}}"',
      '  version: "{{steps.version.output.version}}"',
      '',
    ].join('\n'));
    const ran = await npx(['idflow', 'run', join(elsewhere, 'close.yaml'), '--json']);
    expect(ran.code, ran.stderr).toBe(0);
    const version = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string }).version;
    expect(returned(ran)).toEqual({ message: 'closed', version });
  }, CASE_TIMEOUT);
});
