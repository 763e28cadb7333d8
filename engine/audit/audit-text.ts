import { describeTransition } from '../cli/format/change-transition.js';
import { formatLocalTime, oneLine } from '../store/text-layout.js';
import type { AuditEntry } from './audit-chain.js';
import { terminalSafe } from '../logging/terminal-text.js';
import type { AuditVerification } from './verify-audit-trail.js';

/**
 * The human views of `idflow audit show` and `idflow audit verify`.
 */

/** Every entry: seq, time, result, operation and target, before → after, step and action, note. */
export function formatAuditEntries(runId: string, entries: readonly AuditEntry[]): string {
  const first = entries[0];
  const lines = [`Audit trail of run ${runId}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`];
  if (first !== undefined) lines.push(`  initiated by ${terminalSafe(String(first.initiated_by))}${first.reason === undefined ? '' : `, reason: ${terminalSafe(String(first.reason))}`}`);
  for (const entry of entries) {
    const where = [entry.step, entry.action].filter((part) => part !== undefined).join(' · ');
    lines.push(`  #${entry.seq}  ${formatLocalTime(entry.at)}  ${entry.result.padEnd(9)}  ${entry.operation} ${entry.target}${where === '' ? '' : `  [${where}]`}`);
    const transition = describeTransition(entry.before, entry.after);
    if (transition !== '') lines.push(`        ${transition}`);
    if (entry.note !== undefined) lines.push(`        ${oneLine(entry.note, 200)}`);
  }
  // Targets, notes and before/after values name things from outside: shown escaped.
  return terminalSafe(lines.join('\n'), { keepNewlines: true });
}

/** `intact` with the entry count, or every problem with its line. */
export function formatAuditVerification(runId: string, result: AuditVerification): string {
  const lines: string[] = [];
  const errors = result.problems.filter((problem) => problem.severity === 'error');
  const warnings = result.problems.filter((problem) => problem.severity === 'warning');
  if (result.ok) lines.push(`Audit trail of run ${runId} is intact: ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}, chain and head verified.`);
  else lines.push(`Audit trail of run ${runId} is BROKEN: ${errors.length} problem${errors.length === 1 ? '' : 's'} in ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'}.`);
  // Each message already names its line and seq.
  for (const problem of errors) lines.push(`  - ${problem.message}`);
  for (const problem of warnings) lines.push(`  warning: ${problem.message}`);
  return terminalSafe(lines.join('\n'), { keepNewlines: true });
}

