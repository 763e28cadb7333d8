import { describe, expect, it } from 'vitest';
import { figure } from './figure.js';
import { relativeFigure, relativeText } from './relative.js';
import { missedLine, renderMarkdown, renderTable } from './report.js';
import { parseBenchArgs, type BenchReport } from './main.js';
import { describeMachine } from './machine.js';

/**
 * Figures that travel (issue 14): a time figure shown as a ratio to a reference measured in the
 * same run, its target on that ratio, and the report saying which targets were met or missed.
 */
describe('relative figures', () => {
  const node = { name: 'node -e 0', value: 140, unit: 'ms' };

  it('divides a figure by its reference and holds the target to the ratio, not the value', () => {
    const validate = relativeFigure('start-up', 'idflow validate', 336, 'ms', node, { op: '<', value: 2.5 });
    expect(validate).toMatchObject({ value: 336, unit: 'ms', relative: { value: 2.4, of: 'node -e 0' }, target: { op: '<', value: 2.5, on: 'relative' }, met: true });
    // Twice the time on a machine twice as slow: the same ratio, the same verdict.
    expect(relativeFigure('start-up', 'idflow validate', 672, 'ms', { ...node, value: 280 }, { op: '<', value: 2.5 })).toMatchObject({ relative: { value: 2.4 }, met: true });
    expect(relativeFigure('start-up', 'idflow validate', 420, 'ms', node, { op: '<', value: 2.5 })).toMatchObject({ relative: { value: 3 }, met: false });
    expect(relativeText(validate)).toBe('2.4 × node -e 0');
    expect(relativeFigure('engine', 'overhead per step', 120, 'µs', { name: 'plain-loop step', value: 0.27, unit: 'µs' }).relative).toEqual({ value: 444, of: 'plain-loop step' });
  });

  it('refuses a reference that measured nothing, and a ratio target without a reference', () => {
    expect(() => relativeFigure('start-up', 'idflow validate', 336, 'ms', { ...node, value: 0 })).toThrow('idflow validate: the reference node -e 0 measured 0 ms');
    expect(() => figure('start-up', 'idflow validate', 336, 'ms', { op: '<', value: 2.5, on: 'relative' })).toThrow('a target on the ratio needs a reference');
  });

  it('reports the ratio and its target, and names every missed target', () => {
    const report: BenchReport = {
      machine: { ...describeMachine(), loadAfter: [1, 1, 1] },
      args: parseBenchArgs([]),
      figures: [
        figure('start-up', 'node -e 0', 140, 'ms'),
        relativeFigure('start-up', 'idflow validate', 420, 'ms', node, { op: '<', value: 2.5 }),
        figure('throughput', 'API calls made', 2600, 'calls', { op: '=', value: 2600 }),
      ],
      details: {},
    };
    expect(missedLine(report)).toBe('Targets: 1 of 2 met; missed: start-up: idflow validate (420 ms, 3 × node -e 0; target < 2.5 × node -e 0).');
    expect(renderTable(report)).toMatch(/idflow validate +420 ms +3 × node -e 0 +< 2\.5 × node -e 0 +NO/);
    expect(renderMarkdown(report)).toContain('| start-up | idflow validate | 420 ms | 3 × node -e 0 | < 2.5 × node -e 0 | NO |  |');
    expect(missedLine({ ...report, figures: report.figures.slice(2) })).toBe('Targets: all 1 met.');
  });
});
