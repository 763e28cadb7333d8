import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../engine/cli/command-runner.js';
import { validateFiles } from '../../../engine/cli/commands/validate-handler.js';
import { loadPrecompiled } from '../../../engine/schema/precompiled-validators.js';
import { shippedSchemas } from '../../../engine/schema/shipped-schemas.js';
import { cliPath, idflow, repoRoot } from '../../support/cli.js';

/**
 * The built CLI (dist/, built by the global setup as `npm run build` builds it) uses the
 * validators generated at build time, and says exactly what the runtime compile says.
 */

const work = mkdtempSync(join(tmpdir(), 'idflow-precompiled-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `idflow validate --json` in this process, from the TypeScript sources, which compile every schema at run time. */
async function validateInProcess(files: string[], cwd: string): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io: CommandIo = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, env: {}, cwd };
  const code = await validateFiles(files, { plugin: [], json: true }, io);
  return { code, stdout };
}

const offboarding = readFileSync(join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml'), 'utf8');

/** Templates with problems the workflow schema and the action schemas find. */
const broken: Record<string, string> = {
  'schema-problems.yaml': ['id: Not_Kebab', 'name: ""', 'version: 1.2', 'stpes:', '  - id: one', '    action: log', '    with: { message: hi }', 'steps:', '  - id: two', '    acton: log', '    retry: { max: many }', '    timeout: soon', ''].join('\n'),
  'param-problems.yaml': offboarding
    .replace(/identifier: "\{\{inputs\.user_identifier\}\}"/, 'identifier: 42\n      frobnicate: true')
    .replace(/mode: "\{\{default inputs\.removal_mode vars\.jumpcloud_removal_mode\}\}"/, 'mode: vanish'),
};

describe('the built CLI with the precompiled validators', () => {
  it('has a validator for every schema that ships with idflow', async () => {
    const dir = join(repoRoot, 'dist', 'engine', 'schema', 'compiled');
    const missing = (await shippedSchemas()).filter(({ profile, schema }) => loadPrecompiled(profile, schema, dir) === undefined).map(({ name }) => name);
    expect(missing).toEqual([]);
  });

  it('reports exactly the problems the runtime compile finds', async () => {
    for (const [name, text] of Object.entries(broken)) writeFileSync(join(work, name), text);
    const files = [...Object.keys(broken), join(repoRoot, 'test', 'fixtures', 'templates', 'typos.yaml'), join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml')];
    const expected = await validateInProcess(files, work);
    const problems = JSON.parse(expected.stdout) as Array<{ code: string; file: string }>;
    // The templates do reach the schemas' errors.
    expect(problems.filter((p) => p.file === 'schema-problems.yaml').map((p) => p.code)).toEqual(expect.arrayContaining(['unknown-key', 'wrong-type', 'invalid-format', 'missing-param']));
    expect(problems.filter((p) => p.file === 'param-problems.yaml').map((p) => p.code)).toEqual(expect.arrayContaining(['unknown-param', 'invalid-param']));
    const built = await idflow(['validate', '--json', ...files], { cwd: work });
    expect({ code: built.code, stdout: built.stdout }).toEqual(expected);
  });

  it('does not load ajv\'s compiler to validate a template that uses only built-in actions', async () => {
    const preload = join(work, 'report-ajv.cjs');
    writeFileSync(preload, "process.on('exit', () => process.stderr.write(`ajv loaded: ${Object.keys(require.cache).some((f) => /[\\\\/]node_modules[\\\\/]ajv[\\\\/]dist[\\\\/]ajv\\.js$/.test(f))}\\n`));\n");
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--require', preload, cliPath, 'validate', 'templates/jumpcloud-offboarding.yaml'], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
    expect(stdout).toBe('templates/jumpcloud-offboarding.yaml is valid\n');
    expect(stderr).toBe('ajv loaded: false\n');
  });
});
