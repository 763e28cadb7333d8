import { createInterface } from 'node:readline/promises';
import { ExitCode, type CommandIo } from '../command-runner.js';
import { handleInterrupts, exitCodeFor } from '../interrupts.js';
import { renderPlan } from '../format/plan-view.js';
import type { Runtime, LoadedWorkflow } from '../../runtime/runtime.js';
import { readBulkRows, type BulkRow } from '../../bulk/read-bulk-rows.js';
import { startRun, renderSubject, redactSecretInputs } from '../../runner/start-run.js';
import { checkParamsBeforeRun } from '../../runner/check-params-early.js';
import type { RunOutcome } from '../../runner/run-session.js';
import type { PartialResult } from '../../runner/failure-report.js';
import { terminalSafe } from '../../logging/terminal-text.js';
import { runPool } from '../../runner/concurrency-pool.js';
import type { Problem } from '../../diagnostics/problem.js';
import { ValidationError, UsageError } from '../../errors/usage-errors.js';
import { classifyError } from '../../errors/classify.js';
import { formatMs } from '../../runner/step-signal.js';
import { consoleFor, planOnce, reasonFor } from './execution.js';
import type { RunOptions } from './run-handler.js';
import { templatePin } from '../../runtime/template-pin.js';

/** Bulk runs start at most this many subjects without confirmation unless the config says otherwise. */
export const DEFAULT_BLAST_RADIUS = 10;

/** Runs in flight at once in a bulk run unless `--concurrency` says otherwise. */
export const DEFAULT_BULK_CONCURRENCY = 4;

interface PreparedRow {
  row: BulkRow;
  inputs: Record<string, unknown>;
  subject: string;
}

/** One row's result, as printed and as `--json` gives it. */
interface RowResult {
  line: number;
  subject: string;
  runId?: string;
  status: RunOutcome['status'] | 'not started';
  durationMs?: number;
  output?: unknown;
  error?: string;
  /** A run that did not succeed: the step that failed it, its error code, and each step's tally (see PartialResult). */
  failedStep?: string;
  errorCode?: string;
  steps?: PartialResult['steps'];
}

/**
 * `idflow run|plan WORKFLOW --inputs-file users.csv`: one run per row. Every row is checked
 * before anything runs (a bad row stops the whole batch: exit 2); more subjects than the blast
 * radius need `--yes` or a confirmation; runs go `--concurrency` at a time; a line per finished
 * run, and a summary table at the end.
 */
