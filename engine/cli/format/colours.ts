/**
 * Terminal colours for problem output: only on a terminal, and never when `NO_COLOR` is set
 * (https://no-color.org); `FORCE_COLOR` (not `0`) turns them on without a terminal.
 */

/** Wraps text in a style, or returns it unchanged when colours are off. */
export type Paint = (text: string) => string;

/** The styles problem output uses. */
export interface Colours {
  enabled: boolean;
  error: Paint;
  warning: Paint;
  caret: Paint;
  hint: Paint;
  location: Paint;
  dim: Paint;
}

/** True when output to `stream` should be coloured. */
export function shouldColour(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '') return env['FORCE_COLOR'] !== '0';
  return stream.isTTY === true;
}

/** The styles, as ANSI escapes when `enabled`, as no-ops otherwise. */
export function createColours(enabled: boolean): Colours {
  const style = (open: number, close: number): Paint => (enabled ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text);
  return {
    enabled,
    error: style(31, 39),
    warning: style(33, 39),
    caret: style(32, 39),
    hint: style(36, 39),
    location: style(1, 22),
    dim: style(2, 22),
  };
}
