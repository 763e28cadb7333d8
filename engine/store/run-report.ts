import type { Change } from '../plugin-api/action.js';
import type { SerializedError } from '../errors/idflow-error.js';
import type { JournalEvent, RunMeta, StepPhase } from './journal-events.js';

/**
 * What `idflow runs show` presents: the run's record plus every step, rebuilt from the journal
 * (the source of truth) in the order the steps first appeared.
 */

/** Where a step (or a foreach item) ended up. `running`/`interrupted`: started, never finished. */
export type StepReportStatus = 'running' | 'interrupted' | 'succeeded' | 'failed' | 'skipped';

/** An attempt that failed and was retried (or was the last). */
export interface AttemptFailure {
  attempt: number;
  at: string;
  error: SerializedError;
  /** The wait before the next attempt, in milliseconds. */
  retryInMs: number;
}

/** One unit of work: a step, or one item of a foreach step. */
export interface UnitReport {
  status: StepReportStatus;
  /** How many attempts were started, across every session of the run. */
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  changed?: boolean;
  summary?: string;
  output?: unknown;
  error?: SerializedError;
  /** Why the step was skipped (e.g. `if: false`). */
  reason?: string;
  /** Failed attempts, in order (retried ones and the last). */
  failures: AttemptFailure[];
  /** Changes the action recorded. */
  changes: Change[];
}

/** One foreach item. */
export interface ItemReport extends UnitReport {
  index: number;
}

/** One step. */
export interface StepReport extends UnitReport {
  step: string;
  phase: StepPhase;
  /** For foreach steps: the per-item counts recorded when the step finished. */
  itemCounts?: { total: number; succeeded: number; failed: number };
  /** For foreach steps: each item, by index. */
  items: ItemReport[];
  /** Child runs the step started (`workflow.run`). */
  childRuns: Array<{ runId: string; workflowId: string; at: string }>;
  /** Timers the step scheduled. */
  timers: Array<{ timerId: string; dueAt: string; action: string; key: string; at: string }>;
}

/** One process's go at the run: the first start, then each resume. */
export interface SessionReport {
  session: number;
  at: string;
  pid: number;
  resumed: boolean;
  /** On resume: whether the template file had changed since the run started (the pinned text is used). */
  templateChanged?: boolean;
}

/** The whole run. */
export interface RunReport {
  meta: RunMeta;
  sessions: SessionReport[];
  /** Subjects the run claimed. */
  subjects: string[];
  /** The main steps, in order. */
  steps: StepReport[];
  /** The `on_failure` steps that ran, in order. */
  onFailure: StepReport[];
  /** Times the run was stopped (Ctrl-C, SIGTERM). */
  interruptions: Array<{ at: string; reason: string }>;
  /** Times someone cancelled the run (`idflow runs cancel`, the console), with who and why. */
  cancellations: Array<{ at: string; by: string; reason?: string }>;
  /** Set when the run was skipped as a whole (the workflow's `when:` did not hold). */
  skipped?: { at: string; reason: string };
  /** The last `run.finished` event. */
  finished?: { at: string; status: 'succeeded' | 'failed'; error?: SerializedError; failedStep?: string };
  /** The returned data. */
  output?: unknown;
  /**
   * Set when the run's pinned template or recorded inputs changed since it started (what
   * `RUN_RECORD_CHANGED` says): the run cannot be resumed, and what it shows may not be what ran.
   */
  recordChanged?: string;
}

/**
 * Builds the report of a run from its record, its journal and its returned data.
 *
 * @param output - the recorded returned data (`output.json`); when undefined, the output of the
 *   last `run.finished` event is used.
 */
