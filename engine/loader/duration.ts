/**
 * Durations in templates: a whole number with a unit (`"500ms"`, `"30s"`, `"5m"`, `"1h"`) or a
 * whole number of milliseconds. The schema checks the form; this turns it into milliseconds.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration, or undefined when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^([0-9]+)(ms|s|m|h)$/.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] ?? 1);
}

/** Units of {@link parseDelay}: those of {@link parseDuration} plus days and weeks. */
const DELAY_UNIT_MS: Readonly<Record<string, number>> = { ...UNIT_MS, d: 86_400_000, w: 604_800_000 };

/** The form {@link parseDelay} reads, for schemas. */
export const DELAY_PATTERN = '^[0-9]+(ms|s|m|h|d|w)$';

/**
 * Milliseconds of a delay measured in days rather than seconds (a durable timer's `after: 14d`):
 * a whole number with a unit, `ms`, `s`, `m`, `h`, `d` (24 hours) or `w` (7 days); undefined when it
 * is not one. Kept apart from {@link parseDuration} so a step's timeout or retry delay cannot
 * be given in days.
 */
export function parseDelay(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = new RegExp(DELAY_PATTERN).exec(value);
  if (!match) return undefined;
  return Number(value.slice(0, value.length - (match[1] as string).length)) * (DELAY_UNIT_MS[match[1] as string] ?? 1);
}
