import { PermanentError } from '../errors/action-errors.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { TimerRequest } from '../plugin-api/context.js';
import type { ActionRegistry } from '../registry/action-registry.js';
import { describeParamError } from '../runner/render-params.js';
import type { RunStore } from '../store/run-store.js';
import type { TimerStore } from './timer-store.js';

/** Parameter names a timer's run can pass on (they become `{{inputs.params.<name>}}`). */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What {@link createTimerScheduler} needs. */
export interface TimerSchedulerDeps {
  timers: TimerStore;
  /** Actions must be registered when scheduled, and their parameters valid then. */
  registry: ActionRegistry;
  /** To record who started the scheduling run (the timer's run is recorded as started by them). */
  store: RunStore;
  /** Whether the runs scheduling timers are sandbox runs (their timers are marked so). */
  sandbox: boolean;
  now?: () => Date;
}

/**
 * The runtime's `services.scheduleTimer`: checks a {@link TimerRequest} completely when it is
 * made (the action exists, its parameters are valid, the due time is a time), so that a
 * mistake fails the step that schedules the timer today instead of the firing weeks later,
 * and records it in the {@link TimerStore}.
 *
 * @throws PermanentError (`INVALID_TIMER`) saying what is wrong with the request.
 */
export function createTimerScheduler(deps: TimerSchedulerDeps): (timer: TimerRequest, runId: string, workflowId: string) => Promise<{ id: string; dueAt: string }> {
  const now = deps.now ?? (() => new Date());
  return async (timer, runId, workflowId) => {
    const checked = checkTimerRequest(timer, deps.registry, now());
    let initiatedBy: string | undefined;
    try {
      initiatedBy = deps.store.openRun(runId).meta().initiatedBy;
    } catch {
      initiatedBy = undefined; // a run outside the store (tests); the timer's run then says serve started it
    }
    const record = deps.timers.schedule({ ...checked, scheduledBy: { runId, workflowId, ...(initiatedBy === undefined ? {} : { initiatedBy }) }, sandbox: deps.sandbox });
    return { id: record.id, dueAt: record.dueAt };
  };
}

/**
 * Checks a timer request and returns it with the due time as ISO-8601.
 * @throws PermanentError (`INVALID_TIMER`) naming the first problem.
 */
export function checkTimerRequest(timer: TimerRequest, registry: ActionRegistry, now: Date): { key: string; action: string; params: Record<string, unknown>; description: string; dueAt: string } {
  const invalid = (message: string): never => {
    throw new PermanentError(`Cannot schedule the timer: ${message}`, { code: 'INVALID_TIMER' });
  };
  if (typeof timer !== 'object' || timer === null) return invalid('expected { due, action, params, description, key }');
  if (typeof timer.key !== 'string' || timer.key.trim() === '' || timer.key.length > 500) invalid('"key" must be a non-empty text of at most 500 characters, e.g. "jumpcloud.user.delete:<user id>"');
  if (typeof timer.description !== 'string' || timer.description.trim() === '') invalid('"description" must say what the timer is for (it is shown by "idflow timers list")');
  if (typeof timer.action !== 'string') return invalid('"action" must be an action id');
  const action = registry.get(timer.action);
  if (action === undefined) {
    const hint = didYouMean(timer.action, registry.ids());
    return invalid(`the action "${timer.action}" is not registered${hint === undefined ? '' : `. ${hint}`}`);
  }
  if (typeof timer.params !== 'object' || timer.params === null || Array.isArray(timer.params)) return invalid('"params" must be a map of the action\'s parameters');
  const properties = action.definition.params.properties ?? {};
  for (const [name, value] of Object.entries(timer.params)) {
    if (!PARAM_NAME.test(name)) invalid(`parameter "${name}" cannot be passed to a timer (names are letters, digits and "_")`);
    // The timer file is plain data kept for weeks: a secret does not belong in it. The action
    // reads secrets from its connection when it fires.
    if (properties[name]?.['x-secret'] === true && value !== undefined && value !== null) invalid(`parameter "${name}" of "${timer.action}" is a secret; timers keep their parameters on disk, so pass a reference the action resolves when it fires`);
  }
  // Absent parameters (`undefined`) are left out, as they would be in the timer's file.
  const params = Object.fromEntries(Object.entries(structuredClone(timer.params) as Record<string, unknown>).filter(([, value]) => value !== undefined));
  if (!action.validateParams(structuredClone(params))) {
    invalid(`the parameters for "${timer.action}" are invalid: ${(action.validateParams.errors ?? []).map(describeParamError).join('; ')}`);
  }
  let dueMs: number;
  if (typeof timer.due === 'number') {
    if (!Number.isFinite(timer.due) || timer.due < 0) invalid(`"due" in milliseconds must be a number of at least 0, got ${String(timer.due)}`);
    dueMs = now.getTime() + timer.due;
  } else if (typeof timer.due === 'string') {
    dueMs = Date.parse(timer.due);
    if (Number.isNaN(dueMs)) invalid(`"due" must be an ISO-8601 time such as 2026-12-01T09:00:00Z, got ${JSON.stringify(timer.due)}`);
  } else {
    return invalid('"due" must be an ISO-8601 time or a number of milliseconds from now');
  }
  if (!Number.isFinite(dueMs) || Math.abs(dueMs) > 8.64e15) invalid('"due" is out of range');
  return { key: timer.key.trim(), action: timer.action, params, description: timer.description.trim(), dueAt: new Date(dueMs).toISOString() };
}
