import { describeTransition } from '../cli/format/change-transition.js';
import type { AuditVerification } from '../audit/verify-audit-trail.js';
import type { SerializedError } from '../errors/idflow-error.js';
import type { Change } from '../plugin-api/action.js';
import type { RunReport, StepReport } from '../store/run-report.js';
import { shownChanges } from '../store/run-report-text.js';
import type { LogLine } from './run-log.js';

/** A run, as the run page shows it. */
export interface RunView {
  run: RunReport['meta'];
  running: boolean;
  triggerText: string;
  hashShort: string;
  failure?: string;
  recordChanged?: string;
  skipped?: string;
  interruptions: RunReport['interruptions'];
  steps: StepView[];
  onFailure: StepView[];
  /** Every change of every step, in order (a write-ahead intent left out once its outcome is recorded). */
  changes: Array<{ step: string; operation: string; target: string; result: string; resultClass: string; transition: string; before: string; after: string; note?: string }>;
  /** The returned data, as indented JSON. */
  output?: string;
  audit: AuditVerification;
  log: LogLine[];
  logCut: number;
  canResume: boolean;
  canCancel: boolean;
}

interface StepView {
  step: string;
  status: string;
  changedText?: string;
  attempts: number;
  startedAt?: string;
  durationMs?: number;
  summary?: string;
  reason?: string;
  error?: string;
  failures: Array<{ attempt: number; message: string; retried: boolean; retryInMs: number }>;
  itemCounts?: StepReport['itemCounts'];
  childRuns: StepReport['childRuns'];
  timers: StepReport['timers'];
}

/** Statuses a run can be resumed from (as `idflow resume` accepts). */
const RESUMABLE = new Set(['interrupted', 'failed', 'cancelled']);

/**
 * The run page's view of a run: its report (rebuilt from the journal), the audit trail's
 * verification and the end of its log, with the buttons its state allows.
 */
export function runView(report: RunReport, audit: AuditVerification, log: { lines: LogLine[]; cut: number }): RunView {
  const { meta } = report;
  const status: string = meta.status;
  const triggerParts: string[] = [meta.trigger.type];
  if (meta.trigger.event !== undefined) triggerParts.push(`event ${meta.trigger.event}`);
  if (meta.trigger.source !== undefined) triggerParts.push(`from ${meta.trigger.source}`);
  const changes: RunView['changes'] = [];
  for (const step of [...report.steps, ...report.onFailure]) {
    const units = step.items.length > 0 ? step.items.map((item) => ({ key: `${step.step}[${item.index}]`, changes: item.changes })) : [];
    units.unshift({ key: step.step, changes: step.changes });
    for (const unit of units) for (const change of shownChanges(unit.changes)) changes.push(changeRow(unit.key, change));
  }
  return {
    run: meta,
    running: status === 'running',
    triggerText: triggerParts.join(', '),
    hashShort: meta.templateHash.slice(0, 12),
    ...(status === 'failed' ? { failure: `${meta.failedStep === undefined ? '' : `at step ${meta.failedStep}: `}${meta.error ?? errorText(report.finished?.error)}` } : {}),
    ...(report.recordChanged === undefined ? {} : { recordChanged: report.recordChanged }),
    ...(report.skipped === undefined ? {} : { skipped: report.skipped.reason }),
    interruptions: report.interruptions,
    steps: report.steps.map(stepView),
    onFailure: report.onFailure.map(stepView),
    changes,
    ...(report.output === undefined ? {} : { output: JSON.stringify(report.output, null, 2) }),
    audit,
    log: log.lines,
    logCut: log.cut,
    canResume: RESUMABLE.has(status) && report.recordChanged === undefined,
    canCancel: status === 'running',
  };
}

function stepView(step: StepReport): StepView {
  return {
    step: step.step,
    status: step.status,
    ...(step.status === 'succeeded' && step.changed !== undefined ? { changedText: step.changed ? 'changed' : 'unchanged' } : {}),
    attempts: step.attempts,
    ...(step.startedAt === undefined ? {} : { startedAt: step.startedAt }),
    ...(step.durationMs === undefined ? {} : { durationMs: step.durationMs }),
    ...(step.summary === undefined ? {} : { summary: step.summary }),
    ...(step.reason === undefined ? {} : { reason: step.reason }),
    ...(step.status === 'failed' && step.error !== undefined ? { error: errorText(step.error) } : {}),
    failures: step.failures
      .filter((failure) => !(step.status === 'failed' && failure.attempt >= step.attempts))
      .map((failure) => ({ attempt: failure.attempt, message: errorText(failure.error), retried: failure.attempt < step.attempts, retryInMs: failure.retryInMs })),
    ...(step.itemCounts === undefined ? {} : { itemCounts: step.itemCounts }),
    childRuns: step.childRuns,
    timers: step.timers,
  };
}

function changeRow(step: string, change: Change): RunView['changes'][number] {
  const result = change.result === 'started' ? 'started, outcome not recorded' : (change.result ?? 'changed');
  return {
    step,
    operation: change.operation.replaceAll('_', ' '),
    target: change.target,
    result,
    resultClass: change.result === 'failed' ? 'failed' : change.result === 'started' ? 'interrupted' : change.result === 'unchanged' || change.result === 'reported' ? 'skipped' : 'succeeded',
    transition: describeTransition(change.before, change.after),
    before: change.before === undefined ? '—' : JSON.stringify(change.before),
    after: change.after === undefined ? '—' : JSON.stringify(change.after),
    ...(change.note === undefined ? {} : { note: change.note }),
  };
}


function errorText(error: SerializedError | undefined): string {
  return error === undefined ? 'unknown error' : `${error.message} [${error.code}]`;
}
