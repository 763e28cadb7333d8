import { resolve } from 'node:path';
import { ExitCode, type CommandIo } from '../command-runner.js';
import { handleInterrupts, exitCodeFor } from '../interrupts.js';
import { renderPlan } from '../format/plan-view.js';
import { readInputsFile } from '../../inputs/index.js';
import { redactSecretInputs, startRun } from '../../runner/start-run.js';
import type { RunOutcome } from '../../runner/run-session.js';
import { UsageError } from '../../errors/usage-errors.js';
import type { Redactor } from '../../logging/redactor.js';
import { parseInputPairs, type WorkflowOptions } from './run-options.js';
import { runBulk } from './run-bulk.js';
import { consoleFor, planOnce, reasonFor, runtimeFor } from './execution.js';
import { disabledWorkflowWarning } from '../../workflows/workflow-state.js';
import { templatePin } from '../../runtime/template-pin.js';
import { failureJson } from '../../runner/failure-report.js';
import { terminalSafe } from '../../logging/terminal-text.js';

/** Options of `idflow run` (and `plan`, which ignores the bulk-only ones). */
export interface RunOptions extends WorkflowOptions {
  dryRun?: boolean;
  concurrency?: string;
  yes?: boolean;
}

/**
 * `idflow run WORKFLOW` and `idflow plan WORKFLOW`: check the template and inputs (nothing
 * runs when they have problems: exit 2), then plan or run, once or once per row of
 * `--inputs-file`.
 */
export async function runWorkflowCommand(file: string, options: RunOptions, mode: 'run' | 'plan', io: CommandIo): Promise<number> {
  const pairs = parseInputPairs(options.input);
  if ('error' in pairs) throw new UsageError(pairs.error);
  if (options.inputsFile !== undefined && options.inputs !== undefined) throw new UsageError('--inputs and --inputs-file cannot be used together: put the common values in --input, or in every row');
  const planOnly = mode === 'plan' || options.dryRun === true;
  const runtime = await runtimeFor(options, io);
  try {
    const loaded = await runtime.loadWorkflow(file);
    if (!planOnly) {
      const disabled = disabledWorkflowWarning(runtime.services.store.root, loaded.workflow.id);
      if (disabled !== undefined) io.stderr.write(`idflow: warning: ${terminalSafe(disabled, { keepNewlines: true })}\n`);
    }
    if (options.inputsFile !== undefined) {
      return await runBulk({ runtime, loaded, bulkFile: resolve(io.cwd, options.inputsFile), pairs: pairs.values, options, planOnly, io });
    }
    const inputsFile = options.inputs === undefined ? undefined : await readInputsFile(resolve(io.cwd, options.inputs));
    const inputs = runtime.resolveInputs(loaded.workflow, { pairs: pairs.values, ...(inputsFile === undefined ? {} : { file: inputsFile }) });
    const vars = runtime.resolveVars(loaded.workflow);
    const initiatedBy = runtime.initiatedBy(options.initiatedBy);
    const reason = reasonFor(options, inputs);
    if (planOnly) {
      // Secret inputs are redacted in a plan as in a run (the plan shows rendered parameters).
      redactSecretInputs(loaded.workflow, inputs, runtime.services);
      const plan = await planOnce(runtime, loaded, inputs, vars, initiatedBy, reason, options, io);
      const text = options.json ? JSON.stringify(plan, null, 2) : renderPlan(plan, consoleFor(options, io).mode === 'pretty' ? 'pretty' : 'plain');
      io.stdout.write(`${options.json ? runtime.services.redactor.redactJson(text) : runtime.services.redactor.redact(text)}\n`);
      return plan.steps.some((step) => step.status === 'error') ? ExitCode.failure : ExitCode.ok;
    }
    const interrupts = handleInterrupts((signal) => io.stderr.write(`\nidflow: ${signal}: stopping after the current step (press Ctrl-C again to stop at once)\n`));
    try {
      const outcome = await startRun({
        workflow: loaded.workflow,
        template: templatePin(loaded),
        inputs,
        vars,
        trigger: { type: 'manual' },
        initiatedBy,
        ...(reason === undefined ? {} : { reason }),
        signal: interrupts.signal,
        console: consoleFor(options, io),
      }, runtime.services);
      return reportOutcome(outcome, options, io, interrupts.received(), runtime.services.redactor);
    } finally {
      interrupts.dispose();
    }
  } finally {
    await runtime.close();
  }
}

/**
 * Prints a run's outcome (the returned data on stdout, hints on stderr) and returns the exit code.
 * The returned data is redacted here, at the sink, like everything else a run writes: a template
 * may return a value that is a secret, or holds one. With `--json`, a run that failed or was
 * interrupted prints its result too (see {@link failureJson}): what it had done, the failed step
 * and the error, so that a script knows what was revoked before it stopped.
 */
export function reportOutcome(outcome: RunOutcome, options: { json?: boolean; quiet?: boolean }, io: CommandIo, signal: NodeJS.Signals | undefined, redactor: Pick<Redactor, 'redactDeep'>): number {
  if (outcome.status === 'succeeded' || outcome.status === 'skipped') {
    const output = redactor.redactDeep(outcome.output);
    if (options.json) io.stdout.write(`${JSON.stringify(output ?? null)}\n`);
    else if (output !== undefined) io.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    if (!options.json && !options.quiet) io.stderr.write(`Details: idflow runs show ${outcome.runId}\n`);
    return ExitCode.ok;
  }
  if (options.json) io.stdout.write(`${JSON.stringify(redactor.redactDeep(failureJson(outcome, outcome.partial)))}\n`);
  io.stderr.write(`Details: idflow runs show ${outcome.runId}   Resume: idflow resume ${outcome.runId}\n`);
  if (outcome.status === 'interrupted') return signal === undefined ? ExitCode.failure : exitCodeFor(signal);
  return ExitCode.failure;
}
