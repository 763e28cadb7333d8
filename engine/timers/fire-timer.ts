import { join } from 'node:path';
import { classifyError } from '../errors/classify.js';
import { RunNotFoundError, ValidationError } from '../errors/usage-errors.js';
import type { Workflow } from '../language/types.js';
import { startRun } from '../runner/start-run.js';
import { resumeRun } from '../runner/resume-run.js';
import type { RunOutcome } from '../runner/run-session.js';
import type { ConsoleOptions, RunServices } from '../runner/run-services.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { RunHandle } from '../store/run-handle.js';
import { isSandboxTimer, type TimerRecord } from './timer-record.js';
import type { TimerStore } from './timer-store.js';
import { timerTemplate } from './timer-workflow.js';
import { templatePin } from '../runtime/template-pin.js';

/** What firing needs from the runtime: its services and its template loader. */
export interface TimerRuntime {
  readonly services: RunServices;
  loadPinnedWorkflow(text: string, file: string): Promise<{ workflow: Workflow; file: string; source: string; hash: string }>;
}

/** Options of {@link fireTimer}. */
export interface FireTimerOptions {
  runtime: TimerRuntime;
  timers: TimerStore;
  /** Cancels the step in flight (hard stop). */
  signal: AbortSignal;
  /** Stops the run at its next step boundary (serve's shutdown). */
  drain?: AbortSignal;
  console: ConsoleOptions;
  /** Told the run id as soon as the run exists. */
  onRunCreated?(runId: string): void;
}

/** How firing a timer went. */
export type TimerFiring =
  /**
   * The timer reached a final state (fired, skipped or failed); no run when it was refused before
   * its run started (its scheduled parameters do not fit its action, which no later check changes).
   */
  | { kind: 'finished'; timer: TimerRecord; runId?: string }
  /** The timer stays pending: its run was interrupted, or hit a locked subject, or could not start yet; it is tried again at the next check. */
  | { kind: 'pending'; timer: TimerRecord; reason: string; runId?: string }
  /** Someone else fired or cancelled it meanwhile. */
  | { kind: 'gone' };

/**
 * Fires one due timer as a one-step run of its action (trigger `timer`), recorded in the store
 * like any run; or, when an earlier serve began firing it and stopped, resumes that run instead
 * of starting a second one. The run's outcome decides the timer's final state: `fired` when the
 * action changed something, `skipped` when it found nothing to do (its summary says why),
 * `failed` when the run failed. An interrupted run, or one refused because another run holds
 * its subject, leaves the timer pending for the next check.
 */
export async function fireTimer(due: TimerRecord, options: FireTimerOptions): Promise<TimerFiring> {
  const { runtime, timers } = options;
  const mismatch = sandboxMismatch(due, runtime.services.sandbox);
  if (mismatch !== undefined) return { kind: 'pending', timer: due, reason: mismatch };
  const claimed = timers.claim(due.id);
  if (claimed === undefined) return { kind: 'gone' };
  const services = runtime.services;
  let outcome: RunOutcome;
  let runId: string;
  try {
    const earlier = claimed.runId === undefined ? undefined : openIfExists(services, claimed.runId);
    if (earlier !== undefined) {
      const status = earlier.meta().status;
      runId = earlier.id;
      if (status === 'running') return { kind: 'pending', timer: claimed, reason: `its run ${earlier.id} is still running in another process`, runId };
      if (status === 'succeeded' || status === 'skipped') {
        outcome = { runId: earlier.id, status, output: earlier.output() };
      } else {
        const loaded = await runtime.loadPinnedWorkflow(earlier.templateText(), earlier.meta().templatePath);
        outcome = await resumeRun({ handle: earlier, workflow: loaded.workflow, templateChanged: false, signal: options.signal, ...(options.drain ? { drain: options.drain } : {}), console: options.console }, services);
      }
    } else {
      const text = timerTemplate(claimed);
      const file = join(timers.dir, `${claimed.id}.yaml`);
      writeFileAtomic(file, text);
      const loaded = await runtime.loadPinnedWorkflow(text, file);
      let created: string | undefined;
      outcome = await startRun({
        workflow: loaded.workflow,
        template: templatePin(loaded),
        inputs: { timer_id: claimed.id, params: claimed.params },
        vars: {},
        trigger: { type: 'timer', source: claimed.id },
        initiatedBy: claimed.scheduledBy.initiatedBy ?? 'idflow serve',
        reason: `timer ${claimed.id}: ${claimed.description} (scheduled by run ${claimed.scheduledBy.runId})`,
        signal: options.signal,
        ...(options.drain ? { drain: options.drain } : {}),
        console: options.console,
        onRunCreated: (id) => {
          created = id;
          timers.recordRun(claimed.id, id);
          options.onRunCreated?.(id);
        },
      }, services);
      runId = created ?? outcome.runId;
    }
  } catch (error) {
    // The run could not start (its action is not loaded here, the template no longer checks):
    // nothing happened, so the timer waits for a serve that can fire it.
    const reason = classifyError(error).message;
    if (error instanceof ValidationError && error.code === 'INVALID_PARAMS' && claimed.runId === undefined) {
      // The parameters were fixed when the timer was scheduled: no later check could fire it.
      return { kind: 'finished', timer: timers.finish(claimed.id, 'failed', { reason }) };
    }
    return { kind: 'pending', timer: claimed.runId === undefined ? timers.release(claimed.id) : claimed, reason };
  }
  return settle(options, claimed, runId, outcome);
}

