import { PermanentError } from '../../../engine/errors/action-errors.js';

/**
 * Parameters and checks the finders (`jumpcloud.users.find`, `jumpcloud.systems.find`) share.
 */

const DAY_MS = 86_400_000;

/** A date bound: a date (`2026-01-31`, midnight UTC) or an ISO 8601 timestamp with a zone. */
export const dateBoundProperty = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2}))?$',
} as const;


/**
 * The epoch milliseconds of a date bound, or undefined when not given.
 * @throws PermanentError `INVALID_PARAMS` naming the parameter when the value is not a real date (e.g. `2026-02-30`).
 */
export function parseDateBound(actionId: string, param: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = Date.parse(text);
  // Date.parse rolls 2026-02-30 over to March; a date that does not round-trip is not a date.
  const day = value.slice(0, 10);
  if (Number.isNaN(ms) || (value.length === 10 && new Date(ms).toISOString().slice(0, 10) !== day)) {
    throw new PermanentError(`${actionId}: "${param}" is not a date: ${JSON.stringify(value)} (use 2026-01-31 or 2026-01-31T09:00:00Z)`, { code: 'INVALID_PARAMS', details: { [param]: value } });
  }
  return ms;
}

/** Checks that an "after" bound comes before a "before" bound. */
export function checkWindow(actionId: string, after: [string, number | undefined], before: [string, number | undefined]): void {
  if (after[1] !== undefined && before[1] !== undefined && after[1] >= before[1]) {
    throw new PermanentError(`${actionId}: "${after[0]}" must be earlier than "${before[0]}": nothing can match both`, { code: 'INVALID_PARAMS' });
  }
}

/** Whole days from `then` to `now` (rounded down). */
export function daysSince(then: number, now: number): number {
  return Math.floor((now - then) / DAY_MS);
}

/** `now` minus `days` days, epoch milliseconds. */
export function daysBefore(now: number, days: number): number {
  return now - days * DAY_MS;
}

/** A time as the outputs give it (`toISOString`), or null. */
export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
