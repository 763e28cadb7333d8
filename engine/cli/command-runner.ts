import type { Problem } from '../diagnostics/problem.js';
import { IdflowError } from '../errors/idflow-error.js';
import { PluginError, RunRecordChangedError, UsageError, ValidationError } from '../errors/usage-errors.js';
import { createColours, shouldColour, type Colours } from './format/colours.js';
import { terminalSafe } from '../logging/terminal-text.js';
import { formatProblems, SourceLines } from './format/problem-report.js';

/**
 * Exit codes of every idflow command: 0 when it did what was asked, 1 when it ran and
 * something failed (an invalid template for `validate`, a failed run), 2 when what was given
 * is invalid (a template, inputs, the config file, a plugin, the command line), so nothing was done.
 */
export const ExitCode = { ok: 0, failure: 1, invalid: 2 } as const;

/** What a command writes to and reads its settings from; tests pass their own. */
export interface CommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** The real process streams, environment and working directory. */
export function processIo(): CommandIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Colours for a stream of `io`. */
export function coloursFor(io: CommandIo, stream: 'stdout' | 'stderr' = 'stdout'): Colours {
  return createColours(shouldColour(io[stream], io.env));
}

/**
 * Runs a command's handler and turns its outcome into an exit code (set on
 * `process.exitCode`, never `process.exit()`, so that buffered output and log files flush).
 *
 * The handler returns its exit code (default 0). A thrown error is printed as
 * `idflow: error: <message>` on stderr, followed by every problem of a `ValidationError` with
 * its source line; `ValidationError`, `UsageError` and `PluginError` exit 2, any other error 1
 * (with its stack when `IDFLOW_DEBUG` is set).
 *
 * @returns the exit code, also set on `process.exitCode`.
 */
export async function runCommand(handler: (io: CommandIo) => Promise<number | void>, io: CommandIo = processIo()): Promise<number> {
  let code: number;
  try {
    code = (await handler(io)) ?? ExitCode.ok;
  } catch (error) {
    code = reportError(error, io);
  }
  process.exitCode = code;
  return code;
}

/** Prints an error the way {@link runCommand} does and returns its exit code. */
export function reportError(error: unknown, io: CommandIo): number {
  const colours = coloursFor(io, 'stderr');
  const message = error instanceof Error ? error.message : String(error);
  // A message may quote a value from outside (an event, a CSV row, an API answer).
  io.stderr.write(`idflow: ${colours.error('error')}: ${terminalSafe(message, { keepNewlines: true })}\n`);
  if (error instanceof ValidationError && error.problems.length > 0) {
    io.stderr.write(`${formatProblems(error.problems as Problem[], new SourceLines(), colours)}\n`);
  }
  if (error instanceof ValidationError || error instanceof UsageError || error instanceof PluginError || error instanceof RunRecordChangedError) return ExitCode.invalid;
  if (!(error instanceof IdflowError) && error instanceof Error && error.stack) {
    // Not an error idflow raised on purpose: most likely a bug, so make the stack reachable.
    io.stderr.write(io.env['IDFLOW_DEBUG'] ? `${error.stack}\n` : 'idflow: (set IDFLOW_DEBUG=1 to see where it happened)\n');
  }
  return ExitCode.failure;
}
