import { PermanentError } from '../../engine/errors/action-errors.js';

/**
 * The JSON Schema of a `timeout` parameter: a number of seconds, or a duration string with a
 * unit (`500ms`, `10s`, `2m`). Seconds, not milliseconds, for a bare number because that is
 * what people mean when they write `timeout: 10` in YAML (as with curl's `--max-time`).
 */
export const timeoutParamSchema = {
  type: ['number', 'string'],
  description: 'How long to wait for the response: seconds as a number, or a duration such as "500ms", "10s", "2m". Default 30s.',
} as const;

/** The timeout used when a step gives none. */
export const DEFAULT_TIMEOUT_MS = 30_000;

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Turns a `timeout` parameter into milliseconds.
 *
 * @param value - seconds (number) or a duration string; undefined for the default.
 * @param where - names the parameter in the error, e.g. `http.request: "timeout"`.
 * @throws PermanentError (code `INVALID_PARAMS`) when the value is not a positive duration.
 */
export function timeoutMs(value: number | string | undefined, where: string): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS;
  let ms: number | undefined;
  if (typeof value === 'number') {
    ms = value * 1000;
  } else {
    const match = DURATION.exec(value);
    if (match) ms = Number(match[1]) * (UNIT_MS[(match[2] ?? 's').toLowerCase()] ?? 1000);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new PermanentError(`${where} must be a positive number of seconds or a duration like "500ms", "10s" or "2m", got ${JSON.stringify(value)}`, { code: 'INVALID_PARAMS' });
  }
  return Math.ceil(ms);
}

/** `30s`, `1.5s`, `250ms`: a duration for messages. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}