function settle(options: FireTimerOptions, timer: TimerRecord, runId: string, outcome: RunOutcome): TimerFiring {
  const { timers } = options;
  if (outcome.status === 'interrupted') return { kind: 'pending', timer: timers.get(timer.id), reason: `its run ${runId} was interrupted; it resumes at the next check`, runId };
  if (outcome.status === 'failed' && outcome.error?.code === 'SUBJECT_LOCKED') {
    return { kind: 'pending', timer: timers.get(timer.id), reason: `${outcome.error.message}; it is tried again at the next check`, runId };
  }
  // A cancelled run is someone's decision: the timer ends with it instead of resuming it at the next check.
  if (outcome.status === 'cancelled') {
    return { kind: 'finished', timer: timers.finish(timer.id, 'failed', { runId, reason: `${outcome.error?.message ?? 'its run was cancelled'} (idflow runs show ${runId})` }), runId };
  }
  if (outcome.status === 'failed') {
    return { kind: 'finished', timer: timers.finish(timer.id, 'failed', { runId, reason: `${outcome.error?.message ?? 'the run failed'} (idflow runs show ${runId})` }), runId };
  }
  if (outcome.status === 'skipped') return { kind: 'finished', timer: timers.finish(timer.id, 'skipped', { runId, reason: 'the run was skipped' }), runId };
  const fire = lastFinishedFireStep(options.runtime.services, runId);
  const state = fire?.changed === true ? 'fired' : 'skipped';
  const reason = fire?.summary ?? (state === 'fired' ? 'done' : 'nothing to do: the desired state already held');
  return { kind: 'finished', timer: timers.finish(timer.id, state, { runId, reason }), runId };
}

function lastFinishedFireStep(services: RunServices, runId: string): { changed?: boolean; summary?: string } | undefined {
  const events = services.store.openRun(runId).events();
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event?.type === 'step.finished' && event.phase === 'steps' && event.step === 'fire' && event.item === undefined) {
      return { ...(event.changed === undefined ? {} : { changed: event.changed }), ...(event.summary === undefined ? {} : { summary: event.summary }) };
    }
  }
  return undefined;
}

function openIfExists(services: RunServices, runId: string): RunHandle | undefined {
  try {
    return services.store.openRun(runId);
  } catch (error) {
    if (error instanceof RunNotFoundError) return undefined;
    throw error;
  }
}

/**
 * Why this serve must not fire the timer: a sandbox run's timer under a serve without
 * `--sandbox` (it would reach the real organisation), or a real run's timer under
 * `serve --sandbox` (it would be spent on the emulator); undefined when the modes match.
 */
export function sandboxMismatch(timer: Pick<TimerRecord, 'sandbox'>, sandbox: boolean): string | undefined {
  if (isSandboxTimer(timer) === sandbox) return undefined;
  return sandbox
    ? 'a real run scheduled it, and this serve runs with --sandbox; a serve without --sandbox fires it'
    : 'a sandbox run scheduled it; only "idflow serve --sandbox" fires it (or "idflow timers cancel" it)';
}
