import type { CommandIo } from '../command-runner.js';
import { Runtime, type LoadedWorkflow } from '../../runtime/runtime.js';
import { planRun, type PlanResult } from '../../runner/plan-run.js';
import type { ConsoleOptions } from '../../runner/run-services.js';
import { createRunLogger, consoleModeFor } from '../../logging/run-logger.js';
import type { RunData } from '../../language/types.js';
import type { WorkflowOptions } from './run-options.js';

/** The runtime for a command that executes workflows, from its options. */
export async function runtimeFor(options: Pick<WorkflowOptions, 'config' | 'plugin' | 'store' | 'sandbox' | 'sandboxReset'>, io: CommandIo): Promise<Runtime> {
  return Runtime.create({
    cwd: io.cwd,
    env: io.env,
    ...(options.config === undefined ? {} : { configFile: options.config }),
    plugins: options.plugin,
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
    ...(options.sandboxReset ? { sandboxReset: true } : {}),
    log: (line) => io.stderr.write(`${line}\n`),
  });
}

/** How the live progress view is drawn on stderr for these options. */
export function consoleFor(options: { quiet?: boolean }, io: CommandIo): ConsoleOptions {
  const stream = io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  return { stream, mode: consoleModeFor(stream, { ...io.env }, options.quiet === true) };
}

/** The `reason` of a run: `--reason`, else a declared `reason` input's value. */
export function reasonFor(options: { reason?: string }, inputs: Record<string, unknown>): string | undefined {
  if (options.reason !== undefined && options.reason.trim() !== '') return options.reason.trim();
  return typeof inputs['reason'] === 'string' && inputs['reason'].trim() !== '' ? inputs['reason'].trim() : undefined;
}

/** Plans one run of a loaded workflow. */
export async function planOnce(
  runtime: Runtime,
  loaded: LoadedWorkflow,
  inputs: Record<string, unknown>,
  vars: Record<string, unknown>,
  initiatedBy: string,
  reason: string | undefined,
  options: { quiet?: boolean },
  io: CommandIo,
): Promise<PlanResult> {
  const runId = `plan-${Date.now().toString(36)}`;
  const data: RunData = {
    inputs,
    vars,
    event: {},
    steps: {},
    run: { id: runId, workflow_id: loaded.workflow.id, started_at: new Date().toISOString(), initiated_by: initiatedBy, ...(reason === undefined ? {} : { reason }), dry_run: true },
  };
  // Actions' own warnings still reach stderr; step progress is not shown for a plan.
  const logger = createRunLogger({ runId, workflowId: loaded.workflow.id, redactor: runtime.services.redactor, console: { stream: io.stderr as NodeJS.WritableStream, mode: options.quiet ? 'silent' : 'quiet' } });
  try {
    return await planRun({ workflow: loaded.workflow, data, logger, signal: new AbortController().signal, template: { path: loaded.file, text: loaded.source } }, runtime.services);
  } finally {
    await logger.close();
  }
}
