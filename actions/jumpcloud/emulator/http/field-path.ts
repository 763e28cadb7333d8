/**
 * Reading a field by dot path (`mfa.configured`, `association.connection.from.type`), which both
 * the v1/v2 filters and Directory Insights search terms use.
 */
export function getPath(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
