import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../../engine/diagnostics/problem.js';
import { createColours, shouldColour } from '../../../../engine/cli/format/colours.js';
import { problemToJson } from '../../../../engine/cli/format/problem-json.js';
import { formatProblem, formatSummary } from '../../../../engine/cli/format/problem-text.js';

const plain = createColours(false);
const problem: Problem = { file: 'flows/x.yaml', line: 12, column: 3, path: '/stpes', code: 'unknown-key', message: 'unknown key "stpes"', suggestion: 'Did you mean "steps"?', severity: 'error', length: 5 };

describe('formatProblem', () => {
  it('prints file:line:col, the source line, a caret under the text and the hint', () => {
    expect(formatProblem(problem, '  stpes:', plain)).toBe(
      ['flows/x.yaml:12:3: error: unknown key "stpes" [unknown-key]', '  12 |   stpes:', '     |   ^~~~~', '  hint: Did you mean "steps"?'].join('\n'),
    );
  });

  it('keeps tabs before the caret so it lines up, and clips the caret to the line', () => {
    const text = formatProblem({ ...problem, line: 1, column: 3, length: 40, suggestion: undefined, severity: 'warning' } as Problem, '\t x', plain);
    expect(text.split('\n')).toEqual(['flows/x.yaml:1:3: warning: unknown key "stpes" [unknown-key]', '  1 | \t x', '    | \t ^']);
  });

  it('shows the part of a long line the problem is in, with the caret under it', () => {
    const line = `{${'"a": 1, '.repeat(60)}"bad": x}`;
    const column = line.indexOf('x') + 1;
    const [, shown, caret] = formatProblem({ ...problem, line: 1, column, length: 1, suggestion: undefined } as Problem, line, plain).split('\n');
    expect(shown?.length).toBeLessThanOrEqual(6 + 202);
    expect(shown).toMatch(/^  1 \| ….*"bad": x}$/);
    expect(shown?.[caret?.indexOf('^') ?? -1]).toBe('x');
    // A short line is shown whole.
    expect(formatProblem({ ...problem, line: 1, column: 3 } as Problem, '  stpes:', plain).split('\n')[1]).toBe('  1 |   stpes:');
  });

  it('prints a problem without a position without a caret', () => {
    expect(formatProblem({ ...problem, file: '--input', line: 0, column: 0, suggestion: undefined } as Problem, undefined, plain)).toBe('--input: error: unknown key "stpes" [unknown-key]');
  });

  it('colours only when asked', () => {
    const coloured = formatProblem(problem, '  stpes:', createColours(true));
    expect(coloured).toContain('\u001b[31merror\u001b[39m');
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(formatProblem(problem, '  stpes:', plain));
  });
});

describe('shouldColour', () => {
  it('colours a terminal unless NO_COLOR is set; FORCE_COLOR forces it', () => {
    expect(shouldColour({ isTTY: true }, {})).toBe(true);
    expect(shouldColour({ isTTY: false }, {})).toBe(false);
    expect(shouldColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColour({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldColour({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(shouldColour({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
  });
});

describe('formatSummary', () => {
  it('counts problems and files', () => {
    expect(formatSummary([problem, { ...problem, line: 2 }])).toBe('2 problems in 1 file');
    expect(formatSummary([{ ...problem, severity: 'warning' }])).toBe('1 problem (a warning) in 1 file');
    expect(formatSummary([problem, { ...problem, severity: 'warning', file: 'b.yaml' }, { ...problem, file: 'c.yaml' }])).toBe('3 problems (2 errors, 1 warning) in 3 files');
  });
});

describe('problemToJson', () => {
  it('keeps the documented fields only', () => {
    expect(problemToJson(problem)).toEqual({ file: 'flows/x.yaml', line: 12, column: 3, path: '/stpes', code: 'unknown-key', message: 'unknown key "stpes"', suggestion: 'Did you mean "steps"?', severity: 'error' });
  });
});
