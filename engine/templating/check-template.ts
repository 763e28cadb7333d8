import type { LocalProblem } from '../diagnostics/problem.js';
import { checkReference, FORBIDDEN_SEGMENTS } from '../language/reference-check.js';
import type { ReferenceScope } from '../language/scope.js';
import { analyzeTemplate } from './analyze-template.js';

/**
 * Checks template text without rendering it: syntax errors (at the line and column Handlebars
 * stopped), unknown helpers (with "did you mean"), wrong helper arity, `secret` without a
 * quoted name, partials and decorators, and every path that reads the run data against the
 * workflow's scope (undeclared inputs and vars, missing or later steps, unknown fields).
 * Paths inside `#each`/`#with` are relative to the block's item and are not checked, except
 * `@root.…`, `../…` back to the top, and the block's own argument.
 *
 * @returns problems with 1-based `line`/`column` inside the text, in order; empty when fine.
 */
export function checkTemplate(text: string, scope: ReferenceScope): LocalProblem[] {
  const result = analyzeTemplate(text);
  if (!result.ok) {
    const { message, line, column, suggestion } = result.error;
    return [{ code: 'template-syntax', message, severity: 'error', line, column, ...(suggestion === undefined ? {} : { suggestion }) }];
  }
  const problems = [...result.analysis.problems];
  for (const use of result.analysis.paths) {
    // Blocked names are already reported by the analysis, once.
    if (use.scope !== 'root' || use.segments.some((s) => FORBIDDEN_SEGMENTS.has(s))) continue;
    const problem = checkReference(use.segments, scope);
    if (problem === undefined) continue;
    const { loc } = use.node;
    problems.push({
      severity: 'error',
      ...problem,
      line: loc.start.line,
      column: loc.start.column + 1,
      ...(loc.end.line === loc.start.line ? { length: loc.end.column - loc.start.column } : {}),
    });
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
