import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../../engine/cli/command-runner.js';
import { validateFiles } from '../../../../engine/cli/commands/validate-handler.js';

const fixtures = resolve('test/fixtures/templates');

/** Runs `idflow validate` in this process with captured output. */
async function validate(files: string[], options: { json?: boolean; plugin?: string[]; config?: string } = {}, cwd = fixtures): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io: CommandIo = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, env: {}, cwd };
  const code = await validateFiles(files, { plugin: options.plugin ?? [], ...(options.json ? { json: true } : {}), ...(options.config ? { config: options.config } : {}) }, io);
  return { code, stdout };
}

describe('idflow validate', () => {
  it('exits 0 and says so when every template is valid', async () => {
    expect(await validate(['hello.yaml'])).toEqual({ code: 0, stdout: 'hello.yaml is valid\n' });
    expect(await validate(['hello.yaml', 'hello.yaml'])).toEqual({ code: 0, stdout: '2 templates are valid\n' });
  });

  it('prints every problem with its source line and a caret, then a summary, and exits 1', async () => {
    const { code, stdout } = await validate(['hello.yaml', 'typos.yaml']);
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        'typos.yaml:8:13: error: unknown action "lgo" [unknown-action]',
        '  8 |     action: lgo',
        '    |             ^~~',
        '  hint: Did you mean "log"?',
        '',
        'typos.yaml:10:25: error: input "nmae" is not declared (declared inputs: name) [undeclared-input]',
        '  10 |       message: "Hello {{inputs.nmae}}"',
        '     |                         ^~~~~~~~~~~',
        '  hint: Did you mean "name"?',
        '',
        'typos.yaml:11:5: error: unknown key "timout" [unknown-key]',
        '  11 |     timout: 30s',
        '     |     ^~~~~~',
        '  hint: Did you mean "timeout"?',
        '',
        '3 problems in 1 file',
        '',
      ].join('\n'),
    );
  });

  it('accepts the example templates with the example config (whose plugins load)', async () => {
    const examples = resolve('examples');
    expect(await validate(['hello.yaml', 'psa-offboarding-note.yaml'], { config: 'idflow.config.yaml' }, examples)).toEqual({ code: 0, stdout: '2 templates are valid\n' });
  });

  it('prints a JSON array with --json', async () => {
    const { code, stdout } = await validate(['typos.yaml'], { json: true });
    expect(code).toBe(1);
    const problems = JSON.parse(stdout) as unknown[];
    expect(problems).toHaveLength(3);
    expect(problems[0]).toEqual({ file: 'typos.yaml', line: 8, column: 13, path: '/steps/0/action', code: 'unknown-action', message: 'unknown action "lgo"', suggestion: 'Did you mean "log"?', severity: 'error' });
    expect((await validate(['hello.yaml'], { json: true })).stdout).toBe('[]\n');
  });

  it('exits 2 for a file that does not exist, still checking the others', async () => {
    const { code, stdout } = await validate(['missing.yaml', 'typos.yaml']);
    expect(code).toBe(2);
    expect(stdout).toMatch(/^missing\.yaml: error: no such file \[file-not-found\]\n/);
    expect(stdout).toContain('4 problems in 2 files');
  });

  it('exits 2 for a path that is not a readable file (a folder), without showing a source line', async () => {
    const { code, stdout } = await validate(['.', 'hello.yaml']);
    expect(code).toBe(2);
    expect(stdout).toBe('.: error: this is a folder, not a template file [file-unreadable]\n\n1 problem in 1 file\n');
  });

  it('shows an oversized template at 1:1 without a source line, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-validate-'));
    writeFileSync(join(dir, 'big.yaml'), `# ${'x'.repeat(1024 * 1024)}\n`);
    const { code, stdout } = await validate(['big.yaml'], {}, dir);
    expect(code).toBe(1);
    expect(stdout).toBe('big.yaml:1:1: error: the template is 1,048,579 bytes; idflow reads at most 1 MiB (1,048,576 bytes) and refuses it unparsed [file-too-large]\n\n1 problem in 1 file\n');
  });

  it('exits 2 for an invalid config file, showing where it is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-validate-'));
    writeFileSync(join(dir, 'idflow.config.yaml'), 'connections:\n  smtp: { password: hunter2 }\n');
    writeFileSync(join(dir, 'flow.yaml'), 'id: flow\nname: Flow\nsteps:\n  - { id: a, action: log, with: { message: hi } }\n');
    const { code, stdout } = await validate(['flow.yaml'], {}, dir);
    expect(code).toBe(2);
    expect(stdout).toContain('idflow.config.yaml:2:21: error: "password" looks like a secret written into the config file; secrets must not be stored in files [literal-secret]\n  2 |   smtp: { password: hunter2 }\n    |                     ^~~~~~~');
  });

  it("loads the config's plugins relative to the config file and --plugin relative to the working directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-validate-'));
    const plugin = (id: string) => `export default { id: '${id}', description: 'test', params: { type: 'object' }, run: () => ({ changed: false }) };\n`;
    writeFileSync(join(dir, 'from-config.mjs'), plugin('acme.config.thing'));
    writeFileSync(join(dir, 'from-cli.mjs'), plugin('acme.cli.thing'));
    writeFileSync(join(dir, 'conf.yaml'), 'plugins: [./from-config.mjs]\n');
    writeFileSync(join(dir, 'flow.yaml'), 'id: flow\nname: Flow\nsteps:\n  - { id: a, action: acme.config.thing }\n  - { id: b, action: acme.cli.thing }\n');
    expect(await validate(['flow.yaml'], { config: 'conf.yaml', plugin: ['./from-cli.mjs'] }, dir)).toEqual({ code: 0, stdout: 'flow.yaml is valid\n' });
  });

  it("places a broken config plugin at its entry in the config file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-validate-'));
    writeFileSync(join(dir, 'idflow.config.yaml'), 'store: ./runs\nplugins:\n  - ./missing.mjs\n');
    writeFileSync(join(dir, 'flow.yaml'), 'id: flow\nname: Flow\nsteps:\n  - { id: a, action: log, with: { message: hi } }\n');
    const { code, stdout } = await validate(['flow.yaml'], {}, dir);
    expect(code).toBe(2);
    expect(stdout).toContain(`idflow.config.yaml:3:5: error: the plugin "./missing.mjs" could not be loaded: Plugin file not found: ${join(dir, 'missing.mjs')}`);
    expect(stdout).toContain('  3 |   - ./missing.mjs\n    |     ^~~~~~~~~~~~~');
  });

  it('exits 2 when a --plugin does not load, and reports the actions it would have defined as unknown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-validate-'));
    writeFileSync(join(dir, 'flow.yaml'), 'id: flow\nname: Flow\nsteps:\n  - { id: a, action: acme.cli.thing }\n');
    const { code, stdout } = await validate(['flow.yaml'], { plugin: ['./nope.mjs'] }, dir);
    expect(code).toBe(2);
    expect(stdout).toContain(`--plugin ./nope.mjs: error: Plugin file not found: ${join(dir, 'nope.mjs')}`);
    expect(stdout).toContain('flow.yaml:4:22: error: unknown action "acme.cli.thing" [unknown-action]');
  });
});
