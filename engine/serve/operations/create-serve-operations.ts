import { ConflictError, NotFoundError, AmbiguousError } from '../../errors/action-errors.js';
import { IdflowError } from '../../errors/idflow-error.js';
import { ValidationError } from '../../errors/usage-errors.js';
import { resolveInputs } from '../../inputs/index.js';
import type { RunData } from '../../language/types.js';
import { REDACTED } from '../../logging/redactor.js';
import { createRunLogger } from '../../logging/run-logger.js';
import { requestRunCancel } from '../../runner/cancel-run.js';
import { planRun, type PlanResult } from '../../runner/plan-run.js';
import { redactSecretInputs } from '../../runner/start-run.js';
import type { LoadedWorkflow, Runtime } from '../../runtime/runtime.js';
import type { RunMeta, RunStatus } from '../../store/journal-events.js';
import { newRunId } from '../../store/run-id.js';
import { acquireSubjectLock, type SubjectLock } from '../../store/subject-lock.js';
import type { TimerRecord } from '../../timers/timer-record.js';
import type { TimerStore } from '../../timers/timer-store.js';
import type { WorkflowStateStore } from '../../workflows/workflow-state.js';
import { summariseWorkflows, type WorkflowSummary } from '../../workflows/workflow-summary.js';
import type { Principal } from '../auth/principal.js';
import type { RunDispatcher } from '../run-dispatcher.js';
import { SERVE_MANUAL_SOURCE, submitResume, type RunRecoveryDeps } from '../run-recovery.js';
import type { ServeLogger } from '../serve-logger.js';
import { startPlannedRun, type PlannedRunDeps } from '../start-planned-run.js';
import { OperationsAudit } from './operations-audit.js';
import { principalLabel } from './principal-label.js';
import { followRun, type FollowTiming } from './run-follower.js';
import type { ServeOperations } from './serve-operations.js';

/** What a running serve gives its operations. */
export interface ServeOperationsDeps {
  runtime: Runtime;
  /** The served workflows (the templates folder, checked at start). */
  workflows: readonly LoadedWorkflow[];
  states: WorkflowStateStore;
  timers: TimerStore;
  dispatcher: RunDispatcher;
  /** Serve's recovery settings: a resume goes the same way as serve's own. */
  recovery: RunRecoveryDeps;
  /** How runs started here report to serve (console, logger, a stranded run's rescue). */
  planned: PlannedRunDeps;
  logger: ServeLogger;
  now: () => Date;
  /** For tests: how often a followed run's journal is polled. */
  follow?: FollowTiming;
}

/** Statuses a run can be resumed from. */
const RESUMABLE: ReadonlySet<RunStatus> = new Set(['failed', 'interrupted', 'cancelled']);

/**
 * Serve's {@link ServeOperations}: each one checks what it acts on, acts through the same path
 * serve's own work takes (a started run is an ordinary run of the dispatcher, under subject
 * locks, write-ahead journal and audit, resumed after a crash like an event's run; a resume is
 * serve's recovery path), and records who did it: the run's `initiated_by` (a start), an entry
 * in the operations trail (see OperationsAudit) and a serve log line `<who> <operation> <target>`.
 */
