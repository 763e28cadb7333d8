import type { RunData, Workflow } from '../language/types.js';
import type { RunMeta } from '../store/journal-events.js';
import { acquireSubjectLock } from '../store/subject-lock.js';
import { thisHost } from '../store/process-liveness.js';
import { newRunId } from '../store/run-id.js';
import { AUDIT_PINNED_KEYS } from '../store/pinned-record.js';
import { createRunLogger } from '../logging/run-logger.js';
import { REDACTED } from '../logging/redactor.js';
import { RunSession, driveUnderLock, type RunOutcome } from './run-session.js';
import { checkParamsBeforeRun } from './check-params-early.js';
import type { ConsoleOptions, RunServices } from './run-services.js';

/** Everything needed to start a run of a loaded, checked workflow. */
export interface StartRunRequest {
  workflow: Workflow;
  /** The template as loaded: its path, text (pinned in the run record) and hash. */
  template: { path: string; text: string; hash: string };
  /** Validated inputs, defaults filled. */
  inputs: Record<string, unknown>;
  /** Resolved organisation variables. */
  vars: Record<string, unknown>;
  event?: Record<string, unknown>;
  trigger: RunMeta['trigger'];
  initiatedBy: string;
  reason?: string;
  parentRunId?: string;
  signal: AbortSignal;
  /** Stops the run at its next step boundary, letting the step in flight finish (see SessionSetup.drain). */
  drain?: AbortSignal;
  console: ConsoleOptions;
  /** Called with the run id once the run record exists, before any step runs. */
  onRunCreated?(runId: string): void;
  /**
   * The run's id, chosen beforehand with `newRunId()` (serve tells a queued run's id before it
   * starts); a new one otherwise.
   */
  runId?: string;
}

/**
 * Starts a run: checks every step parameter that is known before the first step (see
 * `checkParamsBeforeRun`), takes the subject lock (a refused run leaves no record), creates the
 * run record (pinned template, inputs with secrets redacted), and drives it to its end.
 *
 * @throws ValidationError (`INVALID_PARAMS`) when a known parameter is invalid, before anything
 *   ran; SubjectLockedError when another active run holds the subject; errors from the store.
 */
export async function startRun(request: StartRunRequest, services: RunServices): Promise<RunOutcome> {
  const { workflow } = request;
  const recordedInputs = redactSecretInputs(workflow, request.inputs, services);
  const startedAt = new Date().toISOString();
  const runId = request.runId ?? newRunId(new Date(startedAt));
  const data: RunData = {
    inputs: request.inputs,
    vars: request.vars,
    event: request.event ?? {},
    steps: {},
    run: {
      id: runId,
      workflow_id: workflow.id,
      started_at: startedAt,
      initiated_by: request.initiatedBy,
      ...(request.reason === undefined ? {} : { reason: request.reason }),
      dry_run: false,
    },
  };
  // Every parameter known before the first step is checked now: a bad one refuses the run
  // (no record, no lock) instead of failing its step after earlier steps changed things.
  checkParamsBeforeRun(workflow, data, services, request.template);
  const subject = renderSubject(workflow, data, services);
  const runLock = subject === undefined ? undefined : acquireSubjectLock(services.store.locksDir(), subject, runId);
  return driveUnderLock(runLock, () => {
    const handle = services.store.createRun(
      {
        workflow: { id: workflow.id, name: workflow.name, ...(workflow.version === undefined ? {} : { version: workflow.version }) },
        templatePath: request.template.path,
        templateText: request.template.text,
        templateHash: request.template.hash,
        inputs: recordedInputs,
        ...(subject === undefined ? {} : { subject }),
        initiatedBy: request.initiatedBy,
        ...(request.reason === undefined ? {} : { reason: request.reason }),
        trigger: request.trigger,
        ...(request.parentRunId === undefined ? {} : { parentRunId: request.parentRunId }),
        sandbox: services.sandbox,
        ...(services.sandboxData === undefined ? {} : { sandboxData: services.sandboxData }),
      },
      { id: runId, startedAt },
    );
    request.onRunCreated?.(runId);
    const logger = createRunLogger({ runId, workflowId: workflow.id, logFile: handle.logFile, redactor: services.redactor, console: request.console });
    handle.append({ type: 'run.started', at: startedAt, runId, workflowId: workflow.id, session: 1, pid: process.pid, vars: request.vars, ...(request.event === undefined ? {} : { event: request.event }) });
    // The pinned files' hashes go into the hash chain, so that `audit verify` sees them edited.
    const pinned = handle.pinnedAtStart;
    handle.audit.append({
      operation: 'run.start',
      target: workflow.id,
      ...(pinned === undefined ? {} : { after: { [AUDIT_PINNED_KEYS.template]: pinned.template, [AUDIT_PINNED_KEYS.inputs]: pinned.inputs } }),
      result: 'info',
      note: describeStart(subject, request.trigger, thisHost()),
    });
    logger.logger.info(`run ${runId} started: ${workflow.name}${subject ? ` for ${subject}` : ''}`, { event: 'run.started', runId, name: workflow.name, workflowId: workflow.id, subject });
    const session = new RunSession({ workflow, handle, services, logger, data, signal: request.signal, ...(request.drain ? { drain: request.drain } : {}), console: request.console, templatePath: request.template.path, ...(runLock ? { runLock } : {}) });
    return { session, logger };
  });
}

/** Registers secret inputs for redaction and returns the inputs as the record keeps them. */
export function redactSecretInputs(workflow: Workflow, inputs: Record<string, unknown>, services: RunServices): Record<string, unknown> {
  const recorded: Record<string, unknown> = { ...inputs };
  for (const [name, declaration] of Object.entries(workflow.inputs)) {
    if (!declaration.secret || inputs[name] === undefined || inputs[name] === null) continue;
    const value = inputs[name];
    services.redactor.add(typeof value === 'string' ? value : JSON.stringify(value));
    recorded[name] = REDACTED;
  }
  return recorded;
}

/** The run's subject, rendered from the template's `subject:`; undefined when absent or empty. */
export function renderSubject(workflow: Workflow, data: RunData, services: RunServices): string | undefined {
  if (workflow.subject === undefined) return undefined;
  const value = services.templates.renderValue(workflow.subject, data, { where: 'subject' });
  const text = value === undefined || value === null ? '' : String(value).trim();
  return text === '' ? undefined : text;
}

function describeStart(subject: string | undefined, trigger: RunMeta['trigger'], host: string): string {
  const via = trigger.type === 'event' ? `event ${trigger.event ?? ''}${trigger.eventId ? ` (${trigger.eventId})` : ''}` : trigger.type;
  return `${subject ? `subject ${subject}, ` : ''}trigger ${via}, host ${host}`;
}
