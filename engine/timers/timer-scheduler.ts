import { PermanentError } from '../errors/action-errors.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { PendingTimer, ScheduledTimer, TimerRequest } from '../plugin-api/context.js';
import type { Redactor } from '../logging/redactor.js';
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
  /**
   * The run's secrets: a parameter holding one (e.g. rendered from `{{secret "X"}}`) is refused,
   * since the timer keeps its parameters on disk for weeks.
   */
  redactor?: Redactor;
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
export function createTimerScheduler(deps: TimerSchedulerDeps): (timer: TimerRequest, runId: string, workflowId: string) => Promise<ScheduledTimer> {
  const now = deps.now ?? (() => new Date());
  return async (timer, runId, workflowId) => {
    const checked = checkTimerRequest(timer, deps.registry, now());
    if (deps.redactor !== undefined) refuseSecrets(checked.action, checked.params, deps.redactor);
    let initiatedBy: string | undefined;
    try {
      initiatedBy = deps.store.openRun(runId).meta().initiatedBy;
    } catch {
      initiatedBy = undefined; // a run outside the store (tests); the timer's run then says serve started it
    }
    const placed = deps.timers.place({ ...checked, scheduledBy: { runId, workflowId, ...(initiatedBy === undefined ? {} : { initiatedBy }) }, sandbox: deps.sandbox }, { keepDue: timer.keepDue === true });
    return {
      id: placed.timer.id,
      dueAt: placed.timer.dueAt,
      replaced: placed.replaced,
      ...(placed.kept ? { keptFrom: placed.timer.scheduledBy.runId } : {}),
    };
  };
}

/** The runtime's `services.pendingTimer`: the pending timer a run of this mode would replace or keep for the key. */
export function createPendingTimerFinder(timers: TimerStore, sandbox: boolean): (key: string) => Promise<PendingTimer | undefined> {
  return async (key) => {
    const found = timers.pendingFor(key.trim(), sandbox)[0];
    if (found === undefined) return undefined;
    return { id: found.id, action: found.action, params: found.params, description: found.description, dueAt: found.dueAt, scheduledBy: found.scheduledBy.runId };
  };
}

/**
 * Refuses parameters that hold one of the run's secrets anywhere (a whole value or part of a
 * text), naming the parameter but never the value.
 * @throws PermanentError (`INVALID_TIMER`).
 */
function refuseSecrets(action: string, params: Record<string, unknown>, redactor: Redactor): void {
  const holdsSecret = (value: unknown): boolean => {
    if (typeof value === 'string') return redactor.redact(value) !== value;
    if (Array.isArray(value)) return value.some(holdsSecret);
    if (typeof value === 'object' && value !== null) return Object.entries(value).some(([key, inner]) => holdsSecret(key) || holdsSecret(inner));
    return false;
  };
  for (const [name, value] of Object.entries(params)) {
    if (holdsSecret(value)) {
      throw new PermanentError(`Cannot schedule the timer: parameter "${name}" of "${action}" holds a secret; timers keep their parameters on disk, so pass a reference the action resolves when it fires (a connection name, a secret's name)`, { code: 'INVALID_TIMER' });
    }
  }
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
