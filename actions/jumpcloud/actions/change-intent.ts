import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';

/** The note of a change an earlier attempt started and this one found made. */
export const MADE_BEFORE_INTERRUPTION = 'made before the interruption: an earlier attempt recorded its intent, not its outcome, and this one found it done';

/**
 * Which object a change is about, for matching an intent with its outcome: the operation and the
 * object's type and id from `before` (so a rename between attempts does not part them), or the
 * target when `before` names no object.
 */
function intentKey(change: Change): string {
  const before = change.before;
  if (typeof before === 'object' && before !== null) {
    const { id, type } = before as Partial<Record<'id' | 'type', unknown>>;
    if (typeof id === 'string' && typeof type === 'string') return `${change.operation}\u0000${type}:${id}`;
  }
  return `${change.operation}\u0000${change.target}`;
}

/**
 * The intents (`started`) among `changes`, in order, that no later change to the same object
 * with the same operation settles (any other result), by {@link intentKey}.
 */
function openIntents(changes: readonly Change[], operations: readonly string[]): Map<string, Change> {
  const open = new Map<string, Change>();
  for (const change of changes) {
    if (!operations.includes(change.operation)) continue;
    const key = intentKey(change);
    if (change.result === 'started') open.set(key, change);
    else open.delete(key);
  }
  return open;
}

function withNote(change: Change, note: string): string {
  return change.note === undefined || change.note === '' ? note : `${change.note}; ${note}`;
}

/**
 * Makes changes with a write-ahead intent: records each as `started`, makes the one call that
 * makes them all, and records each outcome. `call` answers whether it changed anything.
 *
 * @remarks
 * A process killed between the call and the outcome's journal entry leaves the intent open. The
 * next attempt (a retry, or the run after `idflow resume`) finds the object either still to do
 * (the call never reached JumpCloud: it is made now) or already done. Done with an open intent
 * means this step made it: the call here answers "nothing to do", and the change is still
 * counted as made, with {@link MADE_BEFORE_INTERRUPTION}. Without an earlier intent, an object
 * found done is `unchanged` (someone else did it, or a second run), so a second run reports
 * zeros. The answer is `changed` for a change made now or before the interruption.
 *
 * A call that throws leaves the intents open for the next attempt.
 */
export async function makeChanges(ctx: Pick<ActionContext, 'changes'>, changes: readonly Change[], call: () => Promise<boolean>): Promise<boolean> {
  const operations = [...new Set(changes.map((change) => change.operation))];
  const earlier = openIntents(ctx.changes.earlier(), operations);
  for (const change of changes) ctx.changes.record({ ...change, result: 'started' });
  const changed = await call();
  let made = changed;
  for (const change of changes) {
    const intended = earlier.has(intentKey(change));
    if (changed) ctx.changes.record({ ...change, result: 'changed' });
    else if (intended) ctx.changes.record({ ...change, result: 'changed', note: withNote(change, MADE_BEFORE_INTERRUPTION) });
    else ctx.changes.record({ ...change, result: 'unchanged' });
    made ||= intended;
  }
  return made;
}

/** {@link makeChanges} for one change. */
export function makeChange(ctx: Pick<ActionContext, 'changes'>, change: Change, call: () => Promise<boolean>): Promise<boolean> {
  return makeChanges(ctx, [change], call);
}

/**
 * Counts as made by this step every change with one of `operations` that an earlier attempt
 * started and nothing settled since: records each as `changed`, with
 * {@link MADE_BEFORE_INTERRUPTION}. Returns what it recorded.
 *
 * @remarks
 * Call it once the step has found what is still to do and done it (every object found was
 * handled by {@link makeChanges}, which settles its intent): an intent still open then is for
 * an object that was not found to do, that is, one already in the desired state — the change
 * the interrupted attempt made before its outcome could be recorded. It makes no call.
 */
export function settleIntents(ctx: Pick<ActionContext, 'changes'>, operations: readonly string[]): Change[] {
  const settled: Change[] = [];
  for (const intent of openIntents(ctx.changes.all(), operations).values()) {
    const { result: _started, ...change } = intent;
    const made: Change = { ...change, result: 'changed', note: withNote(change, MADE_BEFORE_INTERRUPTION) };
    ctx.changes.record(made);
    settled.push(made);
  }
  return settled;
}
