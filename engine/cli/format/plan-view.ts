import type { Change } from '../../plugin-api/action.js';
import type { PlanResult, PlannedStep, PlannedUnit } from '../../runner/plan-run.js';
import { describeTransition } from './change-transition.js';
import { terminalSafeDeep } from '../../logging/terminal-text.js';

export { describeTransition };

/** `pretty`: colour and Unicode; `plain`: neither (not a TTY, or NO_COLOR). */
export type PlanStyle = 'pretty' | 'plain';

const MARKS = {
  pretty: { changed: '~', remove: '-', add: '+', unchanged: '=', reported: '!', failed: '✖', started: '…', skip: '↷', run: '▸' },
  plain: { changed: '~', remove: '-', add: '+', unchanged: '=', reported: '!', failed: 'x', started: '.', skip: '-', run: '>' },
} as const;

const REMOVING = /^(remove|delete|revoke|unbind|clear|disable|suspend|reset|unassign|expire)/i;
const ADDING = /^(add|create|bind|assign|notify|write|send|post|schedule)/i;

function paint(style: PlanStyle, code: number, text: string): string {
  return style === 'pretty' ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** One change as a line: mark, operation, target, and before → after when given. */
export function renderChange(change: Change, style: PlanStyle): string {
  const marks = MARKS[style];
  const result = change.result ?? 'changed';
  let mark: string = marks.changed;
  let colour = 33;
  if (result === 'unchanged') [mark, colour] = [marks.unchanged, 90];
  else if (result === 'reported') [mark, colour] = [marks.reported, 35];
  else if (result === 'failed') [mark, colour] = [marks.failed, 31];
  // An intent is not a change made: never shown (or counted) as a removal or an addition.
  else if (result === 'started') [mark, colour] = [marks.started, 90];
  else if (REMOVING.test(change.operation)) [mark, colour] = [marks.remove, 31];
  else if (ADDING.test(change.operation)) [mark, colour] = [marks.add, 32];
  const described = describeTransition(change.before, change.after);
  const transition = described === '' ? '' : `  (${described})`;
  const note = change.note ? paint(style, 90, `  — ${change.note}`) : '';
  return `${paint(style, colour, `${mark} ${change.operation.replaceAll('_', ' ')}`)} ${change.target}${transition}${note}`;
}

/** A step's or item's status in words, as `idflow plan` shows it (`plain`: without colours). */
export function statusWord(unit: PlannedUnit, style: PlanStyle): string {
  const changed = unit.changes.filter((c) => (c.result ?? 'changed') === 'changed').length;
  switch (unit.status) {
    case 'would_run':
      return changed === 0 ? paint(style, 90, 'no change') : paint(style, 33, `${changed} change${changed === 1 ? '' : 's'}`);
    case 'would_skip':
      return paint(style, 90, (unit as PlannedStep).notReached === true ? (unit.reason ?? 'not reached') : `skipped (${unit.reason ?? 'if: false'})`);
    case 'no_preview':
      return paint(style, 35, 'would run, no preview (not executed in a plan)');
    case 'known_after_run':
      return paint(style, 35, `would run; ${unit.reason ?? 'parameters known only after the run'}`);
    case 'cannot_preview':
      return paint(style, 35, `cannot preview: ${unit.reason ?? ''}`);
    case 'error':
      return paint(style, 31, `error: ${unit.reason ?? ''}`);
  }
}

function renderStep(step: PlannedStep, style: PlanStyle, lines: string[]): void {
  const title = step.name ? `${step.id}  ${paint(style, 90, step.name)}` : step.id;
  lines.push(`  ${paint(style, 1, title)}  ${paint(style, 90, `[${step.action}]`)}  ${statusWord(step, style)}${step.summary && step.items === undefined ? paint(style, 90, ` · ${step.summary}`) : ''}`);
  if (step.decidedAtRunTime !== undefined) lines.push(paint(style, 36, `      if: ${step.decidedAtRunTime}; planned as if it holds`));
  for (const change of step.changes) lines.push(`      ${renderChange(change, style)}`);
  if (step.endRun !== undefined) lines.push(paint(style, 36, `      the run would end here, as done: ${step.endRun}`));
  step.items?.forEach((item, index) => {
    lines.push(`      [${index}] ${statusWord(item, style)}${item.summary ? paint(style, 90, ` · ${item.summary}`) : ''}`);
    for (const change of item.changes) lines.push(`          ${renderChange(change, style)}`);
  });
}

/** The whole plan as readable lines (no trailing newline). */
export function renderPlan(given: PlanResult, style: PlanStyle): string {
  // Subjects, names and targets come from inputs and API answers: shown terminal-safe.
  const plan = terminalSafeDeep(given);
  const lines: string[] = [];
  lines.push(paint(style, 1, `Plan: ${plan.workflow.name} (${plan.workflow.id})${plan.subject ? ` for ${plan.subject}` : ''}`));
  if (!plan.when) {
    lines.push('  The workflow\'s "when" condition is false: nothing would run.');
    return lines.join('\n');
  }
  for (const step of plan.steps) renderStep(step, style, lines);
  if (plan.failed !== undefined) {
    lines.push(paint(style, 31, `  The run would fail at step "${plan.failed.step}": ${plan.failed.reason}`));
    if (plan.onFailureSteps !== undefined && plan.onFailureSteps.length > 0) {
      lines.push(paint(style, 1, '  and then run its on_failure steps:'));
      for (const step of plan.onFailureSteps) renderStep(step, style, lines);
    }
  } else if (plan.onFailure.length > 0) {
    lines.push(paint(style, 90, `  on failure: ${plan.onFailure.join(', ')}`));
  }
  const all = [...plan.steps, ...(plan.onFailureSteps ?? [])];
  const counts = (status: PlannedUnit['status']) => all.filter((s) => s.status === status && s.notReached !== true).length;
  const notReached = all.filter((s) => s.notReached === true).length;
  const decided = all.filter((s) => s.decidedAtRunTime !== undefined).length;
  const notes = [
    `${plan.totalChanges} change${plan.totalChanges === 1 ? '' : 's'} in ${all.length} step${all.length === 1 ? '' : 's'}`,
    counts('would_skip') > 0 ? `${counts('would_skip')} skipped` : '',
    notReached > 0 ? `${notReached} not reached` : '',
    counts('no_preview') > 0 ? `${counts('no_preview')} without preview` : '',
    counts('known_after_run') > 0 ? `${counts('known_after_run')} with parameters known only after the run` : '',
    decided > 0 ? `${decided} decided at run time` : '',
    counts('cannot_preview') > 0 ? `${counts('cannot_preview')} cannot be previewed` : '',
    counts('error') > 0 ? paint(style, 31, `${counts('error')} with errors`) : '',
  ].filter((n) => n !== '');
  lines.push('');
  lines.push(`${notes.join(', ')}. ${plan.failed === undefined ? '' : 'The run would fail. '}Nothing was changed.`);
  return lines.join('\n');
}
