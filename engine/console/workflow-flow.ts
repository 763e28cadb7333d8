import { basename } from 'node:path';
import type { Step, Workflow } from '../language/types.js';

/** One step as the flow drawing shows it. */
export interface FlowStep {
  id: string;
  name?: string;
  action: string;
  /** The step's `if`, as JSON-logic text. */
  condition?: string;
  /** The step's `foreach`: its template, or the literal list as JSON. */
  foreach?: string;
  /** With foreach: how many items run at once, when more than one. */
  concurrency?: number;
  /** For `workflow.run` steps: the workflow it starts, linked when serve serves it. */
  subWorkflow?: { label: string; href?: string };
  /** Retry, timeout, continue_on_error, verify: the settings that change how the step runs. */
  notes: string[];
}

/** A workflow's steps and `on_failure` steps, for the flow drawing. */
export interface WorkflowFlow {
  steps: FlowStep[];
  onFailure: FlowStep[];
}

/**
 * The steps of a workflow as boxes: id, name, action, condition, foreach and the settings that
 * change how a step runs; a `workflow.run` step names the workflow it starts, linked to its
 * page when `servedId` finds it among the served workflows.
 *
 * @param servedId - the id of the served workflow a `workflow.run` parameter names, if any.
 */
export function workflowFlow(workflow: Workflow, servedId: (reference: string) => string | undefined): WorkflowFlow {
  const box = (step: Step): FlowStep => {
    const notes: string[] = [];
    if (step.retry !== undefined) notes.push(`up to ${step.retry.attempts} attempt${step.retry.attempts === 1 ? '' : 's'}`);
    if (step.timeoutMs !== undefined) notes.push(`timeout ${Math.round(step.timeoutMs / 1000)}s`);
    if (step.continue_on_error) notes.push('continues on error');
    if (step.verify) notes.push('verified after it runs');
    const reference = step.action === 'workflow.run' && typeof step.with['workflow'] === 'string' ? step.with['workflow'] : undefined;
    const served = reference === undefined ? undefined : servedId(reference);
    return {
      id: step.id,
      ...(step.name === undefined ? {} : { name: step.name }),
      action: step.action,
      ...(step.if === undefined ? {} : { condition: JSON.stringify(step.if) }),
      ...(step.foreach === undefined ? {} : { foreach: typeof step.foreach === 'string' ? step.foreach : JSON.stringify(step.foreach) }),
      ...(step.foreach !== undefined && step.concurrency > 1 ? { concurrency: step.concurrency } : {}),
      ...(reference === undefined ? {} : { subWorkflow: { label: reference, ...(served === undefined ? {} : { href: `/workflows/${encodeURIComponent(served)}` }) } }),
      notes,
    };
  };
  return { steps: workflow.steps.map(box), onFailure: workflow.on_failure.map(box) };
}

/**
 * Finds the served workflow a `workflow.run` parameter names: by id (a template shipped with
 * idflow is named by its id), or by file name (a path relative to the template).
 */
export function servedWorkflowFinder(served: ReadonlyArray<{ id: string; file: string }>): (reference: string) => string | undefined {
  return (reference) => {
    const byId = served.find((workflow) => workflow.id === reference);
    if (byId !== undefined) return byId.id;
    const name = basename(reference).replace(/\.ya?ml$/, '');
    return served.find((workflow) => basename(workflow.file).replace(/\.ya?ml$/, '') === name)?.id;
  };
}