export async function runBulk(args: {
  runtime: Runtime;
  loaded: LoadedWorkflow;
  bulkFile: string;
  pairs: Record<string, string>;
  options: RunOptions;
  planOnly: boolean;
  io: CommandIo;
}): Promise<number> {
  const { runtime, loaded, bulkFile, pairs, options, planOnly, io } = args;
  const concurrency = options.concurrency === undefined ? DEFAULT_BULK_CONCURRENCY : Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a whole number of at least 1, got ${JSON.stringify(options.concurrency)}`);
  const vars = runtime.resolveVars(loaded.workflow);
  const initiatedBy = runtime.initiatedBy(options.initiatedBy);
  const prepared = prepareRows(runtime, loaded, bulkFile, pairs, vars, initiatedBy);

  if (planOnly) {
    const plans = [];
    for (const { inputs } of prepared) {
      redactSecretInputs(loaded.workflow, inputs, runtime.services);
      const plan = await planOnce(runtime, loaded, inputs, vars, initiatedBy, reasonFor(options, inputs), options, io);
      plans.push(plan);
      if (!options.json) io.stdout.write(`${runtime.services.redactor.redact(renderPlan(plan, consoleFor(options, io).mode === 'pretty' ? 'pretty' : 'plain'))}\n\n`);
    }
    if (options.json) io.stdout.write(`${runtime.services.redactor.redactJson(JSON.stringify(plans, null, 2))}\n`);
    return plans.some((plan) => plan.steps.some((step) => step.status === 'error')) ? ExitCode.failure : ExitCode.ok;
  }

  const radius = runtime.environment.config.run.blast_radius ?? DEFAULT_BLAST_RADIUS;
  if (prepared.length > radius && !options.yes) await confirm(prepared.length, radius, loaded, io);

  const results: RowResult[] = prepared.map(({ row, subject }) => ({ line: row.line, subject, status: 'not started' }));
  const interrupts = handleInterrupts((signal) => io.stderr.write(`\nidflow: ${signal}: no new runs will start; runs in progress stop after their current step\n`));
  const total = prepared.length;
  let done = 0;
  io.stderr.write(`Starting ${total} run${total === 1 ? '' : 's'} of ${loaded.workflow.name}, ${Math.min(concurrency, total)} at a time\n`);
  try {
    await runPool(prepared.map((_, i) => i), concurrency, async (i) => {
      const { inputs } = prepared[i] as PreparedRow;
      const result = results[i] as RowResult;
      const started = Date.now();
      try {
        const reason = reasonFor(options, inputs);
        const outcome = await startRun({
          workflow: loaded.workflow,
          template: templatePin(loaded),
          inputs,
          vars,
          trigger: { type: 'bulk', source: bulkFile },
          initiatedBy,
          ...(reason === undefined ? {} : { reason }),
          signal: interrupts.signal,
          // Per-run step lines from several runs at once are unreadable; each run's log file has them.
          console: { stream: io.stderr as NodeJS.WritableStream, mode: 'silent' },
        }, runtime.services);
        const output = outcome.output ?? outcome.partial?.output;
        Object.assign(result, {
          runId: outcome.runId,
          status: outcome.status,
          ...(output === undefined ? {} : { output: outcome.partial === undefined ? output : failedOutput(output) }),
          ...(outcome.error ? { error: outcome.error.message, errorCode: outcome.error.code } : {}),
          ...(outcome.failedStep === undefined ? {} : { failedStep: outcome.failedStep }),
          ...(outcome.partial === undefined ? {} : { steps: outcome.partial.steps }),
        });
      } catch (error) {
        Object.assign(result, { status: 'failed', error: classifyError(error).message });
      }
      result.durationMs = Date.now() - started;
      done++;
      if (!options.quiet) io.stderr.write(`${terminalSafe(runtime.services.redactor.redact(progressLine(done, total, result)))}\n`);
    }, () => interrupts.signal.aborted);
  } finally {
    interrupts.dispose();
  }
  // Redacted at the sink: returned data and error messages may hold secret values.
  const shown = runtime.services.redactor.redactDeep(results);
  if (options.json) io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  else io.stdout.write(`${summaryTable(shown)}\n`);
  const signal = interrupts.received();
  if (signal !== undefined) return exitCodeFor(signal);
  return results.every((r) => r.status === 'succeeded' || r.status === 'skipped') ? ExitCode.ok : ExitCode.failure;
}

/** Checks every row (inputs, subject, duplicates, the step parameters it decides) before anything runs. */
function prepareRows(runtime: Runtime, loaded: LoadedWorkflow, bulkFile: string, pairs: Record<string, string>, vars: Record<string, unknown>, initiatedBy: string): PreparedRow[] {
  const rows = readBulkRows(bulkFile);
  if (rows.length === 0) throw new ValidationError('INVALID_INPUT', `${bulkFile} has no rows: nothing to run`);
  const problems: Problem[] = [];
  const prepared: PreparedRow[] = [];
  const bySubject = new Map<string, number>();
  for (const row of rows) {
    const at = (p: Problem): Problem => ({ ...p, file: bulkFile, line: row.line, column: 1, message: `row at line ${row.line}: ${p.message}` });
    let inputs: Record<string, unknown>;
    try {
      inputs = row.strings
        ? runtime.resolveInputs(loaded.workflow, { pairs: { ...pairs, ...(row.values as Record<string, string>) } })
        : runtime.resolveInputs(loaded.workflow, { pairs, file: { values: row.values, problems: [], origin: { file: bulkFile }, source: '' } });
    } catch (error) {
      if (error instanceof ValidationError) {
        problems.push(...error.problems.map(at));
        continue;
      }
      throw error;
    }
    const data = { inputs, vars, event: {}, steps: {}, run: { id: 'bulk', workflow_id: loaded.workflow.id, started_at: new Date().toISOString(), initiated_by: initiatedBy, dry_run: false } };
    const subject = renderSubject(loaded.workflow, data, runtime.services) ?? `line ${row.line}`;
    const key = subject.toLowerCase();
    const earlier = bySubject.get(key);
    if (earlier !== undefined) {
      problems.push(at({ file: bulkFile, line: row.line, column: 1, path: '', code: 'duplicate-subject', message: `is for "${subject}" again (first at line ${earlier}); one run per subject`, severity: 'error' }));
      continue;
    }
    bySubject.set(key, row.line);
    try {
      // A row whose values make a step parameter invalid refuses the batch, like a bad input.
      checkParamsBeforeRun(loaded.workflow, data, runtime.services);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.problems.map(at));
      continue;
    }
    prepared.push({ row, inputs, subject });
  }
  if (problems.length > 0) {
    throw new ValidationError('INVALID_INPUT', `${bulkFile}: ${problems.length} row problem${problems.length === 1 ? '' : 's'}; nothing was run`, problems);
  }
  return prepared;
}

/** Asks before a batch larger than the blast radius; refuses without a terminal. */
async function confirm(count: number, radius: number, loaded: LoadedWorkflow, io: CommandIo): Promise<void> {
  const message = `This would start ${count} runs of "${loaded.workflow.name}", more than the blast radius of ${radius}`;
  if (!process.stdin.isTTY || !(io.stderr as { isTTY?: boolean }).isTTY) {
    throw new UsageError(`${message}; add --yes to confirm (or raise run.blast_radius in the config)`);
  }
  const prompt = createInterface({ input: process.stdin, output: io.stderr as NodeJS.WritableStream });
  try {
    const answer = await prompt.question(`${message}. Type the number of runs (${count}) to go on: `);
    if (answer.trim() !== String(count)) throw new UsageError('Not confirmed; nothing was run');
  } finally {
    prompt.close();
  }
}

function progressLine(done: number, total: number, result: RowResult): string {
  const width = String(total).length;
  const mark = result.status === 'succeeded' ? 'ok  ' : result.status === 'skipped' ? 'skip' : result.status === 'interrupted' || result.status === 'cancelled' ? 'stop' : 'FAIL';
  const timing = result.durationMs === undefined ? '' : `  ${formatMs(result.durationMs)}`;
  return `[${String(done).padStart(width)}/${total}] ${mark} ${result.subject}  ${result.runId ?? ''}${timing}${result.error ? `  ${result.error}` : ''}`;
}

/** The returned data of a run that did not succeed, as far as it rendered: marked `success: false`. */
function failedOutput(output: unknown): unknown {
  return typeof output === 'object' && output !== null && !Array.isArray(output) ? { ...output, success: false } : output;
}

/** The table printed after a bulk run. */
export function summaryTable(results: readonly RowResult[]): string {
  const count = (status: RowResult['status']) => results.filter((r) => r.status === status).length;
  const header = ['LINE', 'SUBJECT', 'STATUS', 'RUN', 'ERROR'];
  // Subjects and errors come from the bulk file's rows: shown terminal-safe.
  const rows = results.map((r) => [String(r.line), r.subject, r.status, r.runId ?? '-', r.error ?? ''].map((cell) => terminalSafe(cell)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const format = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  const lines = [format(header), ...rows.map(format)];
  const parts = [`${count('succeeded')} succeeded`, `${count('failed')} failed`];
  if (count('skipped') > 0) parts.push(`${count('skipped')} skipped`);
  if (count('interrupted') > 0) parts.push(`${count('interrupted')} interrupted`);
  if (count('cancelled') > 0) parts.push(`${count('cancelled')} cancelled`);
  if (count('not started') > 0) parts.push(`${count('not started')} not started`);
  lines.push('', `${results.length} runs: ${parts.join(', ')}`);
  return lines.join('\n');
}
