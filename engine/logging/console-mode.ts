/**
 * How the live progress view is drawn on the console (stderr):
 * - `pretty`: a terminal: colour and Unicode symbols;
 * - `plain`: not a terminal, or `NO_COLOR` is set: no colour, ASCII symbols (safe for CI logs and files);
 * - `quiet`: `--quiet`: warnings and errors only;
 * - `silent`: nothing at all (tests, `serve` workers that log to files only).
 */
export type ConsoleMode = 'pretty' | 'plain' | 'quiet' | 'silent';

/**
 * Chooses the console mode for a stream: `quiet` when asked for; `plain` when the stream is not
 * a TTY, or `NO_COLOR` is set to anything non-empty (https://no-color.org), or `TERM=dumb`;
 * `pretty` otherwise.
 */
export function consoleModeFor(stream: NodeJS.WritableStream & { isTTY?: boolean }, env: NodeJS.ProcessEnv, quiet: boolean): 'pretty' | 'plain' | 'quiet' {
  if (quiet) return 'quiet';
  if (stream.isTTY !== true) return 'plain';
  if ((env['NO_COLOR'] ?? '') !== '' || env['TERM'] === 'dumb') return 'plain';
  return 'pretty';
}
