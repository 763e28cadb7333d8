/** One way what happened differs from what a test expected. */
export interface Difference {
  /** Where, e.g. `output.actions_taken.groups_removed` or `state["user john.smith"].groups`. */
  path: string;
  /** What was expected and what there was, as JSON-able values (omitted when not a value). */
  expected?: unknown;
  actual?: unknown;
  /** The difference in words, e.g. `expected 4, got 5`. */
  message: string;
}

/**
 * Compares `actual` with `expected` as a subset: every key of an expected object must be there
 * and match (other keys are ignored); a list must have exactly as many entries, each matching
 * in order; anything else must be equal (numbers, strings, booleans and null by value).
 *
 * @param path - where `actual` is, to name it in differences.
 * @returns every difference found (empty when it matches).
 */
export function subsetDifferences(expected: unknown, actual: unknown, path: string): Difference[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ path, expected, actual, message: `expected a list of ${expected.length}, got ${show(actual)}` }];
    if (actual.length !== expected.length) {
      const scalars = [...expected, ...actual].every((entry) => typeof entry !== 'object' || entry === null);
      const missing = scalars ? expected.filter((entry) => !actual.includes(entry)) : [];
      const extra = scalars ? actual.filter((entry) => !expected.includes(entry)) : [];
      const detail = [...(missing.length > 0 ? [`missing ${missing.map(show).join(', ')}`] : []), ...(extra.length > 0 ? [`unexpected ${extra.map(show).join(', ')}`] : [])].join('; ');
      return [{ path, expected, actual, message: `expected ${expected.length} entr${expected.length === 1 ? 'y' : 'ies'}, got ${actual.length}${detail === '' ? `: ${show(actual)}` : ` (${detail})`}` }];
    }
    return expected.flatMap((entry, index) => subsetDifferences(entry, actual[index], `${path}[${index}]`));
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) return [{ path, expected, actual, message: `expected an object, got ${show(actual)}` }];
    return Object.entries(expected).flatMap(([key, value]) => {
      const at = `${path}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
      if (!Object.hasOwn(actual, key)) return [{ path: at, expected: value, message: `expected ${show(value)}, but there is no "${key}"` }];
      return subsetDifferences(value, actual[key], at);
    });
  }
  if (expected === actual || (expected === null && actual === undefined)) return [];
  return [{ path, expected, actual, message: `expected ${show(expected)}, got ${show(actual)}` }];
}

/**
 * Compares two lists of names as sets: what is missing from `actual` and what it has that was
 * not expected, each named once.
 */
export function setDifferences(expected: readonly string[], actual: readonly string[], path: string): Difference[] {
  const missing = expected.filter((name) => !actual.includes(name));
  const unexpected = actual.filter((name) => !expected.includes(name));
  if (missing.length === 0 && unexpected.length === 0) return [];
  const parts = [
    ...(missing.length > 0 ? [`missing ${missing.map((name) => JSON.stringify(name)).join(', ')}`] : []),
    ...(unexpected.length > 0 ? [`unexpected ${unexpected.map((name) => JSON.stringify(name)).join(', ')}`] : []),
  ];
  return [{ path, expected: [...expected], actual: [...actual], message: parts.join('; ') }];
}

/** A value in a message: JSON, shortened when long. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
