import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { ChildWorkflowRequest, ChildWorkflowResult } from '../plugin-api/context.js';
import { CancelledError, PermanentError } from '../errors/action-errors.js';
import { ValidationError } from '../errors/usage-errors.js';
import { resolveInputs } from '../inputs/index.js';
import { packageRoot } from '../loader/package-files.js';
import { startRun } from '../runner/start-run.js';
import { resumeRun } from '../runner/resume-run.js';
import type { RunOutcome } from '../runner/run-session.js';
import type { ParentRun } from '../runner/run-services.js';
import type { RunHandle } from '../store/run-store.js';
import type { Runtime } from './runtime.js';
import { templatePin } from './template-pin.js';

/**
 * Where a `workflow.run` reference points: a template path relative to the parent template,
 * the same with `.yaml` added, or the id of a template shipped in idflow's `templates/`.
 */
export function resolveChildTemplate(reference: string, parentTemplate: string): string {
  const base = dirname(parentTemplate);
  const candidates = isAbsolute(reference)
    ? [reference]
    : [resolve(base, reference), resolve(base, `${reference}.yaml`), join(packageRoot(), 'templates', `${reference}.yaml`)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new PermanentError(`Sub-workflow "${reference}" not found; looked for ${candidates.join(', ')}`, { code: 'WORKFLOW_NOT_FOUND' });
  }
  return found;
}

/**
 * The runtime's `runChild`: runs another template as a child of the current run (linked both
 * ways in the run records), or, when the parent is being resumed and its child had started,
 * resumes that child instead of starting a second one.
 */
export function createChildRunner(runtime: Runtime): (request: ChildWorkflowRequest, parent: ParentRun) => Promise<ChildWorkflowResult> {
  return async (request, parent) => {
    const { services } = runtime;
    if (parent.existingChildRunId !== undefined) {
      const handle = services.store.openRun(parent.existingChildRunId);
      const meta = handle.meta();
      if (meta.status === 'succeeded' || meta.status === 'skipped') return result(handle, { runId: handle.id, status: meta.status, output: handle.output() });
      const loaded = await runtime.loadPinnedWorkflow(handle.templateText(), meta.templatePath);
      const outcome = await resumeRun({ handle, workflow: loaded.workflow, templateChanged: false, signal: parent.signal, ...(parent.drain === undefined ? {} : { drain: parent.drain }), console: parent.console }, services);
      return result(handle, outcome);
    }
    const file = resolveChildTemplate(request.workflow, parent.templatePath);
    const loaded = await runtime.loadWorkflow(file);
    const { workflow } = loaded;
    if (!workflow.triggers.some((trigger) => trigger.type === 'workflow')) {
      throw new PermanentError(`${file} (${workflow.id}) cannot run as a sub-workflow: it does not declare the trigger {type: workflow}`, { code: 'NOT_A_SUB_WORKFLOW' });
    }
    const inputs = resolveInputs(workflow.inputs, request.inputs, { origin: `inputs for sub-workflow ${workflow.id}` });
    if (inputs.problems.some((p) => p.severity === 'error')) {
      throw new ValidationError('INVALID_INPUT', `The inputs given to sub-workflow ${workflow.id} have problems: ${inputs.problems.map((p) => p.message).join('; ')}`, inputs.problems);
    }
    const outcome = await startRun({
      workflow,
      template: templatePin(loaded),
      inputs: inputs.values,
      vars: runtime.resolveVars(workflow),
      trigger: { type: 'workflow', source: parent.runId },
      initiatedBy: parent.initiatedBy,
      ...(parent.reason === undefined ? {} : { reason: parent.reason }),
      parentRunId: parent.runId,
      signal: parent.signal,
      ...(parent.drain === undefined ? {} : { drain: parent.drain }),
      console: { ...parent.console, prefix: parent.console.prefix === undefined ? workflow.id : `${parent.console.prefix} › ${workflow.id}` },
      onRunCreated: (runId) => parent.onChildStarted(runId, workflow.id),
    }, services);
    return result(services.store.openRun(outcome.runId), outcome);
  };
}

function result(handle: RunHandle, outcome: Pick<RunOutcome, 'runId' | 'status' | 'output'> & { error?: Error }): ChildWorkflowResult {
  if (outcome.status === 'interrupted') throw new CancelledError(`Sub-workflow run ${outcome.runId} was interrupted`);
  const changed = handle.events().some((event) => event.type === 'step.finished' && event.changed === true);
  return {
    runId: outcome.runId,
    // A cancelled sub-workflow fails the parent's step (with who cancelled it): the parent
    // neither goes on as if it had run nor waits to resume it behind the canceller's back.
    status: outcome.status === 'cancelled' ? 'failed' : outcome.status,
    changed,
    output: outcome.output ?? null,
    ...(outcome.error === undefined ? {} : { error: outcome.error.message }),
  };
}
