import type { Problem } from '../../diagnostics/problem.js';

/**
 * A problem as `--json` prints it: every field of {@link Problem} but the caret's width, which
 * only the text output uses. `line` and `column` are 0 when there is no position.
 */
export type ProblemJson = Omit<Problem, 'length'>;

/** The stable `--json` shape of a problem (no internal fields such as the caret length). */
export function problemToJson(problem: Problem): ProblemJson {
  const json: ProblemJson = { file: problem.file, line: problem.line, column: problem.column, path: problem.path, code: problem.code, message: problem.message, severity: problem.severity };
  if (problem.suggestion !== undefined) json.suggestion = problem.suggestion;
  return json;
}
