/**
 * When a `timer.schedule` step's timer is due: an `at` date or date-time, read in a time zone,
 * or a delay `after` now. Kept apart from the action so the calendar arithmetic is tested alone.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Whether the name is an IANA time zone this Node knows (`UTC`, `Europe/Paris`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant of `at`: a date (`2026-12-01`) is 00:00 that day and a date-time without an
 * offset (`2026-12-01T09:00`) that wall-clock time, both in `timeZone`; a date-time with `Z` or an
 * offset is that instant whatever the zone. Undefined when `at` is none of these, or names a day
 * or time that does not exist (`2026-02-30`, `25:00`).
 */
export function parseAt(at: string, timeZone: string): Date | undefined {
  const text = at.trim();
  if (ZONED_TIME.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  const date = DATE.exec(text);
  const local = date === null ? LOCAL_TIME.exec(text) : null;
  const parts = date ?? local;
  if (parts === null) return undefined;
  const number = (index: number): number => (parts[index] === undefined ? 0 : Number(parts[index]));
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map(number) as [number, number, number, number, number, number];
  const milli = parts[7] === undefined ? 0 : Number(parts[7].padEnd(3, '0'));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, milli);
  // Date.UTC rolls 30 February over into March: a day that does not exist is refused instead.
  if (new Date(wall).getUTCDate() !== day) return undefined;
  return new Date(zonedToUtc(wall, timeZone));
}

/**
 * The UTC instant at which the clocks of `timeZone` show `wall` (a wall-clock time expressed as if
 * it were UTC). Across a change of offset, a time that does not exist (skipped by the clocks going
 * forward) is read with the offset before the change, so it lands just after it; a time that
 * occurs twice is the first.
 */
function zonedToUtc(wall: number, timeZone: string): number {
  const HALF_DAY = 43_200_000;
  // The zone's offsets around that time (the same twice, unless the clocks change that day).
  const before = offsetAt(wall - HALF_DAY, timeZone);
  const after = offsetAt(wall + HALF_DAY, timeZone);
  const fits = [wall - before, wall - after].filter((instant) => wall - offsetAt(instant, timeZone) === instant);
  return fits.length > 0 ? Math.min(...fits) : wall - before;
}

/** The zone's offset from UTC, in milliseconds, at an instant. */
function offsetAt(instant: number, timeZone: string): number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  const shown = Date.UTC(Number(parts['year']), Number(parts['month']) - 1, Number(parts['day']), Number(parts['hour']), Number(parts['minute']), Number(parts['second']));
  return shown - (instant - (instant % 1000 + 1000) % 1000);
}
