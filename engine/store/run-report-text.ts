import { describeTransition } from '../cli/format/change-transition.js';
import type { SerializedError } from '../errors/idflow-error.js';
import type { Change } from '../plugin-api/action.js';
import { formatDuration } from '../logging/progress-view.js';
import type { RunReport, StepReport, UnitReport } from './run-report.js';
import { formatJsonBlock, formatLocalTime, formatTable, oneLine } from './text-layout.js';
import { terminalSafe } from '../logging/terminal-text.js';

/**
 * The human view of `idflow runs show`: the run's record, then every step in order with its
 * status, attempts, timings, changed/unchanged, summary, output (cut to a few lines) or error,
 * foreach items, skipped steps with their reason, `on_failure` steps, child runs, and the
 * returned data.
 */
export function formatRunReport(report: RunReport): string {
  const { meta } = report;
  const lines: string[] = [];
  lines.push(`Run ${meta.id}  ${meta.status}`);
  const facts: Array<[string, string]> = [];
  facts.push(['Workflow', `${meta.workflow.id}${meta.workflow.name && meta.workflow.name !== meta.workflow.id ? ` (${meta.workflow.name})` : ''}${meta.workflow.version === undefined ? '' : ` v${meta.workflow.version}`}`]);
  if (meta.subject !== undefined) facts.push(['Subject', meta.subject]);
  facts.push(['Initiated by', `${meta.initiatedBy}${triggerText(meta.trigger)}`]);
  if (meta.reason !== undefined) facts.push(['Reason', meta.reason]);
  facts.push(['Started', formatLocalTime(meta.startedAt)]);
  if (meta.finishedAt !== undefined) facts.push(['Finished', `${formatLocalTime(meta.finishedAt)}${meta.durationMs === undefined ? '' : `  (${formatDuration(meta.durationMs)})`}`]);
  facts.push(['Template', `${meta.templatePath}  sha256 ${meta.templateHash.slice(0, 12)}`]);
  if (report.recordChanged !== undefined) facts.push(['RECORD EDITED', `${report.recordChanged.replace(/^Run \S+: /, '')}`]);
  if (meta.sandbox) facts.push(['Sandbox', 'yes (built-in emulators, no real services)']);
  if (meta.parentRunId !== undefined) facts.push(['Parent run', meta.parentRunId]);
  if (meta.childRunIds.length > 0) facts.push(['Child runs', meta.childRunIds.join(', ')]);
  facts.push(['Process', `pid ${meta.pid} on ${meta.hostname}`]);
  const resumes = report.sessions.filter((session) => session.resumed);
  if (resumes.length > 0) {
    facts.push(['Resumed', resumes.map((session) => `${formatLocalTime(session.at)}${session.templateChanged === true ? ' (template file had changed; the pinned template was used)' : ''}`).join('; ')]);
  }
  for (const interruption of report.interruptions) facts.push(['Interrupted', `${formatLocalTime(interruption.at)}: ${interruption.reason}`]);
  for (const cancel of report.cancellations) facts.push(['Cancelled', `${formatLocalTime(cancel.at)} by ${cancel.by}${cancel.reason === undefined ? '' : `: ${cancel.reason}`}`]);
  if (meta.status === 'cancelled') facts.push(['Resume', `idflow resume ${meta.id} continues from the step it stopped before`]);
  if (meta.status === 'interrupted' && report.interruptions.length === 0) facts.push(['Interrupted', `the process stopped without finishing the run; resume it with: idflow resume ${meta.id}`]);
  if (report.skipped !== undefined) facts.push(['Skipped', report.skipped.reason]);
  if (meta.status === 'failed') facts.push(['Failed', `${meta.failedStep === undefined ? '' : `at step ${meta.failedStep}: `}${meta.error ?? errorText(report.finished?.error)}`]);
  const width = Math.max(...facts.map(([label]) => label.length));
  for (const [label, value] of facts) lines.push(`  ${label.padEnd(width)}  ${terminalSafe(value)}`);

  lines.push('', 'Steps');
  if (report.steps.length === 0) lines.push('  (no step has run)');
  report.steps.forEach((step, index) => renderStep(step, index + 1, lines));
  if (report.onFailure.length > 0) {
    lines.push('', 'On failure');
    report.onFailure.forEach((step, index) => renderStep(step, index + 1, lines));
  }
  if (report.output !== undefined) {
    lines.push('', 'Returned data');
    lines.push(...formatJsonBlock(report.output, { indent: '  ', maxLines: 40 }));
  }
  // Summaries, changes and errors quote names from outside (API answers, events): the lines are
  // idflow's, every other control character is shown escaped.
  return terminalSafe(lines.join('\n'), { keepNewlines: true });
}

