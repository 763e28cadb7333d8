import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * Smoke tests of the built CLI (`dist/`, built once by test/global-setup.ts) run with plain
 * `node`, as users run it: vitest's module interop would hide ESM/CommonJS mistakes.
 */

const root = resolve('.');
const cli = join(root, 'dist', 'engine', 'cli', 'main.js');
const fixtures = join(root, 'test', 'fixtures', 'templates');

async function idflow(args: string[], cwd = fixtures): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('the built idflow CLI, run with node', () => {
  it('is executable, with a node shebang', () => {
    expect(statSync(cli).mode & 0o111).not.toBe(0);
  });

  it('explains itself with --help and each command with <command> --help', async () => {
    const help = await idflow(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: idflow [options] [command]');
    expect(help.stdout).toMatch(/validate \[options\] <files\.\.\.>/);
    expect(help.stdout).toContain('Exit codes:');
    const validateHelp = await idflow(['validate', '--help']);
    expect(validateHelp.code).toBe(0);
    for (const option of ['--json', '--plugin <path>', '--config <file>']) expect(validateHelp.stdout).toContain(option);
  });

  it('prints the version', async () => {
    const { code, stdout } = await idflow(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('validates a valid template: exit 0', async () => {
    expect(await idflow(['validate', 'hello.yaml'])).toEqual({ code: 0, stdout: 'hello.yaml is valid\n', stderr: '' });
  });

  it('validates an invalid template: every problem with a caret, exit 1', async () => {
    const { code, stdout } = await idflow(['validate', 'hello.yaml', 'typos.yaml']);
    expect(code).toBe(1);
    expect(stdout).toContain('typos.yaml:8:13: error: unknown action "lgo" [unknown-action]\n  8 |     action: lgo\n    |             ^~~\n  hint: Did you mean "log"?');
    expect(stdout).toContain('typos.yaml:10:25: error: input "nmae" is not declared');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('3 problems in 1 file');
  });

  it('prints JSON with --json', async () => {
    const { code, stdout } = await idflow(['validate', '--json', 'typos.yaml']);
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as Array<{ code: string }>).map((p) => p.code)).toEqual(['unknown-action', 'undeclared-input', 'unknown-key']);
  });

  it('exits 2 on usage errors', async () => {
    const noFiles = await idflow(['validate']);
    expect(noFiles.code).toBe(2);
    expect(noFiles.stderr).toContain("idflow: error: missing required argument 'files'");
    const unknownOption = await idflow(['validate', '--jsn', 'hello.yaml']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("idflow: error: unknown option '--jsn'");
    const unknownCommand = await idflow(['valdate']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("idflow: error: unknown command 'valdate'");
  });
});
