import type { Change } from '../plugin-api/action.js';
import type { ChildWorkflowRequest, ChildWorkflowResult, ScheduledTimer, TimerRequest } from '../plugin-api/context.js';
import type { RunData, Step, StepData, Workflow } from '../language/types.js';
import type { JournalEvent, RunMeta, StepPhase } from '../store/journal-events.js';
import type { RunHandle } from '../store/run-store.js';
import type { RunLogger } from '../logging/run-logger.js';
import type { SubjectLock } from '../store/subject-lock.js';
import type { RegisteredAction } from '../registry/action-registry.js';
import { acquireSubjectLock } from '../store/subject-lock.js';
import { cancelRequestPath, hasCancelRequest, onCancelRequest, readCancelRequest, type CancelRequest } from '../store/cancel-request.js';
import { evaluateCondition } from '../conditions/index.js';
import { classifyError } from '../errors/classify.js';
import type { IdflowError } from '../errors/idflow-error.js';
import { CancelledError, PermanentError } from '../errors/action-errors.js';
import { createActionContext } from './action-context.js';
import { renderParams } from './render-params.js';
import { runWithRetry, DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { asCancellation, createAttemptSignal } from './step-signal.js';
import { runPool } from './concurrency-pool.js';
import { restoreRun, unitKey, type RestoredRun, type FinishedUnit } from './restore-run.js';
import type { ConsoleOptions, RunServices } from './run-services.js';
import { tallySteps, type PartialResult } from './failure-report.js';

/** How a run ended. */
export interface RunOutcome {
  runId: string;
  status: 'succeeded' | 'failed' | 'interrupted' | 'cancelled' | 'skipped';
  /** The template's returned data (only when succeeded). */
  output?: unknown;
  error?: IdflowError;
  /** The step that failed the run. */
  failedStep?: string;
  /** For a failed, interrupted or cancelled run: what it had done (see {@link PartialResult}). */
  partial?: PartialResult;
}

/** One unit's result inside the session. */
interface UnitOutcome extends FinishedUnit {
  error?: IdflowError;
  cancelled?: boolean;
}

/** One step's result inside the session. */
interface StepOutcome {
  data: StepData;
  error?: IdflowError;
  cancelled?: boolean;
  /** The step ended the run early, as done, for this reason. */
  endRun?: string;
}

/** What the session needs that differs between a new run and a resumed one. */
export interface SessionSetup {
  workflow: Workflow;
  handle: RunHandle;
  services: RunServices;
  logger: RunLogger;
  data: RunData;
  signal: AbortSignal;
  templatePath: string;
  /** Earlier sessions, for a resumed run. */
  restored?: RestoredRun;
  /** The subject lock already taken for the run (released when the session ends). */
  runLock?: SubjectLock;
  /** The console the run's progress goes to (child runs show theirs under it). */
  console: ConsoleOptions;
  /**
   * When aborted, the run stops before its next step (interrupted, resumable) but lets the
   * step in flight finish: how `idflow serve` shuts down. `signal` stops the step itself.
   */
  drain?: AbortSignal;
}

/**
 * Drives one session of a run (the first, or a resume) from its current point to the end:
 * `when`, the steps in order, `on_failure` when the run fails, the returned data. Every step
 * event is journaled before the session moves on, so a kill at any point leaves a run that
 * `resume` can finish.
 */
export class RunSession {
  private readonly workflow: Workflow;
  private readonly handle: RunHandle;
  private readonly services: RunServices;
  private readonly logger: RunLogger;
  private readonly data: RunData;
  private readonly signal: AbortSignal;
  private readonly templatePath: string;
  private readonly restored: RestoredRun;
  private readonly locks: SubjectLock[] = [];
  private readonly claimed = new Set<string>();
  private readonly console: ConsoleOptions;
  private readonly drain: AbortSignal | undefined;
  /** Where a cancel request for the run appears (see `cancel-request.ts`), looked for at every step boundary. */
  private readonly cancelPath: string;
  /**
   * Aborted when a cancel is requested in this process: ends a retry's back-off at once. Never
   * given to an action (a step in flight is not cut by a cancel; it finishes, then the run stops).
   */
  private readonly cancelWaits = new AbortController();
  /** When the cancel file was last looked for (ms), and the request once found (it stays found). */
  private cancelCheckedAt = 0;
  private cancelFound: CancelRequest | undefined;

  constructor(setup: SessionSetup) {
    this.workflow = setup.workflow;
    this.handle = setup.handle;
    this.services = setup.services;
    this.logger = setup.logger;
    this.data = setup.data;
    this.signal = setup.signal;
    this.templatePath = setup.templatePath;
    this.restored = setup.restored ?? restoreRun([]);
    this.console = setup.console;
    this.drain = setup.drain;
    if (setup.runLock) this.locks.push(setup.runLock);
    this.cancelPath = cancelRequestPath(setup.handle.dir);
  }

  /** Runs the session to its end; never throws for a failing step (that is an outcome). */
  async drive(): Promise<RunOutcome> {
    const stopListening = onCancelRequest(this.handle.dir, (request) => this.cancelWaits.abort(new CancelledError(`The run was cancelled by ${request.by}`)));
    try {
      for (const subject of this.restored.subjects) await this.claim(subject, false);
      if (this.workflow.when !== undefined && !evaluateCondition(this.workflow.when, this.data)) {
        this.append({ type: 'run.skipped', at: now(), reason: 'when: false' });
        this.finishMeta('skipped');
        this.logger.logger.info(`run skipped: the workflow's "when" condition is false`, { event: 'run.finished', status: 'skipped', runId: this.handle.id });
        return { runId: this.handle.id, status: 'skipped' };
      }
      let failure: { step: string; error: IdflowError } | undefined;
      let ended: { step: string; reason: string } | undefined;
      for (const step of this.workflow.steps) {
        if (ended !== undefined) {
          this.data.steps[step.id] = exposed(this.skipAfterEnd(step, ended));
          continue;
        }
        if (!this.restored.units.has(step.id)) {
          const cancel = this.cancelRequested();
          if (cancel !== undefined) return this.cancelled(cancel, step.id);
          if (this.drain?.aborted) return this.interrupted(asCancellation(this.drain.reason));
        }
        const outcome = await this.runStep(step, 'steps');
        this.data.steps[step.id] = exposed(outcome.data);
        if (outcome.cancelled) return this.stopped(outcome.error, step.id);
        if (outcome.endRun !== undefined && outcome.data.status === 'succeeded') {
          ended = { step: step.id, reason: outcome.endRun };
          this.logger.logger.info(`step ${step.id} ends the run early: ${outcome.endRun}`, { step: step.id });
        }
        if (outcome.data.status === 'failed' && !step.continue_on_error) {
          failure = { step: step.id, error: outcome.error ?? new PermanentError(`Step "${step.id}" failed`) };
          break;
        }
      }
      if (failure !== undefined) return await this.fail(failure.step, failure.error);
      let output: unknown;
      try {
        output = this.workflow.output === undefined ? undefined : this.services.templates.renderValue(this.workflow.output, this.data, { secret: (name) => this.secret(name), where: 'output' });
      } catch (error) {
        return await this.fail(undefined, classifyError(error));
      }
      const safeOutput = this.services.redactor.redactDeep(output);
      if (output !== undefined) this.handle.writeOutput(safeOutput);
      this.audit({ operation: 'run.finish', target: this.workflow.id, result: 'info', note: 'succeeded' });
      this.append({ type: 'run.finished', at: now(), status: 'succeeded', ...(output === undefined ? {} : { output: safeOutput }) });
      this.finishMeta('succeeded');
      this.logger.logger.info('run succeeded', { event: 'run.finished', status: 'succeeded', runId: this.handle.id, durationMs: this.runDuration() });
      return { runId: this.handle.id, status: 'succeeded', output };
    } catch (error) {
      // Only a bug or an unwritable store gets here; it must still leave an honest record.
      const classified = classifyError(error);
      if (classified instanceof CancelledError) return this.stopped(classified, undefined);
      this.append({ type: 'run.finished', at: now(), status: 'failed', error: classified.toJSON() });
      this.finishMeta('failed', undefined, classified.message);
      this.logger.logger.error(`run failed: ${classified.message}`, { event: 'run.finished', status: 'failed', runId: this.handle.id, error: classified.message });
      return { runId: this.handle.id, status: 'failed', error: classified };
    } finally {
      stopListening();
      for (const lock of this.locks) lock.release();
      // The journal and audit files stay open while the session writes; not beyond it.
      this.handle.close();
    }
  }

  private async fail(failedStep: string | undefined, error: IdflowError): Promise<RunOutcome> {
    if (this.workflow.on_failure.length > 0) this.logger.logger.info(`running the on_failure steps`, { runId: this.handle.id });
    for (const step of this.workflow.on_failure) {
      const outcome = await this.runStep(step, 'on_failure');
      this.data.steps[step.id] = exposed(outcome.data);
      if (outcome.cancelled) return this.stopped(outcome.error, step.id);
    }
    this.audit({ operation: 'run.finish', target: this.workflow.id, result: 'failed', note: error.message });
    this.append({ type: 'run.finished', at: now(), status: 'failed', error: error.toJSON(), ...(failedStep === undefined ? {} : { failedStep }) });
    this.finishMeta('failed', failedStep, error.message);
    this.logger.logger.error(`run failed`, { event: 'run.finished', status: 'failed', runId: this.handle.id, error: error.message, step: failedStep, durationMs: this.runDuration() });
    return { runId: this.handle.id, status: 'failed', error, ...(failedStep === undefined ? {} : { failedStep }), partial: this.partialResult() };
  }

  /**
   * What the run had done when it stopped: the returned data rendered with what the steps that
   * ran produced (a step that did not run has an empty output, as a skipped one has, so that
   * `default` in the template gives its counts as 0), and each step's tally from the journal.
   * Never throws: a report of a failure must not fail in turn.
   */
  private partialResult(): PartialResult {
    let steps: PartialResult['steps'] = {};
    try {
      steps = tallySteps(this.workflow, this.handle.events());
    } catch (error) {
      this.logger.logger.warn(`could not tally the steps of the run: ${(error as Error).message}`, { runId: this.handle.id });
    }
    if (this.workflow.output === undefined) return { steps };
    const data: RunData = { ...this.data, steps: { ...this.data.steps } };
    for (const step of [...this.workflow.steps, ...this.workflow.on_failure]) {
      data.steps[step.id] ??= { status: 'skipped', output: {}, changed: false };
    }
    try {
      const output = this.services.templates.renderValue(this.workflow.output, data, { secret: (name) => this.secret(name), where: 'output' });
      return { output: this.services.redactor.redactDeep(output), steps };
    } catch (error) {
      this.logger.logger.debug(`the returned data cannot be rendered from the stopped run: ${(error as Error).message}`, { runId: this.handle.id });
      return { steps };
    }
  }

  /**
   * The pending cancel request, if any. Called at every step boundary and between foreach
   * items: a request made in this process is known at once (see onCancelRequest); one made by
   * another process is looked for with one `stat`, at most every {@link CANCEL_POLL_MS}, so that
   * a run of many quick steps does not pay a file system call for each.
   */
  private cancelRequested(): CancelRequest | undefined {
    if (this.cancelFound !== undefined) return this.cancelFound;
    if (!this.cancelWaits.signal.aborted) {
      const at = Date.now();
      if (at - this.cancelCheckedAt < CANCEL_POLL_MS) return undefined;
      this.cancelCheckedAt = at;
      if (!hasCancelRequest(this.cancelPath)) return undefined;
    }
    this.cancelFound = readCancelRequest(this.handle.dir) ?? { at: now(), by: 'unknown' };
    return this.cancelFound;
  }

  /** A step stopped without finishing: cancelled when someone asked, else interrupted. */
  private stopped(error: IdflowError | undefined, step: string | undefined): RunOutcome {
    const cancel = this.cancelRequested();
    return cancel === undefined ? this.interrupted(error) : this.cancelled(cancel, step);
  }

  /**
   * Ends the session on a cancel request: journaled and audited with who asked, the record
   * `cancelled`. The `on_failure` steps do not run (a cancel is a decision, not a failure to
   * clean up after); `idflow resume` continues from the step the run stopped before.
   */
  private cancelled(request: CancelRequest, beforeStep: string | undefined): RunOutcome {
    const reason = `cancelled by ${request.by}${request.reason === undefined ? '' : `: ${request.reason}`}`;
    this.append({ type: 'run.cancelled', at: now(), by: request.by, requestedAt: request.at, ...(request.reason === undefined ? {} : { reason: request.reason }) });
    this.audit({
      operation: 'run.cancel', target: this.workflow.id, result: 'info',
      after: { cancelled_by: request.by, requested_at: request.at },
      note: `${reason}${beforeStep === undefined ? '' : `; stopped before step "${beforeStep}" finished or started`}`,
    });
    this.finishMeta('cancelled', undefined, reason);
    this.logger.logger.warn(`run ${reason}; resume it with: idflow resume ${this.handle.id}`, { event: 'run.finished', status: 'cancelled', runId: this.handle.id });
    return { runId: this.handle.id, status: 'cancelled', error: new CancelledError(`Run ${this.handle.id} was ${reason}`), partial: this.partialResult() };
  }

  private interrupted(error: IdflowError | undefined): RunOutcome {
    const reason = error?.message ?? 'interrupted';
    this.append({ type: 'run.interrupted', at: now(), reason });
    this.finishMeta('interrupted', undefined, reason);
    this.logger.logger.warn(`run interrupted (${reason}); resume it with: idflow resume ${this.handle.id}`, { event: 'run.finished', status: 'interrupted', runId: this.handle.id });
    return { runId: this.handle.id, status: 'interrupted', error: error ?? new CancelledError(), partial: this.partialResult() };
  }

  // ---------------------------------------------------------------- steps

  private async runStep(step: Step, phase: StepPhase): Promise<StepOutcome> {
    const done = phase === 'steps' ? this.restored.units.get(step.id) : undefined;
    if (done !== undefined) {
      this.logger.logger.debug(`step ${step.id} already done in an earlier session (${done.status})`, { step: step.id });
      return { data: { status: done.status, output: done.output, changed: done.changed }, ...(done.endRun === undefined ? {} : { endRun: done.endRun }) };
    }
    const started = Date.now();
    if (step.if !== undefined) {
      let holds: boolean;
      try {
        holds = evaluateCondition(step.if, this.data);
      } catch (error) {
        return this.stepFailedEarly(step, phase, classifyError(error), started);
      }
      if (!holds) {
        this.append({ type: 'step.finished', at: now(), step: step.id, phase, status: 'skipped', attempts: 0, durationMs: 0, reason: 'if: false' });
        this.logger.logger.info(`step ${step.id} skipped (if: false)`, { event: 'step.skipped', step: step.id, name: step.name, reason: 'if: false' });
        return { data: { status: 'skipped', output: null, changed: false } };
      }
    }
    const action = this.services.registry.get(step.action);
    if (action === undefined) {
      return this.stepFailedEarly(step, phase, new PermanentError(`Step "${step.id}" uses action "${step.action}", which is not registered (is its plugin loaded?)`, { code: 'UNKNOWN_ACTION' }), started);
    }
    if (step.foreach === undefined) {
      const unit = await this.runUnit(step, phase, action, undefined);
      return {
        data: { status: unit.status, output: unit.output, changed: unit.changed },
        error: unit.error,
        cancelled: unit.cancelled === true ? true : undefined,
        endRun: phase === 'steps' ? unit.endRun : undefined,
      };
    }
    return this.runForeach(step, phase, action, started);
  }

  /** Records a step the run does not reach because an earlier one ended it (restored if already recorded). */
  private skipAfterEnd(step: Step, ended: { step: string; reason: string }): StepData {
    const done = this.restored.units.get(step.id);
    if (done !== undefined) return { status: done.status, output: done.output, changed: done.changed };
    const reason = `the run ended early at step "${ended.step}": ${ended.reason}`;
    this.append({ type: 'step.finished', at: now(), step: step.id, phase: 'steps', status: 'skipped', attempts: 0, durationMs: 0, reason });
    this.logger.logger.info(`step ${step.id} skipped (${reason})`, { event: 'step.skipped', step: step.id, name: step.name, reason });
    return { status: 'skipped', output: null, changed: false };
  }

  private stepFailedEarly(step: Step, phase: StepPhase, error: IdflowError, started: number): StepOutcome {
    if (error instanceof CancelledError) return { data: { status: 'failed', output: null, changed: false }, error, cancelled: true };
    this.append({ type: 'step.finished', at: now(), step: step.id, phase, status: 'failed', error: error.toJSON(), attempts: 0, durationMs: Date.now() - started });
    this.audit({ step: step.id, action: step.action, operation: 'step', target: step.name ?? step.id, result: 'failed', note: error.message });
    this.logger.logger.error(`step ${step.id} failed: ${error.message}`, { event: 'step.finished', step: step.id, name: step.name, action: step.action, status: 'failed', error: error.message, attempts: 0, durationMs: Date.now() - started });
    return { data: { status: 'failed', output: null, changed: false }, error };
  }

  private async runForeach(step: Step, phase: StepPhase, action: RegisteredAction, started: number): Promise<StepOutcome> {
    let list: unknown;
    try {
      list = typeof step.foreach === 'string'
        ? this.services.templates.renderValue(step.foreach, this.data, { secret: (name) => this.secret(name), where: `steps.${step.id}.foreach` })
        : step.foreach;
      if (!Array.isArray(list)) throw new PermanentError(`Step "${step.id}": foreach must yield a list, got ${list === null ? 'null' : typeof list}`);
    } catch (error) {
      return this.stepFailedEarly(step, phase, classifyError(error), started);
    }
    const items = list as unknown[];
    this.logger.logger.info(`step ${step.id} started for ${items.length} items`, { event: 'step.started', step: step.id, name: step.name, action: step.action, items: items.length });
    const results: Array<UnitOutcome | undefined> = new Array(items.length);
    const pending: number[] = [];
    items.forEach((_, i) => {
      const done = phase === 'steps' ? this.restored.units.get(unitKey(step.id, i)) : undefined;
      if (done !== undefined && done.status !== 'failed') results[i] = done;
      else pending.push(i);
    });
    let cancelled: IdflowError | undefined;
    await runPool(pending, step.concurrency, async (i) => {
      const outcome = await this.runUnit(step, phase, action, i, items[i]);
      results[i] = outcome;
      if (outcome.cancelled) cancelled = outcome.error ?? new CancelledError();
    }, () => cancelled !== undefined || this.signal.aborted || this.cancelRequested() !== undefined);
    if (cancelled !== undefined || this.signal.aborted || this.cancelRequested() !== undefined) {
      // Items not started stay pending: a resume runs only those.
      return { data: { status: 'failed', output: null, changed: false }, error: cancelled ?? new CancelledError(), cancelled: true };
    }
    const failed = results.flatMap((r, i) => (r?.status === 'failed' ? [i] : []));
    const succeeded = results.length - failed.length;
    const changed = results.some((r) => r?.changed === true);
    const output = results.map((r) => (r?.status === 'succeeded' ? r.output : null));
    const status = failed.length > 0 ? 'failed' : 'succeeded';
    const attempts = results.reduce((sum, r) => sum + (r?.attempts ?? 0), 0);
    const firstError = failed.length > 0 ? (results[failed[0] as number] as UnitOutcome).error : undefined;
    const error = failed.length > 0
      ? new PermanentError(`Step "${step.id}": ${failed.length} of ${items.length} items failed (items ${failed.join(', ')})${firstError ? `; first error: ${firstError.message}` : ''}`, { code: firstError?.code ?? 'FOREACH_FAILED', details: { failedItems: failed } })
      : undefined;
    const durationMs = Date.now() - started;
    const summary = `${succeeded} of ${items.length} items succeeded`;
    this.append({
      type: 'step.finished', at: now(), step: step.id, phase, status, changed, output, summary, attempts, durationMs,
      items: { total: items.length, succeeded, failed: failed.length },
      ...(error ? { error: error.toJSON() } : {}),
    });
    this.logger.logger.log(status === 'failed' ? 'error' : 'info', `step ${step.id} ${status}: ${summary}`, {
      event: 'step.finished', step: step.id, name: step.name, action: step.action, status, changed, summary, durationMs,
      items: { total: items.length, succeeded, failed: failed.length }, ...(error ? { error: error.message } : {}),
    });
    return { data: { status, output, changed }, ...(error ? { error } : {}) };
  }

  /**
   * Runs one unit — a step, or one item of a foreach step — with rendering, validation,
   * retries, the timeout and verification, journaling each event.
   */
  private async runUnit(step: Step, phase: StepPhase, action: RegisteredAction, item: number | undefined, itemValue?: unknown): Promise<UnitOutcome> {
    const key = unitKey(step.id, item);
    const started = Date.now();
    const data: RunData = item === undefined ? this.data : { ...this.data, item: itemValue, index: item };
    const where = item === undefined ? `steps.${step.id}` : `steps.${step.id}[${item}]`;
    let params: Record<string, unknown>;
    try {
      params = renderParams(step, action, data, this.services.templates, (name) => this.secret(name), where, (value) => this.services.redactor.add(value));
    } catch (error) {
      return this.unitFailed(step, phase, item, classifyError(error), 0, started);
    }
    const earlier = phase === 'steps' ? [...(this.restored.changes.get(key) ?? [])] : [];
    const priorAttempts = phase === 'steps' ? this.restored.attempts.get(key) ?? 0 : 0;
    let attemptsMade = 0;
    const policy = scalePolicy(step.retry ?? DEFAULT_RETRY_POLICY, this.services.retryDelayScale);
    const definition = action.definition;
    try {
      const result = await runWithRetry(async (attempt) => {
        attemptsMade++;
        // Events and log entries of every step are plain literals, an absent `item` undefined (left
        // out of the JSON like an absent member): spreads of optional members made each of them
        // several objects, and this runs for every step.
        this.append({ type: 'step.started', at: now(), step: step.id, item, attempt, phase });
        // Only the first attempt of a step is announced; retries were announced by step.retry.
        this.logger.logger.log(item === undefined && attemptsMade === 1 ? 'info' : 'debug', `step ${key} started (attempt ${attempt})`, { event: 'step.started', step: step.id, name: step.name, action: step.action, attempt, item });
        const attemptSignal = createAttemptSignal(this.signal, step.timeoutMs, key);
        const ctx = createActionContext({
          runId: this.handle.id,
          workflowId: this.workflow.id,
          stepKey: key,
          attempt,
          dryRun: false,
          signal: () => attemptSignal.signal,
          logger: this.logger.logger,
          run: this.runInfo(),
          services: this.services,
          runDir: this.handle.dir,
          earlierChanges: [...earlier],
          onChange: (change) => this.recordChange(step, item, change),
          claimSubject: (subject) => this.claim(subject, true),
          runWorkflow: (request) => this.runChild(step, key, request, attemptSignal.signal),
          scheduleTimer: (timer) => this.scheduleTimer(step, key, timer),
        });
        let failure: Error | undefined;
        try {
          const value = await attemptSignal.race(Promise.resolve().then(() => definition.run(ctx, params)));
          if (typeof value !== 'object' || value === null || typeof (value as { changed?: unknown }).changed !== 'boolean') {
            throw new PermanentError(`Action "${step.action}" returned ${JSON.stringify(value) ?? 'undefined'} instead of { changed: boolean, output?, summary? } (a bug in the action's plugin)`);
          }
          if (step.verify && definition.verify) {
            const verdict = await attemptSignal.race(Promise.resolve().then(() => definition.verify?.(ctx, params, value.output)));
            if (verdict !== undefined && !verdict.ok) {
              throw new PermanentError(`Step "${key}": verification failed: ${(verdict.problems ?? ['the desired state does not hold']).join('; ')}`, { code: 'VERIFY_FAILED' });
            }
          }
          return value;
        } catch (error) {
          failure = classifyError(error);
          throw error;
        } finally {
          attemptSignal.dispose(failure);
          earlier.push(...ctx.recordedNow);
        }
      }, policy, {
        signal: this.signal,
        waitSignal: this.cancelWaits.signal,
        firstAttempt: priorAttempts + 1,
        onFailedAttempt: ({ attempt, error, retryInMs }) => {
          this.append({ type: 'step.attempt_failed', at: now(), step: step.id, ...(item === undefined ? {} : { item }), attempt, error: error.toJSON(), retryInMs: retryInMs ?? 0 });
          if (retryInMs !== undefined) {
            this.logger.logger.warn(`step ${key} attempt ${attempt} failed: ${error.message}; retrying in ${retryInMs}ms`, { event: 'step.retry', step: step.id, name: step.name, attempt: attempt + 1, error: error.toJSON(), retryInMs, ...(item === undefined ? {} : { item }) });
          }
        },
      });
      if (action.validateOutput && result.output !== undefined && !action.validateOutput(result.output)) {
        this.logger.logger.warn(`action "${step.action}" returned output that does not match its output schema: ${(action.validateOutput.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')}`, { step: step.id });
      }
      const durationMs = Date.now() - started;
      const output = result.output ?? null;
      const attempts = priorAttempts + attemptsMade;
      // Ending the run early is a decision about the whole run: a foreach item cannot make it.
      const endRun = item === undefined && typeof result.endRun?.reason === 'string' && result.endRun.reason.trim() !== '' ? result.endRun.reason : undefined;
      this.append({
        type: 'step.finished', at: now(), step: step.id, item, phase, status: 'succeeded', changed: result.changed,
        output: this.services.redactor.redactDeep(output), summary: result.summary, attempts, durationMs, endRun,
      });
      this.audit({ step: key, action: step.action, operation: 'step', target: step.name ?? step.id, result: result.changed ? 'changed' : 'unchanged', note: result.summary });
      this.logger.logger.info(`step ${key} ${result.changed ? 'changed' : 'unchanged'}${result.summary ? `: ${result.summary}` : ''}`, {
        event: 'step.finished', step: step.id, name: step.name, action: step.action, status: 'succeeded', changed: result.changed,
        summary: result.summary, durationMs, attempts, item,
      });
      return { status: 'succeeded', output, changed: result.changed, attempts, endRun };
    } catch (error) {
      const classified = classifyError(error);
      if (classified instanceof CancelledError) return { status: 'failed', output: null, changed: false, attempts: priorAttempts + attemptsMade, error: classified, cancelled: true };
      return this.unitFailed(step, phase, item, classified, priorAttempts + attemptsMade, started);
    }
  }

  private unitFailed(step: Step, phase: StepPhase, item: number | undefined, error: IdflowError, attempts: number, started: number): UnitOutcome {
    const key = unitKey(step.id, item);
    const durationMs = Date.now() - started;
    this.append({ type: 'step.finished', at: now(), step: step.id, ...(item === undefined ? {} : { item }), phase, status: 'failed', error: error.toJSON(), attempts, durationMs });
    this.audit({ step: key, action: step.action, operation: 'step', target: step.name ?? step.id, result: 'failed', note: error.message });
    this.logger.logger.error(`step ${key} failed${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${error.message}`, {
      event: 'step.finished', step: step.id, name: step.name, action: step.action, status: 'failed', error: error.message, attempts, durationMs, ...(item === undefined ? {} : { item }),
    });
    return { status: 'failed', output: null, changed: false, attempts, error };
  }

  // ------------------------------------------------------------- services

  private recordChange(step: Step, item: number | undefined, change: Change): void {
    const safe = this.services.redactor.redactDeep(change);
    this.append({ type: 'step.change', at: now(), step: step.id, item, change: safe });
    this.audit({
      step: unitKey(step.id, item), action: step.action, operation: change.operation, target: change.target,
      before: change.before, after: change.after, result: change.result ?? 'changed', note: change.note,
    });
  }

  private async claim(subject: string, journal: boolean): Promise<void> {
    if (this.claimed.has(subject)) return;
    this.locks.push(acquireSubjectLock(this.services.store.locksDir(), subject, this.handle.id));
    this.claimed.add(subject);
    if (journal) this.append({ type: 'subject.claimed', at: now(), subject });
  }

  private async runChild(step: Step, key: string, request: ChildWorkflowRequest, signal: AbortSignal): Promise<ChildWorkflowResult> {
    if (this.services.runChild === undefined) throw new PermanentError('Sub-workflows are not available here');
    const meta = this.handle.meta();
    const existing = this.restored.children.get(key);
    return this.services.runChild(request, {
      runId: this.handle.id,
      stepId: key,
      templatePath: this.templatePath,
      initiatedBy: meta.initiatedBy,
      ...(meta.reason === undefined ? {} : { reason: meta.reason }),
      signal,
      ...(this.drain === undefined ? {} : { drain: this.drain }),
      console: this.console,
      ...(existing === undefined ? {} : { existingChildRunId: existing }),
      onChildStarted: (childRunId, workflowId) => {
        this.restored.children.set(key, childRunId);
        this.append({ type: 'child.started', at: now(), step: key, childRunId, workflowId });
        const current = this.handle.meta();
        if (!current.childRunIds.includes(childRunId)) this.handle.updateMeta({ childRunIds: [...current.childRunIds, childRunId] });
        this.audit({ step: key, action: step.action, operation: 'child.start', target: workflowId, result: 'info', note: `child run ${childRunId}` });
      },
    });
  }

  private async scheduleTimer(step: Step, key: string, timer: TimerRequest): Promise<ScheduledTimer> {
    if (this.services.scheduleTimer === undefined) throw new PermanentError('Timers are not available here');
    const scheduled = await this.services.scheduleTimer(timer, this.handle.id, this.workflow.id);
    // The same timer already pending (kept, not written again) is no new scheduling to journal.
    if (scheduled.keptFrom !== undefined) return scheduled;
    this.append({ type: 'timer.scheduled', at: now(), step: key, timerId: scheduled.id, dueAt: scheduled.dueAt, action: timer.action, key: timer.key });
    this.audit({
      step: key, action: step.action, operation: 'timer.schedule', target: timer.description, after: { action: timer.action, dueAt: scheduled.dueAt, timerId: scheduled.id }, result: 'changed',
      ...(scheduled.replaced.length === 0 ? {} : { note: `replaces ${scheduled.replaced.join(', ')}` }),
    });
    return scheduled;
  }

  private secret(name: string): string | undefined {
    const value = this.services.secret(name);
    if (value !== undefined) this.services.redactor.add(value);
    return value;
  }

  private runInfo(): { id: string; startedAt: string; initiatedBy: string; reason?: string } {
    const info: { id: string; startedAt: string; initiatedBy: string; reason?: string } = { id: this.data.run.id, startedAt: this.data.run.started_at, initiatedBy: this.data.run.initiated_by };
    if (this.data.run.reason !== undefined) info.reason = this.data.run.reason;
    return info;
  }

  // --------------------------------------------------------------- record

  private append(event: JournalEvent): void {
    this.handle.append(event);
  }

  private audit(entry: Parameters<RunHandle['audit']['append']>[0]): void {
    this.handle.audit.append(entry);
  }

  private runDuration(): number {
    return Date.now() - Date.parse(this.data.run.started_at);
  }

  /** Writes the session's end into `run.json`; fields of an earlier failed session are cleared. */
  private finishMeta(status: RunMeta['status'], failedStep?: string, error?: string): void {
    const finishedAt = now();
    this.handle.updateMeta({ status, finishedAt, durationMs: Date.parse(finishedAt) - Date.parse(this.data.run.started_at), failedStep, error });
  }
}

/**
 * Opens and drives a session under a subject lock the caller has taken: `open` records the
 * session's start and builds it; if that throws, the lock is released. The run's logger is
 * closed (flushed to disk) when the session ends, whatever the outcome.
 */
export async function driveUnderLock(runLock: SubjectLock | undefined, open: () => { session: RunSession; logger: RunLogger }): Promise<RunOutcome> {
  let opened: { session: RunSession; logger: RunLogger };
  try {
    opened = open();
  } catch (error) {
    runLock?.release();
    throw error;
  }
  try {
    return await opened.session.drive();
  } finally {
    await opened.logger.close();
  }
}

/**
 * What later templates and conditions see of a step: a step that produced no output (it was
 * skipped, failed under `continue_on_error`, or its action returns none) shows an empty
 * object, so that `{{default steps.x.output.field fallback}}` works whatever happened to it,
 * while printing `{{steps.x.output.field}}` still fails with a clear "not defined".
 */
export function exposed(data: StepData): StepData {
  return data.output === null || data.output === undefined ? { ...data, output: {} } : data;
}

/**
 * How often a run looks for a cancel request another process wrote (ms): a step boundary
 * looks when this long passed since the last look, so a cancel is seen within this much of a
 * boundary (a request made in the run's own process is seen at once).
 */
const CANCEL_POLL_MS = 50;

function now(): string {
  return new Date().toISOString();
}

function scalePolicy<P extends { delayMs: number; maxDelayMs: number }>(policy: P, scale: number | undefined): P {
  if (scale === undefined || scale === 1) return policy;
  return { ...policy, delayMs: Math.round(policy.delayMs * scale), maxDelayMs: Math.round(policy.maxDelayMs * scale) };
}
