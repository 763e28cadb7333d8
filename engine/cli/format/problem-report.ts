import { readFileSync, statSync } from 'node:fs';
import { MAX_SOURCE_BYTES } from '../../loader/limits.js';
import type { Problem } from '../../diagnostics/problem.js';
import type { Colours } from './colours.js';
import { formatProblem } from './problem-text.js';

/**
 * The source lines problems are shown with, by file: texts already in memory first (what was
 * actually checked), else read once from disk; a file that cannot be read has no lines shown.
 */
export class SourceLines {
  private readonly lines = new Map<string, string[] | null>();

  constructor(known: Iterable<[string, string]> = []) {
    for (const [file, source] of known) this.add(file, source);
  }

  /** Registers the text a file was checked as; `undefined` when it could not be read (no lines are shown). */
  add(file: string, source: string | undefined): void {
    this.lines.set(file, source === undefined ? null : source.split('\n').map((line) => line.replace(/\r$/, '')));
  }

  /** The 1-based line of a file, if known. */
  line(file: string, line: number): string | undefined {
    if (!this.lines.has(file)) {
      try {
        if (statSync(file).size > MAX_SOURCE_BYTES) throw new Error('too large to show');
        this.add(file, readFileSync(file, 'utf8'));
      } catch {
        this.lines.set(file, null);
      }
    }
    return this.lines.get(file)?.[line - 1];
  }
}

/** Every problem formatted (see `formatProblem`), separated by blank lines. */
export function formatProblems(problems: readonly Problem[], sources: SourceLines, colours: Colours): string {
  return problems.map((problem) => formatProblem(problem, problem.line > 0 ? sources.line(problem.file, problem.line) : undefined, colours)).join('\n\n');
}
