import type { LocalProblem } from '../diagnostics/problem.js';

/**
 * A problem about a node of a parsed file, before it is given a line and column: checkers
 * work on plain data and JSON pointers, and the {@link SourceMap} places the issue.
 */
export interface Issue {
  /** JSON pointer of the node the issue is about. */
  pointer: string;
  /**
   * Where the caret goes: the node's value (default), its key (unknown or forbidden keys), or,
   * for a map missing a key, the map's first key.
   */
  at?: 'value' | 'key' | 'map';
  code: string;
  message: string;
  suggestion?: string;
  severity?: 'error' | 'warning';
  /**
   * A problem found inside the value at `pointer` by a template or condition checker: its
   * `line`/`column` are within the string, its `path` a pointer within the rule.
   */
  local?: LocalProblem;
}
