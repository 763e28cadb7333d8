import type { RunData, Workflow } from '../language/types.js';
import type { RunHandle } from '../store/run-store.js';
import { acquireSubjectLock } from '../store/subject-lock.js';
import { createRunLogger } from '../logging/run-logger.js';
import { ConflictError } from '../errors/action-errors.js';
import { ValidationError } from '../errors/usage-errors.js';
import { RunSession, driveUnderLock, type RunOutcome } from './run-session.js';
import { restoreRun } from './restore-run.js';
import { REDACTED } from '../logging/redactor.js';
import type { ConsoleOptions, RunServices } from './run-services.js';

/** What resuming a run needs. */
export interface ResumeRunRequest {
  handle: RunHandle;
  /** The workflow loaded from the run's pinned template text. */
  workflow: Workflow;
  /** True when the template file changed since the run started (the pinned one is used). */
  templateChanged: boolean;
  /** Values for secret inputs, which the run record does not keep. */
  secretInputs?: Record<string, unknown>;
  signal: AbortSignal;
  /** Stops the run at its next step boundary, letting the step in flight finish (see SessionSetup.drain). */
  drain?: AbortSignal;
  console: ConsoleOptions;
}

/**
 * Refuses a run whose pinned template or recorded inputs changed since it started: every path
 * that resumes a run (the CLI, serve, timers, a parent resuming its child) goes through it,
 * before it loads the pinned template or runs anything.
 *
 * @throws RunRecordChangedError (`RUN_RECORD_CHANGED`) naming the changed file.
 */
export function verifyRunRecord(handle: RunHandle): void {
  handle.pinnedRecord();
}

/**
 * Continues a failed, interrupted, cancelled or killed run from where it stopped, with its pinned
 * template, its recorded inputs and variables, and the recorded outputs of the steps it
 * completed (which are not repeated). A run that already succeeded is left alone.
 *
 * @throws ConflictError when the run is still running in a live process; RunRecordChangedError
 *   when its pinned template or inputs changed since it started;
 *   ValidationError when a secret input must be given again; SubjectLockedError.
 */
export async function resumeRun(request: ResumeRunRequest, services: RunServices): Promise<RunOutcome> {
  const { handle, workflow } = request;
  const meta = handle.meta();
  if (meta.status === 'running') {
    throw new ConflictError(`Run ${handle.id} is still running (process ${meta.pid} on ${meta.hostname}); stop it first or wait for it to end`, { code: 'RUN_ACTIVE' });
  }
  // Before anything else: a run record edited since the start is not run.
  verifyRunRecord(handle);
  const events = handle.events();
  const restored = restoreRun(events);
  if (restored.finished?.status === 'succeeded') {
    return { runId: handle.id, status: 'succeeded', output: handle.output() };
  }
  const started = events.find((e) => e.type === 'run.started');
  const inputs = { ...handle.inputs() };
  const missing: string[] = [];
  for (const [name, declaration] of Object.entries(workflow.inputs)) {
    if (!declaration.secret || inputs[name] !== REDACTED) continue;
    const given = request.secretInputs?.[name];
    if (given === undefined) missing.push(name);
    else {
      inputs[name] = given;
      services.redactor.add(typeof given === 'string' ? given : JSON.stringify(given));
    }
  }
  if (missing.length > 0) {
    throw new ValidationError('INVALID_INPUT', `Run ${handle.id} needs its secret input${missing.length > 1 ? 's' : ''} again (the run record does not keep secrets): ${missing.map((n) => `--input ${n}=…`).join(' ')}`);
  }
  const data: RunData = {
    inputs,
    vars: started?.type === 'run.started' ? started.vars ?? {} : {},
    event: started?.type === 'run.started' ? started.event ?? {} : {},
    steps: {},
    run: {
      id: handle.id,
      workflow_id: workflow.id,
      started_at: meta.startedAt,
      initiated_by: meta.initiatedBy,
      ...(meta.reason === undefined ? {} : { reason: meta.reason }),
      dry_run: false,
    },
  };
  const runLock = meta.subject === undefined ? undefined : acquireSubjectLock(services.store.locksDir(), meta.subject, handle.id);
  return driveUnderLock(runLock, () => {
    // The cancel this run stopped on is done with: resuming it is the decision to go on. (A
    // request still pending on an interrupted run stays, and stops it at its first boundary.)
    if (meta.status === 'cancelled') handle.clearCancelRequest();
    handle.updateMeta({ status: 'running', pid: process.pid, finishedAt: undefined, durationMs: undefined, failedStep: undefined, error: undefined });
    const logger = createRunLogger({ runId: handle.id, workflowId: workflow.id, logFile: handle.logFile, redactor: services.redactor, console: request.console });
    const session = restored.sessions + 1;
    handle.append({ type: 'run.resumed', at: new Date().toISOString(), session, pid: process.pid, templateChanged: request.templateChanged });
    handle.audit.append({ operation: 'run.resume', target: workflow.id, result: 'info', note: `session ${session}${request.templateChanged ? '; the template file changed since the run started, the pinned template is used' : ''}` });
    if (request.templateChanged) {
      logger.logger.warn(`the template ${meta.templatePath} changed since this run started; resuming with the template pinned in the run record`, { runId: handle.id });
    }
    logger.logger.info(`run ${handle.id} resumed (session ${session})`, { event: 'run.started', runId: handle.id, name: `${workflow.name} (resumed)`, workflowId: workflow.id, subject: meta.subject });
    return { session: new RunSession({ workflow, handle, services, logger, data, signal: request.signal, ...(request.drain ? { drain: request.drain } : {}), console: request.console, templatePath: meta.templatePath, restored, ...(runLock ? { runLock } : {}) }), logger };
  });
}
