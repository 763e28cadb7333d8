import type { BenchReport } from './main.js';
import type { Figure } from './figure.js';
import { relativeText } from './relative.js';

/** The markers around the generated part of BENCHMARKS.md. */
export const RESULTS_START = '<!-- bench:results:start (written by npm run bench -- --write) -->';
export const RESULTS_END = '<!-- bench:results:end -->';

function targetText(figure: Figure): string {
  const target = figure.target;
  if (target === undefined) return '';
  // A target on the ratio is read against the ratio's reference, e.g. `< 2.5 × node -e 0`.
  const unit = target.on === 'relative' ? ` × ${figure.relative?.of ?? '?'}` : figure.unit === 'calls' ? '' : ` ${figure.unit}`;
  return `${target.op} ${formatNumber(target.value)}${unit}`;
}

function metText(figure: Figure): string {
  return figure.met === undefined ? '' : figure.met ? 'yes' : 'NO';
}

function formatNumber(value: number): string {
  return Number.isInteger(value) && Math.abs(value) >= 1000 ? value.toLocaleString('en-US') : String(value);
}

function valueText(figure: Figure): string {
  return `${formatNumber(figure.value)} ${figure.unit}`;
}

/** The machine in one line. */
export function machineLine(report: BenchReport): string {
  const m = report.machine;
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}; load average ${m.loadBefore.join(' / ')} before, ${m.loadAfter?.join(' / ') ?? '?'} after; ${m.date}`;
}

/** Which targets the run met and which it missed, in one line. */
export function missedLine(report: BenchReport): string {
  const held = report.figures.filter((f) => f.met !== undefined);
  const missed = held.filter((f) => f.met === false);
  if (held.length === 0) return 'No figure of this run has a target.';
  if (missed.length === 0) return `Targets: all ${held.length} met.`;
  return `Targets: ${held.length - missed.length} of ${held.length} met; missed: ${missed.map((f) => `${f.group}: ${f.name} (${valueText(f)}${f.relative === undefined ? '' : `, ${relativeText(f)}`}; target ${targetText(f)})`).join('; ')}.`;
}

/** The results as a plain-text table for the terminal. */
export function renderTable(report: BenchReport): string {
  const header = ['GROUP', 'FIGURE', 'VALUE', 'RELATIVE', 'TARGET', 'MET'];
  const rows = report.figures.map((f) => [f.group, f.name, valueText(f), relativeText(f), targetText(f), metText(f)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const notes = report.figures.filter((f) => f.note !== undefined).map((f) => `  - ${f.name}: ${f.note}`);
  return [`Machine: ${machineLine(report)}`, '', line(header), ...rows.map(line), ...(notes.length > 0 ? ['', 'Notes:', ...notes] : []), '', missedLine(report)].join('\n');
}

/** The results as Markdown, for BENCHMARKS.md. */
export function renderMarkdown(report: BenchReport): string {
  const escape = (text: string) => text.replaceAll('|', '\\|');
  const lines = [
    `Measured with \`npm run bench${report.args.users === 100 ? '' : ` -- --users ${report.args.users}`}\` on: ${machineLine(report)}.`,
    '',
    '| Group | Figure | Value | Relative | Target | Met | Notes |',
    '|---|---|---:|---:|---|---|---|',
    ...report.figures.map((f) => `| ${escape(f.group)} | ${escape(f.name)} | ${escape(valueText(f))} | ${escape(relativeText(f))} | ${escape(targetText(f))} | ${metText(f)} | ${escape(f.note ?? '')} |`),
    '',
    missedLine(report),
  ];
  const throughput = report.details['throughput'] as { perUserByEndpoint?: Array<{ endpoint: string; calls: number }> } | undefined;
  if (throughput?.perUserByEndpoint !== undefined) {
    lines.push('', 'API calls per user in the throughput run, by endpoint:', '', '| Endpoint | Calls per user |', '|---|---:|', ...throughput.perUserByEndpoint.map((e) => `| \`${e.endpoint}\` | ${e.calls} |`));
  }
  return lines.join('\n');
}
