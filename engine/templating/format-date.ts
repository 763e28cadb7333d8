/**
 * The `date` helper's formatting: a handful of fixed-width tokens, always in UTC, so a
 * template renders the same on every machine whatever its time zone.
 */

/** The tokens a `date` format may use (case matters: `MM` is the month, `mm` the minutes). */
const TOKEN_PATTERN = /YYYY|MM|DD|HH|mm|ss/g;

/**
 * Formats a date in UTC. `iso` gives the full ISO-8601 form (`2026-05-01T09:30:00.000Z`);
 * any other format replaces `YYYY`, `MM`, `DD`, `HH`, `mm`, `ss` and keeps the rest as written.
 */
export function formatDate(date: Date, format: string): string {
  if (format === 'iso') return date.toISOString();
  const parts: Record<string, string> = {
    YYYY: String(date.getUTCFullYear()).padStart(4, '0'),
    MM: pad(date.getUTCMonth() + 1),
    DD: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  };
  return format.replace(TOKEN_PATTERN, (token) => parts[token] ?? token);
}

/**
 * Reads a date written as an ISO-8601 string (a date, or a date and time; without a zone it
 * is taken as UTC) or as milliseconds since the epoch.
 * @returns the date, or undefined when the value is not one.
 */
export function parseDate(value: string | number): Date | undefined {
  if (typeof value === 'number') {
    const date = new Date(value);
    return Number.isFinite(date.getTime()) ? date : undefined;
  }
  const parts = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  if (parts === null) return undefined;
  // JavaScript rolls "2026-02-30" over to March 2nd: refuse days the month does not have.
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (month < 1 || month > 12 || day < 1 || new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  // Date-time forms without a zone would be local time in JS: pin them to UTC.
  const zoned = /T|\s/.test(value) && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const date = new Date(zoned);
  return Number.isFinite(date.getTime()) ? date : undefined;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
