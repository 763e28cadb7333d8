import { PermanentError } from '../../engine/errors/action-errors.js';

/**
 * Header values from a template or a connection as strings: numbers and booleans are
 * stringified (a single-expression template keeps its type), anything else is refused.
 *
 * @param where - names the parameter in the error, e.g. `notify.webhook "headers"`.
 * @throws PermanentError (code `INVALID_PARAMS`) naming the header when a value is not a
 *   string, number or boolean.
 */
export function headerStrings(headers: Readonly<Record<string, unknown>> | undefined, where: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') result[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') result[name] = String(value);
    else throw new PermanentError(`${where}: header "${name}" must be a string, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`, { code: 'INVALID_PARAMS' });
  }
  return result;
}

/**
 * Merges header sets, later ones winning, comparing names case-insensitively (HTTP header
 * names are; fetch would otherwise join `content-type` and `Content-Type` into one value).
 * The spelling of the winning set is kept.
 */
export function mergeHeaders(...sets: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  const byLowerName = new Map<string, [string, string]>();
  for (const set of sets) {
    for (const [name, value] of Object.entries(set)) byLowerName.set(name.toLowerCase(), [name, value]);
  }
  return Object.fromEntries(byLowerName.values());
}

/** True when `headers` has a header of this name, in any case. */
export function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((key) => key.toLowerCase() === lower);
}
