import { evaluateCondition } from '../conditions/index.js';
import { classifyError } from '../errors/classify.js';
import { resolveInputs } from '../inputs/index.js';
import type { EventTrigger, RunData, ScheduleTrigger, Workflow } from '../language/types.js';
import type { LoadedWorkflow } from '../runtime/runtime.js';
import type { TemplateEngine } from '../templating/index.js';

/** An event as serve received it (from a webhook or an event source). */
export interface IncomingEvent {
  /** e.g. `hr.employee.terminated`. */
  name: string;
  id: string;
  /** The webhook source or event source that delivered it. */
  source: string;
  payload: Record<string, unknown>;
}

/** A run an event (or a schedule slot) should start. */
export interface PlannedRun {
  loaded: LoadedWorkflow;
  /** Which of the workflow's triggers fired (its index in `triggers:`). */
  triggerIndex: number;
  /** Checked inputs, defaults filled. */
  inputs: Record<string, unknown>;
  vars: Record<string, unknown>;
}

/** A workflow an event concerned that will not run, and why. */
export interface SkippedRun {
  workflow: string;
  reason: string;
}

/** What matching needs besides the event. */
export interface MatchContext {
  templates: TemplateEngine;
  /** Whether a workflow's triggers fire. */
  isEnabled(workflowId: string): boolean;
  /** The workflow's organisation variables (the runtime's `resolveVars`; throws on a config problem). */
  varsFor(workflow: Workflow): Record<string, unknown>;
  /** Who the runs are recorded as started by (also `run.initiated_by` in trigger templates). */
  initiatedBy: string;
  now: Date;
}

/**
 * Finds the runs an event starts: every workflow with an event trigger whose `event` is the
 * event's name and whose `if` holds for the event (`event.*`, `vars.*`, `run.*`), with the
 * trigger's `inputs` rendered from the event and checked like any inputs. A workflow runs at
 * most once per event (its first trigger that fires wins); a disabled workflow, a false `if`, a
 * condition that cannot be evaluated and inputs with problems are each reported as skipped.
 */
export function matchEvent(event: IncomingEvent, workflows: readonly LoadedWorkflow[], context: MatchContext): { planned: PlannedRun[]; skipped: SkippedRun[]; listening: number } {
  const planned: PlannedRun[] = [];
  const skipped: SkippedRun[] = [];
  let listening = 0;
  for (const loaded of workflows) {
    const { workflow } = loaded;
    const triggers = workflow.triggers.flatMap((trigger, index) => (trigger.type === 'event' && trigger.event === event.name ? [{ trigger, index }] : []));
    if (triggers.length === 0) continue;
    listening++;
    if (!context.isEnabled(workflow.id)) {
      skipped.push({ workflow: workflow.id, reason: `the workflow is disabled ("idflow workflows enable ${workflow.id}" turns its triggers on)` });
      continue;
    }
    const outcome = planTriggers(loaded, triggers, event.payload, context, `event ${event.name}`);
    if ('run' in outcome) planned.push(outcome.run);
    else skipped.push({ workflow: workflow.id, reason: outcome.reason });
  }
  return { planned, skipped, listening };
}

/**
 * Plans the run of a schedule slot: the trigger's `inputs` rendered (with `event` empty) and
 * checked.
 * @returns the run, or why it cannot start.
 */
export function planScheduledRun(loaded: LoadedWorkflow, triggerIndex: number, context: MatchContext): { run: PlannedRun } | { reason: string } {
  const trigger = loaded.workflow.triggers[triggerIndex] as ScheduleTrigger;
  return planTriggers(loaded, [{ trigger, index: triggerIndex }], {}, context, `schedule "${trigger.cron}"`);
}

function planTriggers(
  loaded: LoadedWorkflow,
  triggers: Array<{ trigger: EventTrigger | ScheduleTrigger; index: number }>,
  payload: Record<string, unknown>,
  context: MatchContext,
  what: string,
): { run: PlannedRun } | { reason: string } {
  const { workflow } = loaded;
  let vars: Record<string, unknown>;
  try {
    vars = context.varsFor(workflow);
  } catch (error) {
    return { reason: `its organisation variables are not right: ${describeProblems(error)}` };
  }
  const data: RunData = {
    inputs: {},
    vars,
    event: payload,
    steps: {},
    run: { id: '', workflow_id: workflow.id, started_at: context.now.toISOString(), initiated_by: context.initiatedBy, dry_run: false },
  };
  const reasons: string[] = [];
  for (const { trigger, index } of triggers) {
    const where = `triggers[${index}]`;
    if (trigger.type === 'event' && trigger.if !== undefined) {
      try {
        if (!evaluateCondition(trigger.if, data)) {
          reasons.push(`${where}: its "if" does not hold for this event`);
          continue;
        }
      } catch (error) {
        reasons.push(`${where}: its "if" could not be evaluated: ${classifyError(error).message}`);
        continue;
      }
    }
    let given: unknown;
    try {
      given = context.templates.renderValue(trigger.inputs ?? {}, data, { where: `${where}.inputs` });
    } catch (error) {
      reasons.push(`${where}: its inputs could not be rendered from the ${what}: ${classifyError(error).message}`);
      continue;
    }
    const resolved = resolveInputs(workflow.inputs, given as Record<string, unknown>, {
      coerceStrings: true,
      origin: `${loaded.file} ${where}.inputs`,
      missingHint: (name) => `Fill it in the trigger's inputs:, e.g. ${name}: "{{event.${name}}}"`,
    });
    const errors = resolved.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      reasons.push(`${where}: the inputs it gives have problems: ${errors.map((p) => `${p.message}${p.suggestion ? ` (${p.suggestion})` : ''}`).join('; ')}`);
      continue;
    }
    return { run: { loaded, triggerIndex: index, inputs: resolved.values, vars } };
  }
  return { reason: reasons.join('; ') };
}

function describeProblems(error: unknown): string {
  const problems = (error as { problems?: Array<{ message: string }> }).problems;
  return problems !== undefined && problems.length > 0 ? problems.map((p) => p.message).join('; ') : classifyError(error).message;
}
