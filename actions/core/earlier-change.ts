import type { Change } from '../../engine/plugin-api/action.js';
import type { ActionContext } from '../../engine/plugin-api/context.js';

/**
 * The change an earlier attempt of this step (a retry, or the run before a resume) already
 * made to the same target with the same operation, if any.
 *
 * @remarks
 * This is what makes notifications idempotent within a run: a message is sent, the send is
 * recorded, and if the step is then tried again (the process died before the step was marked
 * done, or a later part of the attempt failed), the recorded send is found here and nothing is
 * sent twice. Only changes that were made count (`result` `changed`, or no result); a recorded
 * failure does not stop a new attempt. The target names the recipients, so a re-rendered step
 * that now addresses someone else does send.
 */
export function earlierChange(ctx: Pick<ActionContext, 'changes'>, operation: string, target: string): Change | undefined {
  return ctx.changes.earlier().find((change) => change.operation === operation && change.target === target && (change.result === undefined || change.result === 'changed'));
}

/** True for a plain object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
