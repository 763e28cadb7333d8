import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { classifyError } from '../errors/classify.js';
import { SubjectLockedError } from '../errors/usage-errors.js';
import type { ConsoleOptions } from '../runner/run-services.js';
import { resumeRun } from '../runner/resume-run.js';
import type { Runtime } from '../runtime/runtime.js';
import type { RunMeta } from '../store/journal-events.js';
import { thisHost } from '../store/process-liveness.js';
import { acquireSubjectLock, type SubjectLock } from '../store/subject-lock.js';
import type { RunDispatcher } from './run-dispatcher.js';
import type { ServeLogger } from './serve-logger.js';
import type { ServeSettings } from './serve-settings.js';
import { retryTransientStart, type StartRetryPolicy } from './transient-start.js';

/**
 * The prefix of the `initiatedBy` of every run serve starts (`idflow serve (hr)`,
 * `idflow serve (schedule)`): with an `event` or `schedule` trigger, which only serve gives a
 * run, it tells serve's runs from runs an administrator started with the CLI.
 */
export const SERVE_INITIATOR_PREFIX = 'idflow serve (';

/**
 * The trigger `source` of a manual run started through serve (its console or API, on behalf of
 * a signed-in person whose name is the run's `initiatedBy`): serve resumes such a run after a
 * crash like its event and schedule runs.
 */
export const SERVE_MANUAL_SOURCE = 'idflow serve';

/**
 * Whether serve started this run, so that serve (and not only an administrator) may resume it:
 * an event or schedule run, or a manual run started through serve's console or API, not a sub-workflow's run (its parent resumes it) and not a timer's
 * run (the timer loop resumes those), recorded against the same kind of organisation (sandbox
 * or real) this serve uses.
 */
export function isServeRun(meta: RunMeta, sandbox: boolean): boolean {
  const started = ((meta.trigger.type === 'event' || meta.trigger.type === 'schedule') && meta.initiatedBy.startsWith(SERVE_INITIATOR_PREFIX))
    || (meta.trigger.type === 'manual' && meta.trigger.source === SERVE_MANUAL_SOURCE);
  return started
    && meta.parentRunId === undefined
    && meta.sandbox === sandbox;
}

/** What {@link recoverInterruptedRuns} needs. */
export interface RunRecoveryDeps {
  runtime: Runtime;
  dispatcher: RunDispatcher;
  mode: ServeSettings['recover'];
  console(label: string): ConsoleOptions;
  logger: ServeLogger;
  /** How a resume that fails for a transient reason is retried. */
  startRetry?: StartRetryPolicy;
}

/** What recovery found and did. */
export interface RecoveryReport {
  /** Interrupted runs serve started (their process gone). */
  found: string[];
  /** Handed to the dispatcher to resume. */
  resuming: string[];
  /** Left alone: another live process holds the subject (an administrator resuming it, say). */
  held: string[];
}

/**
 * Serve's recovery at start-up (after it took the store's serve lock, before it listens): the
 * runs it started that are `interrupted` (stopped by a shutdown, or `running` with their
 * process gone after a crash or `kill -9`) are resumed through the same path as
 * `idflow resume`, so every step they completed is not repeated and a change made in the
 * instant before the kill is found by its intent. Each is logged. With `serve.recover: report`
 * each is only logged, with the command that resumes it.
 *
 * The subject lock of each run is taken here, synchronously and for that run, before serve
 * takes new work: a new event for the same user then waits for (is refused behind) the
 * resumed run instead of racing it. The resume job holds it re-entrantly and releases it when
 * the run ends.
 */
