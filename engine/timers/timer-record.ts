/**
 * What the durable timer store keeps per timer (`<store>/timers/<id>.json`).
 *
 * @remarks
 * A timer is born `pending` and ends in exactly one final state:
 * - `fired`: its run succeeded and changed something (e.g. the account was deleted);
 * - `skipped`: its run succeeded but found nothing to do (e.g. the user was reactivated, so
 *   the deferred deletion did not happen), or the run's `when` did not hold;
 * - `failed`: its run failed (`idflow resume <runId>` can finish it);
 * - `cancelled`: by `idflow timers cancel`, or replaced by a newer timer with the same key.
 *
 * While a pending timer is being fired it carries the run id (`runId`): a serve that stops in
 * the middle resumes that run the next time instead of starting a second one.
 */

/** Where a timer is. */
export type TimerState = 'pending' | 'fired' | 'skipped' | 'failed' | 'cancelled';

/** Every state, in lifecycle order (for options and messages). */
export const TIMER_STATES: readonly TimerState[] = ['pending', 'fired', 'skipped', 'failed', 'cancelled'];

/** One durable timer. */
export interface TimerRecord {
  /** `tm-YYYYMMDD-xxxxxxxx`; any unique prefix selects it in the CLI. */
  id: string;
  /** The timer's purpose for one subject (e.g. `jumpcloud.user.delete:<user id>`): a new timer with the same key replaces a pending one. */
  key: string;
  /** The action run when it is due. */
  action: string;
  /** The action's parameters (plain data; never secrets). */
  params: Record<string, unknown>;
  /** What it is for, shown by `idflow timers list`. */
  description: string;
  /** When it is due (ISO-8601, UTC). */
  dueAt: string;
  state: TimerState;
  /** When it was scheduled. */
  createdAt: string;
  /** The run (and its workflow and initiator) that scheduled it. */
  scheduledBy: { runId: string; workflowId: string; initiatedBy?: string };
  /**
   * Set when a sandbox run (`--sandbox`) scheduled it: only `idflow serve --sandbox` fires it,
   * and only a serve without `--sandbox` fires a timer without it, so a trial run's deletion
   * never reaches the real organisation and a real one is never spent on the emulator.
   */
  sandbox?: true;
  /** The run that fires (or fired) it; set as soon as that run exists. */
  runId?: string;
  /** When firing began (set before the run starts, so a crash in between is visible). */
  firingAt?: string;
  /** When it reached its final state. */
  finishedAt?: string;
  /** Why it ended as it did: the run's summary or error, who cancelled it, or the timer that replaced it. */
  reason?: string;
  /** The timer that replaced this one (state `cancelled`). */
  replacedBy?: string;
}

/** Whether a sandbox run scheduled the timer (see {@link TimerRecord.sandbox}). */
export function isSandboxTimer(timer: Pick<TimerRecord, 'sandbox'>): boolean {
  return timer.sandbox === true;
}
