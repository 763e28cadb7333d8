import { UsageError } from '../../errors/usage-errors.js';
import { terminalSafe } from '../../logging/terminal-text.js';
import type { CaseResult } from '../../template-tests/run-case.js';
import { runTemplateTests } from '../../template-tests/run-tests.js';
import { show } from '../../template-tests/subset-match.js';
import { coloursFor, ExitCode, type CommandIo } from '../command-runner.js';
import type { Colours } from '../format/colours.js';
import { problemToJson } from '../format/problem-json.js';
import { formatProblems, SourceLines } from '../format/problem-report.js';
import type { TestOptions } from './test.js';

/** Cases run at once unless `--concurrency` says otherwise: each starts its own emulator. */
const DEFAULT_CONCURRENCY = 4;

/**
 * `idflow test`: runs the template tests under `paths` (default: the working directory),
 * printing a line per case as it ends (✓/✗, file, name, duration) and, for a failed case,
 * each difference; then the problems that kept files from running and a summary.
 *
 * @returns 0 when every case passed, 1 when one failed, 2 when a file or template had problems.
 */
export async function testCommand(paths: readonly string[], options: TestOptions, io: CommandIo): Promise<number> {
  const concurrency = options.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64 (got ${JSON.stringify(options.concurrency)})`);
  const colours = coloursFor(io);
  const started = performance.now();
  if (!options.json) io.stderr.write('idflow test: sandbox only (the built-in emulator, in this process, with a temporary store); nothing reaches a real organisation\n');
  const report = await runTemplateTests({
    cwd: io.cwd,
    env: io.env,
    plugins: options.plugin,
    ...(options.config === undefined ? {} : { configFile: options.config }),
    paths: paths.length > 0 ? paths : ['.'],
    concurrency,
    ...(options.filter === undefined ? {} : { filter: options.filter }),
    ...(options.json ? {} : { onResult: (result: CaseResult) => io.stdout.write(`${formatResult(result, colours)}\n`) }),
  });
  const passed = report.results.filter((r) => r.passed).length;
  const failed = report.results.length - passed;
  const code = report.problems.some((p) => p.severity === 'error') ? ExitCode.invalid : failed > 0 ? ExitCode.failure : ExitCode.ok;
  if (options.json) {
    io.stdout.write(`${JSON.stringify({
      passed,
      failed,
      files: report.files,
      cases: report.results.map((r) => ({
        file: r.file, name: r.name, passed: r.passed, status: r.status, duration_ms: Math.round(r.durationMs),
        ...(r.runId === undefined ? {} : { run_id: r.runId }),
        differences: r.differences, problems: r.problems.map(problemToJson),
      })),
      problems: report.problems.map(problemToJson),
    }, null, 2)}\n`);
    return code;
  }
  if (report.problems.length > 0) io.stdout.write(`\n${formatProblems(report.problems, new SourceLines(report.sources), colours)}\n`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const summary = [
    `${passed} passed`,
    ...(failed > 0 ? [`${failed} failed`] : []),
    ...(report.problems.length > 0 ? [`${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} kept cases from running`] : []),
  ].join(', ');
  io.stdout.write(`\n${failed > 0 || code !== ExitCode.ok ? colours.error(summary) : summary} (${report.results.length} case${report.results.length === 1 ? '' : 's'} in ${report.files.length} file${report.files.length === 1 ? '' : 's'}, ${seconds} s)\n`);
  return code;
}

/** A case's line and, when it failed, each difference and problem under it. */
export function formatResult(result: CaseResult, colours: Colours): string {
  const duration = result.durationMs < 1000 ? `${Math.round(result.durationMs)} ms` : `${(result.durationMs / 1000).toFixed(1)} s`;
  const head = `${result.passed ? '✓' : colours.error('✗')} ${result.file} › ${terminalSafe(result.name)} ${colours.dim(`(${duration})`)}`;
  if (result.passed) return head;
  const lines = [head];
  for (const difference of result.differences) {
    lines.push(`    ${colours.location(difference.path)}: ${terminalSafe(difference.message, { keepNewlines: false })}`);
    if (difference.expected !== undefined && difference.actual !== undefined && !difference.message.includes('missing') && !difference.message.includes('unexpected')) {
      lines.push(`      ${colours.dim('expected:')} ${terminalSafe(show(difference.expected))}`, `      ${colours.dim('actual:  ')} ${terminalSafe(show(difference.actual))}`);
    }
  }
  if (result.problems.length > 0) lines.push(formatProblems(result.problems, new SourceLines(), colours).split('\n').map((line) => `    ${line}`).join('\n'));
  return lines.join('\n');
}
