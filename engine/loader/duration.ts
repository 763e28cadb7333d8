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
