import { renderChange, renderPlan, statusWord } from '../cli/format/plan-view.js';
import type { PlanResult, PlannedUnit } from '../runner/plan-run.js';

/** A plan, as the plan page shows it. */
export interface PlanView {
  plan: PlanResult;
  /** One row per step: its status in words and each change as `idflow plan` writes it. */
  steps: Array<{ id: string; name?: string; action: string; status: PlannedUnit['status']; statusText: string; summary?: string; endRun?: string; changes: string[]; items: Array<{ index: number; statusText: string; summary?: string; changes: string[] }> }>;
  /** `3 changes in 9 steps, 1 skipped. Nothing was changed.` */
  totals: string;
  /** The whole plan as `idflow plan` prints it (no colour). */
  planText: string;
}

/**
 * The plan page's view of a plan: the same words as `idflow plan` (each change line is the CLI's
 * own, by name, before → after), so the console and the terminal never disagree.
 */
export function planView(plan: PlanResult): PlanView {
  const steps = plan.steps.map((step) => ({
    id: step.id,
    ...(step.name === undefined ? {} : { name: step.name }),
    action: step.action,
    status: step.status,
    statusText: statusText(step),
    ...(step.summary === undefined || step.items !== undefined ? {} : { summary: step.summary }),
    ...(step.endRun === undefined ? {} : { endRun: step.endRun }),
    changes: step.changes.map((change) => renderChange(change, 'plain')),
    items: (step.items ?? []).map((item, index) => ({ index, statusText: statusText(item), ...(item.summary === undefined ? {} : { summary: item.summary }), changes: item.changes.map((change) => renderChange(change, 'plain')) })),
  }));
  const planText = renderPlan(plan, 'plain');
  const lastLine = planText.split('\n').at(-1) ?? '';
  return { plan, steps, totals: plan.when ? lastLine : 'Nothing would run.', planText };
}

/** The status of a step or item in words, exactly as `idflow plan` says it. */
function statusText(unit: PlannedUnit): string {
  return statusWord(unit, 'plain');
}