export function buildRunReport(meta: RunMeta, events: readonly JournalEvent[], output?: unknown): RunReport {
  const report: RunReport = { meta, sessions: [], subjects: [], steps: [], onFailure: [], interruptions: [], cancellations: [] };
  const steps = new Map<string, StepReport>();
  /** The phase each step name was last started in (events other than start/finish carry none). */
  const phaseOf = new Map<string, StepPhase>();
  let finishedOutput: unknown;

  const stepFor = (name: string, phase: StepPhase | undefined): StepReport => {
    const actual = phase ?? phaseOf.get(name) ?? 'steps';
    const key = `${actual}\u0000${name}`;
    let step = steps.get(key);
    if (step === undefined) {
      step = { step: name, phase: actual, status: 'running', attempts: 0, failures: [], changes: [], items: [], childRuns: [], timers: [] };
      steps.set(key, step);
      (actual === 'steps' ? report.steps : report.onFailure).push(step);
    }
    return step;
  };
  const unitFor = (name: string, phase: StepPhase | undefined, item: number | undefined): UnitReport => {
    const step = stepFor(name, phase);
    if (item === undefined) return step;
    let unit = step.items.find((candidate) => candidate.index === item);
    if (unit === undefined) {
      unit = { index: item, status: 'running', attempts: 0, failures: [], changes: [] };
      step.items.push(unit);
      step.items.sort((a, b) => a.index - b.index);
    }
    return unit;
  };

  for (const event of events) {
    switch (event.type) {
      case 'run.started':
        report.sessions.push({ session: event.session, at: event.at, pid: event.pid, resumed: false });
        break;
      case 'run.resumed':
        report.sessions.push({ session: event.session, at: event.at, pid: event.pid, resumed: true, templateChanged: event.templateChanged });
        break;
      case 'run.skipped':
        report.skipped = { at: event.at, reason: event.reason };
        break;
      case 'subject.claimed':
        if (!report.subjects.includes(event.subject)) report.subjects.push(event.subject);
        break;
      case 'step.started': {
        phaseOf.set(event.step, event.phase);
        const unit = unitFor(event.step, event.phase, event.item);
        unit.attempts++;
        unit.startedAt ??= event.at;
        unit.status = 'running';
        break;
      }
      case 'step.attempt_failed':
        unitFor(event.step, undefined, event.item).failures.push({ attempt: event.attempt, at: event.at, error: event.error, retryInMs: event.retryInMs });
        break;
      case 'step.change':
        unitFor(event.step, undefined, event.item).changes.push(event.change);
        break;
      case 'step.finished': {
        phaseOf.set(event.step, event.phase);
        const unit = unitFor(event.step, event.phase, event.item);
        unit.status = event.status;
        unit.finishedAt = event.at;
        unit.durationMs = event.durationMs;
        unit.attempts = Math.max(unit.attempts, event.attempts);
        setOrDelete(unit, 'changed', event.changed);
        setOrDelete(unit, 'summary', event.summary);
        setOrDelete(unit, 'output', event.output);
        setOrDelete(unit, 'error', event.error);
        setOrDelete(unit, 'reason', event.reason);
        if (event.item === undefined && event.items !== undefined) stepFor(event.step, event.phase).itemCounts = event.items;
        break;
      }
      case 'child.started':
        stepFor(event.step, undefined).childRuns.push({ runId: event.childRunId, workflowId: event.workflowId, at: event.at });
        break;
      case 'timer.scheduled':
        stepFor(event.step, undefined).timers.push({ timerId: event.timerId, dueAt: event.dueAt, action: event.action, key: event.key, at: event.at });
        break;
      case 'run.interrupted':
        report.interruptions.push({ at: event.at, reason: event.reason });
        break;
      case 'run.cancelled':
        report.cancellations.push({ at: event.at, by: event.by, ...(event.reason === undefined ? {} : { reason: event.reason }) });
        break;
      case 'run.finished':
        report.finished = { at: event.at, status: event.status, ...(event.error === undefined ? {} : { error: event.error }), ...(event.failedStep === undefined ? {} : { failedStep: event.failedStep }) };
        finishedOutput = event.output;
        break;
    }
  }

  // Started but never finished: still running if the run is, else cut short.
  const open: StepReportStatus = meta.status === 'running' ? 'running' : 'interrupted';
  for (const step of [...report.steps, ...report.onFailure]) {
    if (step.status === 'running') step.status = open;
    for (const item of step.items) if (item.status === 'running') item.status = open;
  }
  const returned = output !== undefined ? output : finishedOutput;
  if (returned !== undefined) report.output = returned;
  return report;
}

function setOrDelete<K extends keyof UnitReport>(unit: UnitReport, key: K, value: UnitReport[K] | undefined): void {
  if (value === undefined) delete unit[key];
  else unit[key] = value;
}
