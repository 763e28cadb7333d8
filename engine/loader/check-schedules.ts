import type { Issue } from './issue.js';
import { isRecord } from './workflow-data.js';

/**
 * Checks every schedule trigger's `cron` and `timezone` with the calculator `idflow serve`
 * keeps schedules with (so `validate` refuses a schedule serve could not keep): an expression
 * croner does not read, one that never fires, a time zone that is not an IANA name.
 *
 * The calculator is imported only when the template has a schedule trigger: most templates
 * have none, and loading it costs every command start-up time.
 */
export async function checkSchedules(data: unknown): Promise<Issue[]> {
  if (!isRecord(data) || !Array.isArray(data['triggers'])) return [];
  const schedules = data['triggers'].flatMap((trigger: unknown, index) => {
    if (!isRecord(trigger) || trigger['type'] !== 'schedule') return [];
    const { cron, timezone } = trigger;
    // Anything else is a wrong type, already reported by the schema.
    if (typeof cron !== 'string' || cron === '' || (timezone !== undefined && typeof timezone !== 'string')) return [];
    return [{ index, cron, ...(typeof timezone === 'string' ? { timezone } : {}) }];
  });
  if (schedules.length === 0) return [];
  const { checkSchedule } = await import('../serve/cron-schedule.js');
  return schedules.flatMap(({ index, ...schedule }) =>
    checkSchedule(schedule).map((problem): Issue => ({
      pointer: `/triggers/${index}/${problem.key}`,
      code: problem.key === 'cron' ? 'invalid-cron' : 'invalid-timezone',
      message: problem.message,
      ...(problem.suggestion === undefined ? {} : { suggestion: problem.suggestion }),
    })),
  );
}