function renderStep(step: StepReport, number: number, lines: string[]): void {
  lines.push(`  ${number}. ${step.step}  ${statusText(step)}${timing(step)}`);
  const detail = '       ';
  if (step.itemCounts !== undefined) {
    const { total, succeeded, failed } = step.itemCounts;
    lines.push(`${detail}items: ${total} (${succeeded} succeeded, ${failed} failed)`);
  }
  renderUnitDetails(step, detail, lines);
  for (const child of step.childRuns) lines.push(`${detail}child run ${child.runId} (${child.workflowId})`);
  for (const timer of step.timers) lines.push(`${detail}timer ${timer.timerId}: ${timer.action} due ${formatLocalTime(timer.dueAt)} (${timer.key})`);
  if (step.items.length > 0) {
    const rows = step.items.map((item) => [`[${item.index}]`, statusText(item), item.summary === undefined ? '' : oneLine(item.summary, 80), item.durationMs === undefined ? '' : formatDuration(item.durationMs)]);
    for (const row of formatTable(['ITEM', 'STATUS', 'SUMMARY', 'TIME'], rows).split('\n')) lines.push(`${detail}${row}`);
    let shown = 0;
    for (const item of step.items) {
      for (const failure of item.failures) {
        if (failure.attempt < item.attempts) lines.push(`${detail}[${item.index}] attempt ${failure.attempt} failed: ${errorText(failure.error)}  (retried after ${formatDuration(failure.retryInMs)})`);
      }
      if (item.status === 'failed' && item.error !== undefined) lines.push(`${detail}[${item.index}] error: ${errorText(item.error)}`);
      for (const change of shownChanges(item.changes)) {
        if (shown++ < 50) lines.push(`${detail}[${item.index}] ${changeText(change)}`);
      }
    }
    if (shown > 50) lines.push(`${detail}… ${shown - 50} more changes (--json shows everything)`);
  }
}

function renderUnitDetails(unit: UnitReport, indent: string, lines: string[]): void {
  if (unit.summary !== undefined && unit.summary !== '') lines.push(`${indent}${oneLine(unit.summary)}`);
  for (const failure of unit.failures) {
    // The last attempt's failure is the step's error, shown below.
    if (unit.status === 'failed' && failure.attempt >= unit.attempts) continue;
    lines.push(`${indent}attempt ${failure.attempt} failed: ${errorText(failure.error)}${failure.attempt < unit.attempts ? `  (retried after ${formatDuration(failure.retryInMs)})` : ''}`);
  }
  const changes = shownChanges(unit.changes);
  if (changes.length > 0) {
    lines.push(`${indent}changes:`);
    for (const change of changes.slice(0, 50)) lines.push(`${indent}  ${changeText(change)}`);
    if (changes.length > 50) lines.push(`${indent}  … ${changes.length - 50} more (--json shows everything)`);
  }
  if (unit.status === 'failed' && unit.error !== undefined) lines.push(`${indent}error: ${errorText(unit.error)}`);
  if (unit.output !== undefined && unit.status !== 'skipped') {
    const block = formatJsonBlock(unit.output, { indent: `${indent}  `, maxLines: 8 });
    if (block.length === 1) lines.push(`${indent}output: ${(block[0] ?? '').trim()}`);
    else lines.push(`${indent}output:`, ...block);
  }
}

function statusText(unit: UnitReport): string {
  switch (unit.status) {
    case 'skipped':
      return `skipped${unit.reason === undefined ? '' : ` (${unit.reason})`}`;
    case 'failed':
      return `failed${unit.attempts > 1 ? ` after ${unit.attempts} attempts` : ''}`;
    case 'succeeded': {
      const change = unit.changed === undefined ? '' : unit.changed ? ', changed' : ', unchanged';
      return `succeeded${change}${unit.attempts > 1 ? `, ${unit.attempts} attempts` : ''}`;
    }
    case 'running':
      return `running (attempt ${unit.attempts})`;
    case 'interrupted':
      return `interrupted (attempt ${unit.attempts} did not finish)`;
  }
}

function timing(unit: UnitReport): string {
  if (unit.status === 'skipped' || unit.startedAt === undefined) return '';
  const end = unit.finishedAt === undefined ? '' : ` → ${formatLocalTime(unit.finishedAt).slice(11)}`;
  const took = unit.durationMs === undefined ? '' : `  ${formatDuration(unit.durationMs)}`;
  return `  ${formatLocalTime(unit.startedAt).slice(11)}${end}${took}`;
}

/**
 * The changes worth a line: a write-ahead intent (`started`) is left out once a later change
 * with the same operation and target records its outcome, so each change reads once; an intent
 * still open (the process stopped before the outcome) is shown as such. `--json` and the audit
 * trail keep both entries.
 */
export function shownChanges(changes: readonly Change[]): Change[] {
  const settled = new Set<number>();
  const open = new Map<string, number>();
  changes.forEach((change, index) => {
    const key = `${change.operation}\u0000${change.target}`;
    if (change.result === 'started') {
      open.set(key, index);
      return;
    }
    const intent = open.get(key);
    if (intent !== undefined) {
      settled.add(intent);
      open.delete(key);
    }
  });
  return changes.filter((_change, index) => !settled.has(index));
}

function changeText(change: Change): string {
  const described = describeTransition(change.before, change.after);
  const transition = described === '' ? '' : ` (${described})`;
  const result = change.result === 'started' ? 'started, outcome not recorded' : (change.result ?? 'changed');
  return `${result}: ${change.operation.replaceAll('_', ' ')} ${change.target}${transition}${change.note === undefined ? '' : ` — ${oneLine(change.note, 100)}`}`;
}


function errorText(error: SerializedError | undefined): string {
  if (error === undefined) return 'unknown error';
  return `${oneLine(error.message, 300)} [${error.code}]`;
}

function triggerText(trigger: RunReport['meta']['trigger']): string {
  const parts: string[] = [trigger.type];
  if (trigger.event !== undefined) parts.push(`event ${trigger.event}`);
  if (trigger.source !== undefined) parts.push(`from ${trigger.source}`);
  return `  (${parts.join(', ')})`;
}
