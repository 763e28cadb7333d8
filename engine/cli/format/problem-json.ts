import type { Problem } from '../../diagnostics/problem.js';

/** A problem as `--json` prints it. `line` and `column` are 0 when there is no position. */
export interface ProblemJson {
  file: string;
  line: number;
  column: number;
  path: string;
  code: string;
  message: string;
  suggestion?: string;
  severity: 'error' | 'warning';
}

/** The stable `--json` shape of a problem (no internal fields such as the caret length). */
export function problemToJson(problem: Problem): ProblemJson {
  const json: ProblemJson = { file: problem.file, line: problem.line, column: problem.column, path: problem.path, code: problem.code, message: problem.message, severity: problem.severity };
  if (problem.suggestion !== undefined) json.suggestion = problem.suggestion;
  return json;
}