export function recoverInterruptedRuns(deps: RunRecoveryDeps): RecoveryReport {
  const { runtime, logger } = deps;
  const { store } = runtime.services;
  const report: RecoveryReport = { found: [], resuming: [], held: [] };
  const runs = store.listRuns({ onUnreadable: (runId, error) => logger.warn(`cannot read run ${runId}: ${error.message}`) })
    .filter((meta) => isServeRun(meta, runtime.services.sandbox) && (meta.status === 'interrupted' || leftByEarlierProcess(meta)))
    .reverse(); // oldest first: the order they were accepted in
  for (const found of runs) {
    report.found.push(found.id);
    const what = `run ${found.id} (${found.workflow.id}${found.subject === undefined ? '' : ` for ${found.subject}`}, ${describeTrigger(found)})`;
    let lock: SubjectLock | undefined;
    try {
      const meta = leftByEarlierProcess(found) ? markInterrupted(found, runtime) : found;
      if (deps.mode === 'report') {
        logger.warn(`${what} was interrupted when serve stopped; resume it with: idflow resume ${meta.id} (serve.recover is report)`);
        continue;
      }
      if (meta.subject !== undefined) lock = acquireSubjectLock(store.locksDir(), meta.subject, meta.id);
      report.resuming.push(meta.id);
      logger.info(`${what} was interrupted when serve stopped: resuming it`);
      submitResume(meta, lock, deps);
    } catch (error) {
      lock?.release();
      if (error instanceof SubjectLockedError) {
        report.held.push(found.id);
        logger.warn(`${what} was interrupted, but ${found.subject ?? ''} is held by run ${String(error.details['heldBy'] ?? '?')} in a live process; not resuming it`);
        continue;
      }
      // One run that cannot be taken up now (its record unwritable, say) does not keep serve
      // from starting: it is still interrupted, and the next start tries again.
      logger.error(`${what} was interrupted and cannot be resumed now: ${classifyError(error).message}; resume it with: idflow resume ${found.id}`);
    }
  }
  return report;
}

/**
 * A run serve started whose session ended without recording its end (it threw: the store could
 * not be written, no file descriptor or disk space left), or that failed for such a reason,
 * while serve lives on. Left alone, its record would say `running` for as long as serve runs
 * (its process is alive) and nothing would resume it. So it is marked `interrupted` (retried
 * with backoff while the shortage lasts), its subject lock taken for it, and it is resumed like
 * a run interrupted by a crash. When serve stops first, the next start recovers it (its record
 * then names a process that is gone).
 */
export function resumeStrandedRun(runId: string, cause: unknown, deps: RunRecoveryDeps): void {
  const { runtime, logger } = deps;
  const { store } = runtime.services;
  const why = classifyError(cause).message;
  const retry = { stop: deps.dispatcher.drainSignal, logger, ...(deps.startRetry === undefined ? {} : { policy: deps.startRetry }) };
  const settle = async (): Promise<RunMeta | undefined> => {
    const handle = store.openRun(runId);
    try {
      const meta = handle.meta();
      if (meta.status === 'succeeded' || meta.status === 'skipped') return undefined;
      if (meta.status === 'running') {
        if (meta.pid !== process.pid || meta.hostname !== thisHost()) return undefined; // another process resumed it meanwhile
        handle.updateMeta({ status: 'interrupted', finishedAt: new Date().toISOString(), error: `its session ended without recording its end: ${why}` });
      }
      return handle.meta();
    } finally {
      handle.close();
    }
  };
  void (async () => {
    const settled = await retryTransientStart(settle, { label: `the record of run ${runId}`, ...retry });
    if (settled.kind === 'stopped') {
      logger.warn(`run ${runId} ended without recording its end (${why}); serve is stopping: it is resumed at the next start`);
      return;
    }
    const meta = settled.value;
    if (meta === undefined) return;
    const what = `run ${meta.id} (${meta.workflow.id}${meta.subject === undefined ? '' : ` for ${meta.subject}`}, ${describeTrigger(meta)})`;
    let lock: SubjectLock | undefined;
    if (meta.subject !== undefined) {
      const subject = meta.subject;
      const taken = await retryTransientStart(async () => acquireSubjectLock(store.locksDir(), subject, meta.id), { label: `the lock of run ${meta.id}`, ...retry });
      if (taken.kind === 'stopped') return;
      lock = taken.value;
    }
    logger.warn(`${what} ended ${meta.status === 'failed' ? 'failed' : 'without recording its end'} for a transient reason (${why}): resuming it`);
    submitResume(meta, lock, deps);
  })().catch((error: unknown) => {
    logger.error(`run ${runId} ended without recording its end (${why}) and cannot be resumed now: ${classifyError(error).message}; resume it with: idflow resume ${runId}`);
  });
}

