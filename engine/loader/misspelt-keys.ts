import type { ErrorObject } from 'ajv';
import { decodePointer, encodePointer, valueAt } from '../diagnostics/json-pointer.js';
import { closestMatches } from '../diagnostics/suggest.js';
import { isRecord } from './workflow-data.js';

/**
 * Reading a misspelt key as the key it most likely means, so that a typo in a key does not
 * hide every problem below it: with `stpes:` reported as an unknown key, the steps under it
 * are still checked (actions, parameters, references) as if it were `steps:`, and `wiht:`
 * still has its parameters checked against the action's schema.
 *
 * A key is read as another only when the schema's "did you mean" for it names exactly that
 * key first, the map does not already have it, and no other unknown key of the map means it
 * too. The file's data is never changed: renamed maps are copies, and every pointer into the
 * corrected data can be turned back into a pointer into the file ({@link KeyCorrections.toOriginal}),
 * so problems found under a misspelt key are shown at it.
 */
export class KeyCorrections {
  /** The data with every adopted rename applied (the file's data until one is). */
  data: unknown;
  /** `<map pointer in the corrected data>\0<key as read>` → the key as written. */
  private readonly written = new Map<string, string>();

  constructor(data: unknown) {
    this.data = data;
  }

  /**
   * Adopts the renames that ajv's unknown-key errors (`additionalProperties`, validated
   * against {@link KeyCorrections.data}) clearly point to.
   *
   * @returns the errors whose keys are now read as another key: they are still problems to
   *   report, but validating the corrected data no longer shows them.
   */
  adopt(errors: readonly ErrorObject[]): ErrorObject[] {
    const proposals = new Map<string, Array<{ error: ErrorObject; from: string; to: string }>>();
    for (const error of errors) {
      if (error.keyword !== 'additionalProperties' || error.propertyName !== undefined) continue;
      const map = valueAt(this.data, error.instancePath);
      const properties = (error.parentSchema as { properties?: unknown } | undefined)?.properties;
      if (!isRecord(map) || !isRecord(properties)) continue;
      const from = String(error.params['additionalProperty']);
      const [to] = closestMatches(from, Object.keys(properties));
      if (to === undefined || Object.hasOwn(map, to)) continue;
      const key = `${error.instancePath}\u0000${to}`;
      proposals.set(key, [...(proposals.get(key) ?? []), { error, from, to }]);
    }
    const adopted: ErrorObject[] = [];
    for (const [key, candidates] of proposals) {
      const [only] = candidates;
      // Two unknown keys that both mean the same key: neither is read as it.
      if (candidates.length !== 1 || only === undefined) continue;
      this.written.set(key, only.from);
      this.data = renameKey(this.data, decodePointer(only.error.instancePath), only.from, only.to);
      adopted.push(only.error);
    }
    return adopted;
  }

  /** A pointer into {@link KeyCorrections.data}, as a pointer into the file's data. */
  toOriginal(pointer: string): string {
    if (this.written.size === 0) return pointer;
    const segments = decodePointer(pointer);
    return encodePointer(segments.map((segment, i) => this.written.get(`${encodePointer(segments.slice(0, i))}\u0000${segment}`) ?? segment));
  }
}

/** A copy of `node` in which the map at `path` has its key `from` renamed to `to`, in place (key order kept). */
function renameKey(node: unknown, path: readonly string[], from: string, to: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) {
    if (!isRecord(node)) return node;
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key === from ? to : key, value]));
  }
  if (Array.isArray(node)) return node.map((item: unknown, index) => (String(index) === head ? renameKey(item, rest, from, to) : item));
  if (!isRecord(node)) return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === head ? renameKey(value, rest, from, to) : value]));
}
