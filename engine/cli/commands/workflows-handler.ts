import { resolve } from 'node:path';
import { ExitCode, type CommandIo } from '../command-runner.js';
import { UsageError, ValidationError } from '../../errors/usage-errors.js';
import { didYouMean } from '../../diagnostics/suggest.js';
import type { Runtime } from '../../runtime/runtime.js';
import { formatLocalTime, formatTable } from '../../store/text-layout.js';
import { loadWorkflowFolder, type WorkflowFolder } from '../../workflows/workflow-folder.js';
import { WorkflowStateStore } from '../../workflows/workflow-state.js';
import { summariseWorkflows, type TriggerSummary, type WorkflowSummary } from '../../workflows/workflow-summary.js';
import { runtimeFor } from './execution.js';
import type { WorkflowsOptions, WorkflowSwitchOptions } from './workflows.js';

/** The folder `serve` and `workflows` read when `--workflows` is not given. */
export const DEFAULT_WORKFLOWS_DIR = 'templates';

/**
 * `idflow workflows list`: every template of the folder with its enabled state, triggers, last
 * run and next scheduled time.
 * @throws ValidationError (exit 2) listing every problem when a template in the folder is invalid.
 */
export async function workflowsListCommand(options: WorkflowsOptions, io: CommandIo): Promise<number> {
  const { runtime, folder } = await openFolder(options, io);
  try {
    failOnProblems(folder);
    const summaries = summariseWorkflows(folder.workflows, { states: new WorkflowStateStore(runtime.services.store.root), store: runtime.services.store });
    if (options.json) io.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    else io.stdout.write(`${formatWorkflowsTable(summaries, folder.dir)}\n`);
    return ExitCode.ok;
  } finally {
    await runtime.close();
  }
}

/**
 * `idflow workflows enable|disable ID`: switches a workflow of the folder, recording who and why.
 * @throws UsageError (exit 2) when no template in the folder has that id.
 */
export async function workflowSwitchCommand(id: string, enabled: boolean, options: WorkflowSwitchOptions, io: CommandIo): Promise<number> {
  const { runtime, folder } = await openFolder(options, io);
  try {
    const ids = folder.workflows.map((loaded) => loaded.workflow.id);
    if (!ids.includes(id)) {
      const hint = didYouMean(id, ids);
      const invalid = folder.problems.some((p) => p.severity === 'error') ? ' (some templates there have problems: "idflow workflows list" shows them)' : '';
      throw new UsageError(`No workflow "${id}" in ${folder.dir}${invalid}.${hint === undefined ? ` Known: ${ids.join(', ') || 'none'}.` : ` ${hint}`}`);
    }
    const states = new WorkflowStateStore(runtime.services.store.root);
    const { state, changed } = states.set(id, enabled, { changedBy: runtime.initiatedBy(options.by), ...(options.reason === undefined ? {} : { reason: options.reason }) });
    if (options.json) io.stdout.write(`${JSON.stringify({ ...state, changed })}\n`);
    else io.stdout.write(`${id} ${changed ? 'is now' : 'was already'} ${enabled ? 'enabled' : 'disabled'}${enabled ? '' : ': its triggers do not fire in idflow serve (a manual idflow run still works)'}\n`);
    return ExitCode.ok;
  } finally {
    await runtime.close();
  }
}

/** The workflows table: id, state, triggers, last run and next scheduled time. */
export function formatWorkflowsTable(summaries: readonly WorkflowSummary[], dir: string): string {
  if (summaries.length === 0) return `No templates in ${dir}.`;
  const rows = summaries.map((s) => [
    s.id,
    s.enabled ? 'enabled' : 'disabled',
    s.triggers.map(describeTrigger).join(', '),
    s.lastRun === null ? '-' : `${s.lastRun.status} ${formatLocalTime(s.lastRun.startedAt)} (${s.lastRun.id})`,
    s.nextScheduled === null ? '-' : formatLocalTime(s.nextScheduled),
  ]);
  return formatTable(['ID', 'STATE', 'TRIGGERS', 'LAST RUN', 'NEXT'], rows);
}

function describeTrigger(trigger: TriggerSummary): string {
  switch (trigger.type) {
    case 'event':
      return `event ${trigger.event ?? ''}${trigger.conditional ? ' (if)' : ''}`;
    case 'schedule':
      return `schedule "${trigger.cron ?? ''}" ${trigger.timezone ?? 'UTC'}`;
    default:
      return trigger.type;
  }
}

async function openFolder(options: WorkflowsOptions, io: CommandIo): Promise<{ runtime: Runtime; folder: WorkflowFolder }> {
  const runtime = await runtimeFor(options, io);
  try {
    const configFile = runtime.environment.loadedConfig.file;
    return { runtime, folder: await loadWorkflowFolder(runtime, options.workflows ?? DEFAULT_WORKFLOWS_DIR, io.cwd, configFile === undefined ? {} : { exclude: [resolve(io.cwd, configFile)] }) };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

function failOnProblems(folder: WorkflowFolder): void {
  const errors = folder.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const files = new Set(errors.map((p) => p.file)).size;
    throw new ValidationError('INVALID_TEMPLATE', `${errors.length} problem${errors.length === 1 ? '' : 's'} in ${files} template${files === 1 ? '' : 's'} of ${folder.dir}`, folder.problems);
  }
}