/**
 * A run recorded `running` under this very process id before this serve started any run: a
 * process before it had the same id (serve restarted as PID 1 in a container, say), so the run's
 * process is gone although its pid is alive.
 */
function leftByEarlierProcess(meta: RunMeta): boolean {
  return meta.status === 'running' && meta.pid === process.pid && meta.hostname === thisHost();
}

function markInterrupted(meta: RunMeta, runtime: Runtime): RunMeta {
  const handle = runtime.services.store.openRun(meta.id);
  try {
    handle.updateMeta({ status: 'interrupted', error: 'its process ended (a later idflow serve has the same process id)' });
    return handle.meta();
  } finally {
    handle.close();
  }
}

/**
 * Resumes one run as a dispatcher job, holding `lock` (taken for it) until the run ends: serve's
 * recovery, and a resume asked for in its console or API.
 */
export function submitResume(meta: RunMeta, lock: SubjectLock | undefined, deps: RunRecoveryDeps): void {
  const { runtime, logger } = deps;
  const services = runtime.services;
  const label = `${meta.workflow.id} (resuming run ${meta.id})`;
  const submission = deps.dispatcher.submit({
    label,
    start: async (job) => {
      // The run exists already: the dispatcher counts it as started from the first moment.
      job.onRunCreated(meta.id);
      try {
        const attempt = await retryTransientStart(async () => {
          const handle = services.store.openRun(meta.id);
          const loaded = await runtime.loadPinnedWorkflow(handle.templateText(), meta.templatePath);
          return resumeRun({
            handle,
            workflow: loaded.workflow,
            templateChanged: templateChanged(meta),
            signal: job.signal,
            drain: job.drain,
            console: deps.console(meta.workflow.id),
          }, services);
        }, { label, stop: job.drain, logger, ...(deps.startRetry === undefined ? {} : { policy: deps.startRetry }) });
        if (attempt.kind === 'stopped') {
          logger.warn(`run ${meta.id} was not resumed before serve stopped; it is resumed at the next start`);
          return;
        }
        const outcome = attempt.value;
        logger[outcome.status === 'succeeded' ? 'info' : 'warn'](`run ${meta.id} ${outcome.status} after resuming: ${meta.workflow.id}${outcome.error ? `: ${outcome.error.message}` : ''}`);
      } catch (error) {
        logger.error(`run ${meta.id} could not be resumed: ${classifyError(error).message}; resume it with: idflow resume ${meta.id}`);
      } finally {
        lock?.release();
      }
    },
  });
  void submission.started.then((start) => {
    if (start.kind !== 'dropped') return;
    lock?.release();
    logger.warn(`run ${meta.id} was not resumed before serve stopped; it is resumed at the next start`);
  });
}

/** Whether the template file changed since the run started (the pinned one is used either way). */
function templateChanged(meta: RunMeta): boolean {
  try {
    return createHash('sha256').update(readFileSync(meta.templatePath, 'utf8')).digest('hex') !== meta.templateHash;
  } catch {
    return true;
  }
}

function describeTrigger(meta: RunMeta): string {
  const { trigger } = meta;
  if (trigger.type === 'manual') return `started in idflow serve by ${meta.initiatedBy}`;
  if (trigger.type === 'event') return `event ${trigger.event ?? ''} ${trigger.eventId ?? ''} from ${trigger.source ?? ''}`.replace(/\s+/g, ' ').trim();
  return `schedule ${trigger.source ?? ''} slot ${trigger.eventId ?? ''}`;
}
