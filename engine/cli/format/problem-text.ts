import type { Problem } from '../../diagnostics/problem.js';
import type { Colours } from './colours.js';

/**
 * One problem as people read it, compiler style:
 *
 * ```text
 * templates/offboard.yaml:12:3: error: unknown key "stpes" [unknown-key]
 *    12 | stpes:
 *       | ^~~~~
 *   hint: Did you mean "steps"?
 * ```
 *
 * A problem without a position (`line` 0: a command-line value, a missing file) is shown as
 * `file: error: message [code]`. `lineText` is the source line, when the file's text is known.
 */
export function formatProblem(problem: Problem, lineText: string | undefined, colours: Colours): string {
  const severity = problem.severity === 'error' ? colours.error('error') : colours.warning('warning');
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  const lines = [`${colours.location(`${where}:`)} ${severity}: ${problem.message} ${colours.dim(`[${problem.code}]`)}`];
  if (problem.line > 0 && lineText !== undefined) {
    const gutter = String(problem.line).length + 3;
    const number = String(problem.line).padStart(gutter - 1);
    const { text, column } = around(lineText, problem.column);
    lines.push(`${colours.dim(`${number} |`)} ${text}`);
    // Keep tabs before the caret so it lines up under the text in any terminal.
    const lead = [...text.slice(0, Math.max(0, column - 1))].map((char) => (char === '\t' ? '\t' : ' ')).join('');
    const available = Math.max(1, text.length - (column - 1));
    const length = Math.max(1, Math.min(problem.length ?? 1, available));
    lines.push(`${colours.dim(`${' '.repeat(gutter - 1)} |`)} ${lead}${colours.caret(`^${'~'.repeat(length - 1)}`)}`);
  }
  if (problem.suggestion) lines.push(`  ${colours.hint('hint:')} ${problem.suggestion}`);
  return lines.join('\n');
}

/** How much of a source line is shown. */
const SHOWN_WIDTH = 200;

/**
 * The part of a long line that is shown (at most {@link SHOWN_WIDTH} characters, with `…` where
 * it is cut), chosen so that the problem's column is in it, and that column within the part.
 */
function around(line: string, column: number): { text: string; column: number } {
  if (line.length <= SHOWN_WIDTH) return { text: line, column };
  const start = column - 1 < SHOWN_WIDTH - 40 ? 0 : Math.min(column - 1 - 40, line.length - SHOWN_WIDTH);
  const end = start + SHOWN_WIDTH;
  const text = `${start > 0 ? '…' : ''}${line.slice(start, end)}${end < line.length ? '…' : ''}`;
  return { text, column: column - start + (start > 0 ? 1 : 0) };
}

/** `2 problems in 1 file`, `1 problem (a warning) in 1 file`, `3 problems (2 errors, 1 warning) in 2 files`. */
export function formatSummary(problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const files = new Set(problems.map((p) => p.file)).size;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const split = errors > 0 && warnings > 0 ? ` (${plural(errors, 'error')}, ${plural(warnings, 'warning')})` : warnings > 0 ? ` (${warnings === 1 ? 'a warning' : 'warnings'})` : '';
  return `${plural(problems.length, 'problem')}${split} in ${plural(files, 'file')}`;
}
