import { expect } from 'vitest';
import type { Problem } from '../../../engine/diagnostics/problem.js';
import { formatProblems, SourceLines } from '../../../engine/cli/format/problem-report.js';
import { createColours } from '../../../engine/cli/format/colours.js';

/** Stable problem codes are kebab-case words (`unknown-key`, `yaml-syntax`) or upper snake case (`PLUGIN_NOT_FOUND`). */
const CODE = /^([a-z][a-z0-9]*(-[a-z0-9]+)*|[A-Z][A-Z0-9]*(_[A-Z0-9]+)*)$/;

/**
 * Checks that every problem is readable and positioned: the file it was given, a known code, a
 * non-empty message, a severity, and — where the text came from a source — a line and column
 * inside that source. Then formats them as `idflow validate` does (which must not throw).
 *
 * @param source - the text checked, when there is one; problems about it must point into it.
 */
export function expectReadableProblems(problems: readonly Problem[], file: string, source: string | undefined, context: string): void {
  const lineCount = source === undefined ? 0 : source.split('\n').length;
  for (const problem of problems) {
    const where = `${context}: ${JSON.stringify(problem)}`;
    expect(problem.file, where).toBe(file);
    expect(problem.code, where).toMatch(CODE);
    expect(typeof problem.message === 'string' && problem.message.trim().length > 0, where).toBe(true);
    expect(['error', 'warning'], where).toContain(problem.severity);
    expect(Number.isInteger(problem.line) && Number.isInteger(problem.column), where).toBe(true);
    if (source !== undefined && source.trim() !== '') {
      expect(problem.line, `${where}: line`).toBeGreaterThanOrEqual(1);
      expect(problem.line, `${where}: line`).toBeLessThanOrEqual(lineCount + 1);
      expect(problem.column, `${where}: column`).toBeGreaterThanOrEqual(1);
    }
    expect(typeof problem.path, where).toBe('string');
    expect(problem.message, where).not.toMatch(/\[object Object\]|undefined is not|Cannot read propert/);
  }
  const text = formatProblems(problems, new SourceLines(source === undefined ? [] : [[file, source]]), createColours(false));
  expect(typeof text).toBe('string');
}
