import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, reportError, runCommand, type CommandIo } from '../../../engine/cli/command-runner.js';
import { IdflowError, PermanentError } from '../../../engine/errors/index.js';
import { PluginError, UsageError, ValidationError } from '../../../engine/errors/usage-errors.js';

function capture(env: Record<string, string> = {}): { io: CommandIo; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env, cwd: process.cwd() },
    out: () => stdout,
    err: () => stderr,
  };
}

const savedExitCode = process.exitCode;
afterEach(() => {
  // runCommand sets the process's exit code, as the CLI needs; do not let it fail the test run.
  process.exitCode = savedExitCode;
});

describe('runCommand', () => {
  it('uses the exit code the handler returns, 0 by default', async () => {
    const { io } = capture();
    expect(await runCommand(async () => undefined, io)).toBe(0);
    expect(await runCommand(async () => ExitCode.failure, io)).toBe(1);
    expect(process.exitCode).toBe(1);
  });

  it('prints a ValidationError with every problem and its source line, exit 2', async () => {
    const { io, err } = capture();
    const error = new ValidationError('INVALID_INPUT', 'The inputs are invalid', [
      { file: '--input', line: 0, column: 0, path: '/mode', code: 'invalid-value', message: 'input "mode" must be one of "a", "b"; got "c"', severity: 'error' },
    ]);
    expect(await runCommand(async () => Promise.reject(error), io)).toBe(ExitCode.invalid);
    expect(err()).toBe('idflow: error: The inputs are invalid\n--input: error: input "mode" must be one of "a", "b"; got "c" [invalid-value]\n');
  });
});

describe('reportError', () => {
  it.each([
    [new UsageError('--input needs name=value'), 2],
    [new PluginError('Plugin file not found: x.mjs', 'x.mjs', { code: 'PLUGIN_NOT_FOUND' }), 2],
    [new PermanentError('HTTP 403 forbidden'), 1],
    [new IdflowError('RUN_FAILED', 'the run failed'), 1],
  ])('%s exits %i', (error, code) => {
    const { io, err } = capture();
    expect(reportError(error, io)).toBe(code);
    expect(err()).toBe(`idflow: error: ${error.message}\n`);
  });

  it('says how to see the stack of an unexpected error, and shows it with IDFLOW_DEBUG', () => {
    const plain = capture();
    expect(reportError(new TypeError('x is not a function'), plain.io)).toBe(1);
    expect(plain.err()).toBe('idflow: error: x is not a function\nidflow: (set IDFLOW_DEBUG=1 to see where it happened)\n');
    const debug = capture({ IDFLOW_DEBUG: '1' });
    reportError(new TypeError('x is not a function'), debug.io);
    expect(debug.err()).toMatch(/^idflow: error: x is not a function\nTypeError: x is not a function\n\s+at /);
  });
});
