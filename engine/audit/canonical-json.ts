/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members left out (as
 * `JSON.stringify` does). Two equal values always give the same text, whatever order their
 * keys were written in, which is what a hash over an audit entry needs.
 *
 * Only plain JSON data is expected (what `JSON.parse` returns); anything with a `toJSON`
 * (Dates) is written as `JSON.stringify` would.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return canonicalJson(withToJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item))).join(',')}]`;
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === 'function') continue;
    members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}
