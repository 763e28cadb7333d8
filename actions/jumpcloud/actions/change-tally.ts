import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { byName, type NamedRef, type ObjectKind } from './names.js';

/** An object a change was made to, as recorded in the change's `before`. */
export interface ChangedObject extends NamedRef {
  type: ObjectKind;
}

/** True for a change that was made (`changed`, or recorded without a result); a `started` intent is not. */
function wasMade(change: Change): boolean {
  return change.result === undefined || change.result === 'changed';
}

/**
 * The objects this step changed with one of `operations`, across every attempt and a resume
 * (from `ctx.changes.all()`), once each, by name: what the step's counts and lists report, so
 * that a retry that finds half the work done still reports all of it, a second run reports
 * none, and the order does not depend on which of the concurrent removals finished first.
 */
export function changedObjects(ctx: Pick<ActionContext, 'changes'>, operations: readonly string[]): ChangedObject[] {
  const seen = new Set<string>();
  const objects: ChangedObject[] = [];
  for (const change of ctx.changes.all()) {
    if (!operations.includes(change.operation) || !wasMade(change) || seen.has(change.target)) continue;
    seen.add(change.target);
    const before = change.before;
    if (typeof before !== 'object' || before === null) continue;
    const { id, name, type } = before as Partial<Record<'id' | 'name' | 'type', unknown>>;
    if (typeof id === 'string' && typeof name === 'string' && typeof type === 'string') objects.push({ id, name, type: type as ObjectKind });
  }
  return objects.sort(byName);
}

/** The first change this step made (in any attempt) with `operation`, if any. */
export function madeChange(ctx: Pick<ActionContext, 'changes'>, operation: string): Change | undefined {
  return ctx.changes.all().find((change) => change.operation === operation && wasMade(change));
}

/**
 * Records a `reported` change (access this step does not remove) unless an earlier attempt of
 * the step already reported the same thing, so a retried step does not repeat its notes.
 */
export function recordReported(ctx: Pick<ActionContext, 'changes'>, change: Omit<Change, 'result'>): void {
  const already = ctx.changes.earlier().some((earlier) => earlier.result === 'reported' && earlier.operation === change.operation && earlier.target === change.target);
  if (!already) ctx.changes.record({ ...change, result: 'reported' });
}

/** The `before`/`after` of a change to an object: its identity plus the state that changed. */
export function objectState(type: ObjectKind, ref: NamedRef, state: Record<string, unknown>): Record<string, unknown> {
  return { id: ref.id, name: ref.name, type, ...state };
}
