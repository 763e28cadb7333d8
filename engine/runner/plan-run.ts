import type { Change } from '../plugin-api/action.js';
import type { RunData, Step, Workflow } from '../language/types.js';
import type { RunLogger } from '../logging/run-logger.js';
import { evaluateCondition, conditionReferences, DecidedAtRunTime } from '../conditions/index.js';
import { findKnownAfterRun, isKnownAfterRun } from '../plugin-api/known-after-run.js';
import { templateReferences } from '../templating/index.js';
import { classifyError } from '../errors/classify.js';
import { PermanentError } from '../errors/action-errors.js';
import { createActionContext } from './action-context.js';
import { renderParams } from './render-params.js';
import { runWithRetry, DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { createAttemptSignal } from './step-signal.js';
import type { RunServices } from './run-services.js';
import { exposed } from './run-session.js';
import { checkParamsBeforeRun, type TemplateSource } from './check-params-early.js';

/** What `idflow plan` says about one step (or one foreach item). */
export interface PlannedUnit {
  /**
   * `would_run`: the action previewed its changes; `would_skip`: its `if` is false (or the run
   * would not reach it, see {@link PlannedStep.notReached}); `no_preview`: the action has no
   * `plan()`, so it would run but cannot be previewed (and is not executed); `known_after_run`:
   * it would run, but parameters it cannot plan with (or its foreach list) are known only after
   * the run, e.g. the id of a user an earlier step creates; `cannot_preview`: it depends on the
   * output of a step that could not be previewed; `error`: previewing failed (e.g. the user does
   * not exist), which fails the run there unless the step continues on error.
   */
  status: 'would_run' | 'would_skip' | 'no_preview' | 'known_after_run' | 'cannot_preview' | 'error';
  reason?: string;
  /**
   * The step's `if` reads a value known only after the run: whether the step runs is decided at
   * run time (it is planned as if it did), and this says what the condition reads.
   */
  decidedAtRunTime?: string;
  changes: Change[];
  summary?: string;
  /** The run would end early here, as done, for this reason (later steps would not run). */
  endRun?: string;
}

/** One step of a plan. */
export interface PlannedStep extends PlannedUnit {
  id: string;
  name?: string;
  action: string;
  /** For foreach steps: one entry per item. */
  items?: PlannedUnit[];
  /** The run would never get to this step: it would fail at an earlier one ({@link PlanResult.failed}). */
  notReached?: true;
}

/** The whole plan. */
export interface PlanResult {
  workflow: { id: string; name: string };
  runId: string;
  subject?: string;
  /** False when the workflow's `when` condition is false (nothing would run). */
  when: boolean;
  steps: PlannedStep[];
  /** Ids of the `on_failure` steps (they run only if the run fails). */
  onFailure: string[];
  /**
   * The run would fail at this step, as the plan found it (its preview failed, and it does not
   * continue on error): the steps after it are not reached, and the `on_failure` steps would run.
   */
  failed?: { step: string; reason: string };
  /** When the run would fail: the `on_failure` steps, planned as they would run then. */
  onFailureSteps?: PlannedStep[];
  /** How many changes would be made, over all steps. */
  totalChanges: number;
}

/** What {@link planRun} needs besides the services. */
export interface PlanRunRequest {
  workflow: Workflow;
  data: RunData;
  logger: RunLogger;
  signal: AbortSignal;
  /** The template's path and text, to place parameter problems at their line. */
  template?: TemplateSource;
}

/**
 * Plans a run: evaluates conditions, renders parameters and asks each action for `plan()`,
 * passing later steps the outputs earlier plans predicted. Never calls `run()`, and an action
 * without `plan()` is reported, not executed: a plan makes no change.
 *
 * What a plan cannot know (the id of a user a step would create) is a value known only after
 * the run in the predicted output; later steps whose parameters hold one are still planned when
 * their action says it can plan with it, reported as known only after the run otherwise, and an
 * `if` that reads one is decided at run time. The plan ends where the run would: at a step that
 * ends it early, or at a step whose preview fails (then the `on_failure` steps are planned).
 *
 * @throws ValidationError (`INVALID_PARAMS`) when a parameter known before the first step is
 *   invalid, as `startRun` does: the run would be refused, so there is nothing to plan.
 */
export async function planRun(request: PlanRunRequest, services: RunServices): Promise<PlanResult> {
  const { workflow, data } = request;
  // As a run would: a parameter known before the first step that is invalid refuses the plan.
  checkParamsBeforeRun(workflow, data, services, request.template);
  const subject = workflow.subject === undefined ? undefined : String(services.templates.renderValue(workflow.subject, data, { where: 'subject' }) ?? '');
  const base = { workflow: { id: workflow.id, name: workflow.name }, runId: data.run.id, ...(subject ? { subject } : {}), onFailure: workflow.on_failure.map((s) => s.id) };
  if (workflow.when !== undefined && !evaluateCondition(workflow.when, data)) {
    return { ...base, when: false, steps: [], totalChanges: 0 };
  }
  // Steps whose output a plan could not predict: whatever reads them cannot be previewed.
  const unknown = new Map<string, string>();
  // Steps whose plan() predicted an output (a skipped step's empty output counts as known).
  const predicted = new Set<string>();
  const steps: PlannedStep[] = [];
  const planOne = async (step: Step): Promise<PlannedStep> => {
    const planned = await planStep(step, request, services, unknown, predicted);
    const unpredictable = planned.status === 'no_preview' || planned.status === 'known_after_run' || planned.status === 'cannot_preview' || planned.status === 'error';
    if (unpredictable) unknown.set(step.id, unknownBecause(step, planned));
    else if (planned.status === 'would_run' && !predicted.has(step.id)) unknown.set(step.id, `"${step.action}" plan() does not predict its output`);
    return planned;
  };
  let ended: { step: string; reason: string } | undefined;
  let failed: { step: string; reason: string } | undefined;
  for (const step of workflow.steps) {
    const head = { id: step.id, ...(step.name === undefined ? {} : { name: step.name }), action: step.action };
    if (failed !== undefined) {
      // As in a run, a step after the failure is not reached: it has no data at all.
      steps.push({ ...head, status: 'would_skip', reason: `not reached: the run would fail at step "${failed.step}"`, changes: [], notReached: true });
      continue;
    }
    if (ended !== undefined) {
      data.steps[step.id] = exposed({ status: 'skipped', output: null, changed: false });
      steps.push({ ...head, status: 'would_skip', reason: `the run would end early at step "${ended.step}": ${ended.reason}`, changes: [] });
      continue;
    }
    const planned = await planOne(step);
    if (planned.status === 'would_run' && planned.endRun !== undefined) ended = { step: step.id, reason: planned.endRun };
    if (planned.status === 'error' && !step.continue_on_error) {
      failed = { step: step.id, reason: planned.reason ?? 'its preview failed' };
      data.steps[step.id] = exposed({ ...(data.steps[step.id] ?? { output: null, changed: false }), status: 'failed' });
    }
    steps.push(planned);
  }
  // The run would fail there, and run its on_failure steps (each of them, whatever the others do).
  const onFailureSteps: PlannedStep[] = [];
  if (failed !== undefined) for (const step of workflow.on_failure) onFailureSteps.push(await planOne(step));
  const totalChanges = [...steps, ...onFailureSteps].reduce((sum, s) => sum + countChanges(s.changes) + (s.items ?? []).reduce((n, i) => n + countChanges(i.changes), 0), 0);
  return { ...base, when: true, steps, ...(failed === undefined ? {} : { failed, onFailureSteps }), totalChanges };
}

/** Why the output of a step that could not be fully planned is unknown, for the steps that read it. */
function unknownBecause(step: Step, planned: PlannedStep): string {
  switch (planned.status) {
    case 'error':
      return `its preview failed: ${planned.reason ?? ''}`;
    case 'no_preview':
      return `"${step.action}" has no preview`;
    case 'known_after_run':
      return `it would run with ${planned.reason ?? 'values known only after the run'}`;
    default:
      return planned.reason ?? 'it could not be previewed';
  }
}

function countChanges(changes: readonly Change[]): number {
  return changes.filter((c) => (c.result ?? 'changed') === 'changed').length;
}

async function planStep(step: Step, request: PlanRunRequest, services: RunServices, unknown: Map<string, string>, predicted: Set<string>): Promise<PlannedStep> {
  const head: Pick<PlannedStep, 'id' | 'name' | 'action' | 'decidedAtRunTime'> = { id: step.id, ...(step.name === undefined ? {} : { name: step.name }), action: step.action };
  const data = request.data;
  const blockedBy = (paths: readonly string[]): string | undefined => {
    for (const path of paths) {
      const [root, id] = path.split('.');
      if (root === 'steps' && id !== undefined && unknown.has(id)) return `depends on step "${id}", whose output is unknown because ${unknown.get(id)}`;
    }
    return undefined;
  };
  const setStep = (status: 'planned' | 'skipped' | 'failed', output: unknown, changed: boolean) => {
    if (output !== undefined || status === 'skipped') predicted.add(step.id);
    data.steps[step.id] = exposed({ status, output, changed });
  };
  if (step.if !== undefined) {
    const blocked = blockedBy(conditionReferences(step.if));
    if (blocked !== undefined) return { ...head, status: 'cannot_preview', reason: `its "if" ${blocked}`, changes: [] };
    try {
      if (!evaluateCondition(step.if, data)) {
        setStep('skipped', null, false);
        return { ...head, status: 'would_skip', reason: 'if: false', changes: [] };
      }
    } catch (error) {
      // Not false: the run decides. The step is planned as if it ran, and says so.
      if (!(error instanceof DecidedAtRunTime)) return { ...head, status: 'error', reason: classifyError(error).message, changes: [] };
      head.decidedAtRunTime = error.message;
    }
  }
  const action = services.registry.get(step.action);
  if (action === undefined) return { ...head, status: 'error', reason: `action "${step.action}" is not registered`, changes: [] };
  if (action.definition.plan === undefined) {
    return { ...head, status: 'no_preview', reason: `would run, no preview: "${step.action}" has no plan()`, changes: [] };
  }
  const withPaths = collectTemplatePaths(step.with);
  if (step.foreach === undefined) {
    const unit = await planUnit(step, request, services, data, undefined, blockedBy(withPaths));
    setStep(unit.status === 'would_run' ? 'planned' : 'failed', unit.output, countChanges(unit.changes) > 0);
    return { ...head, ...withoutOutput(unit) };
  }
  let list: unknown;
  try {
    if (typeof step.foreach === 'string') {
      const blocked = blockedBy(templateReferences(step.foreach));
      if (blocked !== undefined) return { ...head, status: 'cannot_preview', reason: `its "foreach" ${blocked}`, changes: [] };
      list = services.templates.renderValue(step.foreach, data, { where: `steps.${step.id}.foreach` });
    } else {
      list = step.foreach;
    }
    if (isKnownAfterRun(list)) return { ...head, status: 'known_after_run', reason: `its foreach list is known only after the run (${list.description})`, changes: [] };
    if (!Array.isArray(list)) throw new PermanentError(`foreach must yield a list, got ${list === null ? 'null' : typeof list}`);
  } catch (error) {
    return { ...head, status: 'error', reason: classifyError(error).message, changes: [] };
  }
  const items: Array<PlannedUnit & { output?: unknown }> = [];
  for (const [index, item] of (list as unknown[]).entries()) {
    items.push(await planUnit(step, request, services, { ...data, item, index }, index, blockedBy(withPaths)));
  }
  // The item that fails the run is the step's outcome before one that only could not be previewed.
  const failed = items.find((i) => i.status === 'error') ?? items.find((i) => i.status !== 'would_run');
  const changes = items.flatMap((i) => i.changes);
  setStep(failed ? 'failed' : 'planned', items.map((i) => i.output ?? null), countChanges(changes) > 0);
  return {
    ...head,
    status: failed ? failed.status : 'would_run',
    ...(failed?.reason ? { reason: failed.reason } : {}),
    changes: [],
    summary: `${items.length} items`,
    items: items.map(withoutOutput),
  };
}

async function planUnit(
  step: Step,
  request: PlanRunRequest,
  services: RunServices,
  data: RunData,
  item: number | undefined,
  blocked: string | undefined,
): Promise<PlannedUnit & { output?: unknown }> {
  const action = services.registry.get(step.action);
  const plan = action?.definition.plan;
  if (action === undefined || plan === undefined) return { status: 'no_preview', changes: [] };
  const key = item === undefined ? step.id : `${step.id}[${item}]`;
  let params: Record<string, unknown>;
  try {
    params = renderParams(step, action, data, services.templates, (name) => services.secret(name), `steps.${key}`, (value) => services.redactor.add(value));
  } catch (error) {
    if (blocked !== undefined) return { status: 'cannot_preview', reason: blocked, changes: [] };
    return { status: 'error', reason: classifyError(error).message, changes: [] };
  }
  // Values known only after the run reach plan() only in the parameters the action says it can plan with.
  const accepted = new Set(action.definition.plansKnownAfterRun ?? []);
  const unplannable = findKnownAfterRun(params).filter((part) => !accepted.has(String(part.segments[0])));
  if (unplannable.length > 0) {
    return { status: 'known_after_run', reason: `parameters known only after the run: ${unplannable.map((part) => `${part.path} (${part.value.description})`).join(', ')}`, changes: [] };
  }
  const policy = step.retry ?? DEFAULT_RETRY_POLICY;
  try {
    const result = await runWithRetry(async (attempt) => {
      const attemptSignal = createAttemptSignal(request.signal, step.timeoutMs, key);
      const ctx = createActionContext({
        runId: data.run.id,
        workflowId: request.workflow.id,
        stepKey: key,
        attempt,
        dryRun: true,
        signal: () => attemptSignal.signal,
        logger: request.logger.logger,
        run: { id: data.run.id, startedAt: data.run.started_at, initiatedBy: data.run.initiated_by, ...(data.run.reason === undefined ? {} : { reason: data.run.reason }) },
        services,
        runDir: services.store.root,
        earlierChanges: [],
        onChange: () => {
          throw new PermanentError(`Action "${step.action}" tried to record a change during a plan; plan() must only describe changes`);
        },
        claimSubject: async () => undefined,
        runWorkflow: async () => {
          throw new PermanentError('A plan cannot start a child workflow');
        },
        scheduleTimer: async () => {
          throw new PermanentError('A plan cannot schedule a timer');
        },
      });
      let failure: Error | undefined;
      try {
        return await attemptSignal.race(Promise.resolve().then(() => plan.call(action.definition, ctx, params)));
      } catch (error) {
        failure = classifyError(error);
        throw error;
      } finally {
        attemptSignal.dispose(failure);
      }
    }, policy, { signal: request.signal });
    if (typeof result !== 'object' || result === null || !Array.isArray(result.changes)) {
      return { status: 'error', reason: `"${step.action}" plan() returned no { changes: [...] } (a bug in its plugin)`, changes: [] };
    }
    return {
      status: 'would_run',
      changes: services.redactor.redactDeep(result.changes),
      ...(result.summary === undefined ? {} : { summary: result.summary }),
      ...(result.output === undefined ? {} : { output: result.output }),
      ...(item === undefined && typeof result.endRun?.reason === 'string' ? { endRun: result.endRun.reason } : {}),
    };
  } catch (error) {
    return { status: 'error', reason: classifyError(error).message, changes: [] };
  }
}

function withoutOutput<T extends { output?: unknown }>(unit: T): Omit<T, 'output'> {
  const { output: _output, ...rest } = unit;
  return rest;
}

/** Every template reference in a step's `with:` values, at any depth. */
function collectTemplatePaths(value: unknown): readonly string[] {
  if (typeof value === 'string') return templateReferences(value);
  if (Array.isArray(value)) return value.flatMap(collectTemplatePaths);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(collectTemplatePaths);
  return [];
}