export function createServeOperations(deps: ServeOperationsDeps): ServeOperations {
  const { runtime, logger } = deps;
  const services = runtime.services;
  const audit = new OperationsAudit(services.store.root, { redactor: services.redactor });
  /** Runs started here that wait in the dispatcher's queue: a cancel stops them from starting. */
  const queued = new Map<string, { cancelledBy?: string }>();

  const findWorkflow = (workflowId: string): LoadedWorkflow => {
    const loaded = deps.workflows.find((candidate) => candidate.workflow.id === workflowId);
    if (loaded === undefined) {
      throw new NotFoundError(`No workflow "${workflowId}" is served (known: ${deps.workflows.map((w) => w.workflow.id).join(', ') || 'none'})`, { code: 'WORKFLOW_NOT_FOUND', details: { workflowId } });
    }
    return loaded;
  };
  const checkInputs = (loaded: LoadedWorkflow, given: Record<string, unknown>): Record<string, unknown> => {
    // Form fields arrive as strings and JSON values typed: strings are read as the declared type.
    const result = resolveInputs(loaded.workflow.inputs, given, { coerceStrings: true, origin: 'the request', missingHint: () => 'give it in "inputs"' });
    const errors = result.problems.filter((problem) => problem.severity === 'error');
    if (errors.length > 0) {
      throw new ValidationError('INVALID_INPUT', `The inputs for ${loaded.workflow.id} have problems; nothing was run: ${errors.map((problem) => problem.message).join('; ')}`, result.problems);
    }
    return result.values;
  };
  const done = (by: Principal, operation: string, target: string, workflowId: string, entry: { note?: string; before?: unknown; after?: unknown; result?: 'changed' | 'unchanged' | 'info' }): void => {
    const who = principalLabel(by);
    audit.record(who, workflowId, { operation, target, result: entry.result ?? 'info', ...(entry.before === undefined ? {} : { before: entry.before }), ...(entry.after === undefined ? {} : { after: entry.after }), ...(entry.note === undefined ? {} : { note: entry.note }) });
    logger.info(`${who} ${operation} ${target}${entry.note === undefined ? '' : `: ${entry.note}`}`);
  };

  return {
    async plan(workflowId, given, by) {
      const loaded = findWorkflow(workflowId);
      const inputs = checkInputs(loaded, given);
      const vars = runtime.resolveVars(loaded.workflow);
      // Secret inputs are redacted in a plan as in a run (the plan shows rendered parameters).
      redactSecretInputs(loaded.workflow, inputs, services);
      const runId = `plan-${Date.now().toString(36)}`;
      const data: RunData = {
        inputs,
        vars,
        event: {},
        steps: {},
        run: { id: runId, workflow_id: workflowId, started_at: deps.now().toISOString(), initiated_by: principalLabel(by), dry_run: true },
      };
      const runLogger = createRunLogger({ runId, workflowId, redactor: services.redactor, console: deps.planned.console(workflowId) });
      let plan: PlanResult;
      try {
        plan = await planRun({ workflow: loaded.workflow, data, logger: runLogger, signal: deps.dispatcher.drainSignal, template: { path: loaded.file, text: loaded.source } }, services);
      } finally {
        await runLogger.close();
      }
      done(by, 'workflow.plan', workflowId, workflowId, { note: `${plan.totalChanges} change${plan.totalChanges === 1 ? '' : 's'} planned${plan.subject === undefined ? '' : ` for ${plan.subject}`}` });
      return services.redactor.redactDeep(plan);
    },

    async start(workflowId, given, by) {
      const loaded = findWorkflow(workflowId);
      const inputs = checkInputs(loaded, given);
      const vars = runtime.resolveVars(loaded.workflow);
      const who = principalLabel(by);
      const runId = newRunId(deps.now());
      const label = `${workflowId} (started by ${who})`;
      const submission = deps.dispatcher.submit({
        label,
        start: async (job) => {
          const wish = queued.get(runId);
          queued.delete(runId);
          if (wish?.cancelledBy !== undefined) {
            logger.info(`run ${runId} of ${workflowId} was cancelled by ${wish.cancelledBy} before it started: not started`);
            return;
          }
          await startPlannedRun({ loaded, triggerIndex: loaded.workflow.triggers.findIndex((trigger) => trigger.type === 'manual'), inputs, vars }, {
            runId,
            trigger: { type: 'manual', source: SERVE_MANUAL_SOURCE },
            initiatedBy: who,
            reason: `started through idflow serve by ${who}`,
            onRunCreated: () => undefined,
          }, job, deps.planned);
        },
      });
      if (submission.queued) {
        queued.set(runId, {});
        void submission.started.then((start) => {
          queued.delete(runId);
          // Nobody waits for the answer any more: what kept it from starting goes to serve's log.
          if (start.kind === 'refused') logger.warn(`run ${runId} of ${workflowId}, queued by ${who}, did not start: ${start.error.message}`);
          if (start.kind === 'dropped') logger.warn(`run ${runId} of ${workflowId}, queued by ${who}, was dropped: serve shut down before a slot was free; start it again`);
        });
        done(by, 'run.start', workflowId, workflowId, { note: `run ${runId} queued (every run slot is busy)`, after: { run_id: runId } });
        return { runId, queued: true };
      }
      const started = await submission.started;
      if (started.kind === 'refused') throw started.error;
      if (started.kind === 'dropped') throw new IdflowError('SERVE_STOPPING', 'idflow serve is shutting down; start the run again when it is back');
      done(by, 'run.start', workflowId, workflowId, { note: `run ${runId}`, after: { run_id: runId } });
      return { runId };
    },

    async resume(runId, by) {
      const handle = services.store.openRun(runId);
      let meta: RunMeta;
      try {
        meta = handle.meta();
        if (!RESUMABLE.has(meta.status)) {
          throw new ConflictError(`Run ${handle.id} is ${meta.status}: only a failed, interrupted or cancelled run can be resumed${meta.status === 'running' ? ' (cancel it first, or wait for it to end)' : ''}`, { code: 'RUN_NOT_RESUMABLE', details: { runId: handle.id, status: meta.status } });
        }
        // What the resume job would fail on later, where nobody sees it, is refused now.
        const loaded = await runtime.loadPinnedWorkflow(handle.templateText(), meta.templatePath);
        const inputs = handle.inputs();
        const secret = Object.entries(loaded.workflow.inputs).filter(([name, declaration]) => declaration.secret === true && inputs[name] === REDACTED).map(([name]) => name);
        if (secret.length > 0) {
          throw new ValidationError('INVALID_INPUT', `Run ${handle.id} needs its secret input${secret.length > 1 ? 's' : ''} ${secret.join(', ')} again (the run record does not keep secrets): resume it with "idflow resume ${handle.id} ${secret.map((name) => `--input ${name}=…`).join(' ')}"`);
        }
      } finally {
        handle.close();
      }
      let lock: SubjectLock | undefined;
      if (meta.subject !== undefined) lock = acquireSubjectLock(services.store.locksDir(), meta.subject, meta.id);
      try {
        // Recorded in the run's own trail too, before its session starts (nothing else writes it now).
        handle.audit.append({ operation: 'run.resume.request', target: meta.workflow.id, result: 'info', note: `resume asked for through idflow serve by ${principalLabel(by)}` });
        handle.close();
      } catch (error) {
        lock?.release();
        throw error;
      }
      submitResume(meta, lock, deps.recovery);
      done(by, 'run.resume', meta.id, meta.workflow.id, { note: `was ${meta.status}` });
      return { runId: meta.id };
    },

    async cancel(runId, by) {
      const who = principalLabel(by);
      const waiting = queued.get(runId);
      if (waiting !== undefined) {
        waiting.cancelledBy = who;
        done(by, 'run.cancel', runId, 'queued', { note: 'cancelled while queued: it will not start' });
        return { runId, status: 'cancelled' };
      }
      const requested = requestRunCancel(services.store, runId, { by: who });
      done(by, 'run.cancel', requested.runId, requested.workflowId, { note: 'asked to stop at its next step boundary' });
      return { runId: requested.runId, status: 'cancelling' };
    },

    async setEnabled(workflowId, enabled, by) {
      findWorkflow(workflowId);
      const { state, changed } = deps.states.set(workflowId, enabled, { changedBy: principalLabel(by) });
      done(by, enabled ? 'workflow.enable' : 'workflow.disable', workflowId, workflowId, {
        result: changed ? 'changed' : 'unchanged',
        before: { enabled: changed ? !enabled : enabled },
        after: { enabled: state.enabled },
      });
      const summary = summariseWorkflows(deps.workflows.filter((loaded) => loaded.workflow.id === workflowId), { states: deps.states, store: services.store, now: deps.now() })[0];
      if (summary === undefined) throw new IdflowError('WORKFLOW_NOT_FOUND', `No workflow "${workflowId}" is served`);
      return summary;
    },

    async cancelTimer(timerId, by) {
      let timer: TimerRecord;
      try {
        timer = deps.timers.cancel(timerId, `cancelled by ${principalLabel(by)} through idflow serve`);
      } catch (error) {
        if (error instanceof NotFoundError && !(error instanceof AmbiguousError)) throw new NotFoundError(`No timer with id "${timerId}"`, { code: 'TIMER_NOT_FOUND', details: { timerId } });
        throw error;
      }
      done(by, 'timer.cancel', timer.id, timer.scheduledBy.workflowId, { result: 'changed', before: { state: 'pending', due_at: timer.dueAt }, after: { state: 'cancelled' }, note: timer.description });
      return timer;
    },

    timers(filter = {}) {
      const all = deps.timers.list({
        ...(filter.state === undefined ? {} : { states: [filter.state] }),
        onUnreadable: (file, error) => logger.warn(`timer ${file} is left out: ${error.message}`),
      });
      const pending = all.filter((timer) => timer.state === 'pending');
      const ended = all.filter((timer) => timer.state !== 'pending').sort((a, b) => ((b.finishedAt ?? b.dueAt) < (a.finishedAt ?? a.dueAt) ? -1 : 1));
      const ordered = [...pending, ...ended];
      return filter.limit === undefined ? ordered : ordered.slice(0, filter.limit);
    },

    follow(runId, listener, afterSeq) {
      const waiting = queued.get(runId);
      if (waiting !== undefined) {
        // Queued: no record yet. Follow it once it starts (or end at once if it never does).
        let stopFollowing: (() => void) | undefined;
        let stopped = false;
        const wait = setInterval(() => {
          if (stopped) return;
          if (queued.has(runId)) return;
          clearInterval(wait);
          try {
            stopFollowing = followRun(services.store, runId, listener, afterSeq, deps.follow);
          } catch {
            listener({ type: 'end', status: 'cancelled' });
          }
        }, deps.follow?.pollMs ?? 250);
        wait.unref();
        return () => {
          stopped = true;
          clearInterval(wait);
          stopFollowing?.();
        };
      }
      return followRun(services.store, runId, listener, afterSeq, deps.follow);
    },
  };
}
