/**
 * One thing wrong with a file the user wrote (template, config, inputs), at an exact place.
 *
 * @remarks
 * Every checker in idflow reports `Problem`s rather than throwing, so that `idflow validate`
 * can show every problem at once. `line` and `column` are 1-based; `path` is the JSON pointer
 * of the offending node (e.g. `/steps/2/with/message`), which is what `--json` consumers and
 * editors key on.
 *
 * A problem with no place in a text has `line` and `column` 0: a file that does not exist or
 * cannot be read, a value given on the command line (`--input`), a plugin named by `--plugin`.
 * A problem about a whole file that exists (too large, not a map) is at 1:1.
 */
export interface Problem {
  /** The file as the user named it (relative paths stay relative). */
  file: string;
  /** 1-based line of the offending text; 0 when it has none (see above). */
  line: number;
  /** 1-based column of the offending text; 0 when it has none. */
  column: number;
  /** JSON pointer of the offending node, `""` for the document root. */
  path: string;
  /** Stable code, e.g. `unknown-key`, `unknown-action`, `yaml-syntax`. */
  code: string;
  /** What is wrong, in one sentence that makes sense without the source line. */
  message: string;
  /** How to fix it, when there is an obvious fix ("did you mean …"). */
  suggestion?: string;
  /** `error` fails validation; `warning` is shown but does not. */
  severity: 'error' | 'warning';
  /** How many characters the offending text spans on its line (for the caret underline). */
  length?: number;
}

/** A problem found inside one string or rule, before it is placed in its file. */
export interface LocalProblem {
  code: string;
  message: string;
  suggestion?: string;
  severity?: 'error' | 'warning';
  /** 1-based line within the string (templates) — absent when the whole value is meant. */
  line?: number;
  /** 1-based column within that line of the string. */
  column?: number;
  /** JSON pointer inside the value (conditions), relative to the value itself, e.g. `/and/1/var`. */
  path?: string;
  length?: number;
}

/** Problems in reading order: by line, then column (a stable sort: ties keep their order). */
export function sortProblems<T extends Pick<Problem, 'line' | 'column'>>(problems: readonly T[]): T[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
