import { terminalSafe } from '../logging/terminal-text.js';

/**
 * Small text helpers for the human views of `idflow runs` and `idflow audit`.
 */

/** An ISO timestamp as local time, `YYYY-MM-DD HH:MM:SS` (what an admin reads at a glance); the input itself when it is not a date. */
export function formatLocalTime(iso: string | undefined): string {
  if (iso === undefined || iso === '') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * Columns padded to their widest cell, separated by two spaces; trailing spaces trimmed. Cells
 * are shown terminal-safe (see {@link terminalSafe}): a subject or a name with a newline or an
 * escape sequence cannot break the table or act on the terminal.
 */
export function formatTable(headers: readonly string[], cells: ReadonlyArray<readonly string[]>): string {
  const rows = cells.map((row) => row.map((cell) => terminalSafe(cell)));
  const widths = headers.map((header, column) => Math.max(displayWidth(header), ...rows.map((row) => displayWidth(row[column] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - displayWidth(cell))))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/**
 * A value as indented JSON for a human view, cut to `maxLines` lines (and long lines to
 * `maxWidth` characters) with a note of what was left out; `--json` gives it whole.
 */
export function formatJsonBlock(value: unknown, options: { indent: string; maxLines?: number; maxWidth?: number }): string[] {
  // Small values read best on one line.
  const compact = JSON.stringify(value) ?? 'undefined';
  if (compact.length <= 100) return [`${options.indent}${compact}`];
  const text = JSON.stringify(value, null, 2) ?? 'undefined';
  const all = text.split('\n');
  const maxLines = options.maxLines ?? 20;
  const maxWidth = options.maxWidth ?? 160;
  const shown = all.slice(0, maxLines).map((line) => options.indent + (line.length > maxWidth ? `${line.slice(0, maxWidth - 1)}…` : line));
  if (all.length > maxLines) shown.push(`${options.indent}… ${all.length - maxLines} more line${all.length - maxLines === 1 ? '' : 's'} (--json shows everything)`);
  return shown;
}

/** Cuts text to one line of at most `max` characters. */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Width in terminal columns, ignoring colour codes (all idflow's symbols are one column wide). */
function displayWidth(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\u001b\[[0-9;]*m/g, '')].length;
}
