import { Cron } from 'croner';
import { didYouMean } from '../diagnostics/suggest.js';
import type { ScheduleTrigger } from '../language/types.js';

/**
 * Cron schedules, computed with croner (a maintained, dependency-free cron library with IANA
 * time zones and per-second fields). croner is used only as a calculator of slots: serve keeps
 * its own timer and its own record of the last slot fired, so that a slot fires at most once
 * even across restarts (see `schedule-runner.ts`).
 *
 * Expressions have 5 fields (minute hour day month weekday) or 6 (with seconds first), or a
 * nickname such as `@daily`. When both day-of-month and day-of-week are restricted, a day
 * matching either fires (the classic cron rule). Slots in a daylight-saving gap run at the first
 * valid time after it; a time that occurs twice runs once (croner's fixed-time rule).
 */
export class CronSchedule {
  private readonly cron: Cron;

  /**
   * @throws Error with croner's message when the expression or time zone is not valid (see {@link checkSchedule}).
   */
  constructor(readonly expression: string, readonly timezone: string = 'UTC') {
    this.cron = new Cron(expression, { paused: true, timezone, mode: '5-or-6-parts' });
  }

  /** The schedule of a trigger (default time zone UTC). */
  static of(trigger: Pick<ScheduleTrigger, 'cron' | 'timezone'>): CronSchedule {
    return new CronSchedule(trigger.cron, trigger.timezone ?? 'UTC');
  }

  /** The first slot strictly after `after`, or undefined when there is none. */
  next(after: Date): Date | undefined {
    return this.cron.nextRun(after) ?? undefined;
  }

  /** The latest slot at or before `at`, or undefined when there is none. */
  latest(at: Date): Date | undefined {
    // previousRuns looks strictly before its reference; one millisecond later includes `at`.
    return this.cron.previousRuns(1, new Date(at.getTime() + 1))[0];
  }

  /** How many slots lie in (after, until], counting at most `limit` (to describe skipped slots). */
  countBetween(after: Date, until: Date, limit = 1000): number {
    let count = 0;
    for (let slot = this.next(after); slot !== undefined && slot.getTime() <= until.getTime() && count < limit; slot = this.next(slot)) count++;
    return count;
  }
}

/**
 * Checks a schedule trigger's `cron` and `timezone`.
 * @returns a problem for each key that is wrong (the key and the message), empty when both are fine.
 */
export function checkSchedule(trigger: Pick<ScheduleTrigger, 'cron' | 'timezone'>): Array<{ key: 'cron' | 'timezone'; message: string; suggestion?: string }> {
  const problems: Array<{ key: 'cron' | 'timezone'; message: string; suggestion?: string }> = [];
  const timezone = trigger.timezone ?? 'UTC';
  let zoneOk = true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    zoneOk = false;
    const hint = didYouMean(timezone, knownTimeZones());
    problems.push({ key: 'timezone', message: `"${timezone}" is not an IANA time zone`, suggestion: hint ?? 'Use a name such as "Europe/Berlin", "America/New_York" or "UTC"' });
  }
  try {
    const schedule = new CronSchedule(trigger.cron, zoneOk ? timezone : 'UTC');
    if (schedule.next(new Date()) === undefined) problems.push({ key: 'cron', message: `the cron expression "${trigger.cron}" never fires` });
  } catch (error) {
    problems.push({
      key: 'cron',
      message: `"${trigger.cron}" is not a cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`,
      suggestion: 'Write 5 fields (minute hour day month weekday), e.g. "0 2 * * 1-5", or 6 with seconds first, e.g. "*/30 * * * * *"',
    });
  }
  return problems;
}

function knownTimeZones(): string[] {
  const withValues = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return [...(withValues.supportedValuesOf?.('timeZone') ?? []), 'UTC'];
}
