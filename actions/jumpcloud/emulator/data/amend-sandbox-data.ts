import type { SandboxAmendment } from '../../../../engine/plugin-api/pack.js';

/**
 * The collections of an org file and the field that names their objects (see sandbox-data.ts):
 * a test's changes find the object to alter by it.
 */
const NAME_KEYS: Readonly<Record<string, string>> = {
  users: 'username',
  userGroups: 'name',
  systems: 'displayName',
  systemGroups: 'name',
  applications: 'displayLabel',
  ldapServers: 'name',
  radiusServers: 'name',
};

/** Parts of an org file that are one object: a change is merged into it key by key. */
const OBJECT_KEYS = new Set(['organization', 'vars']);

/**
 * Applies a template test's `sandbox.changes` and `sandbox.remove` to org data (a copy): an
 * entry of a collection whose name is already there replaces the fields it gives (the others
 * stay), a new name is added; `organization` and `vars` are merged key by key; any other key
 * (`protectedAccounts`) is replaced. `remove` takes objects out by name. References to removed
 * objects are not chased: the org file check that follows reports them, as it would in a file.
 *
 * @throws Error for a collection the org file does not have, an entry without its name, or a
 *   name to remove that is not there.
 */
export function amendSandboxData(data: unknown, amendment: SandboxAmendment): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('the organisation is not an object');
  const result = structuredClone(data) as Record<string, unknown>;
  for (const [key, change] of Object.entries(amendment.changes ?? {})) {
    const nameKey = NAME_KEYS[key];
    if (nameKey !== undefined) {
      if (!Array.isArray(change)) throw new Error(`changes.${key} must be a list of ${key}, each named by "${nameKey}"`);
      const list = Array.isArray(result[key]) ? (result[key] as Array<Record<string, unknown>>) : [];
      for (const [index, entry] of change.entries()) {
        if (typeof entry !== 'object' || entry === null || typeof (entry as Record<string, unknown>)[nameKey] !== 'string') {
          throw new Error(`changes.${key}[${index}] must be an object with its "${nameKey}"`);
        }
        const name = (entry as Record<string, unknown>)[nameKey];
        const at = list.findIndex((existing) => existing[nameKey] === name);
        if (at < 0) list.push({ ...(entry as Record<string, unknown>) });
        else list[at] = { ...list[at], ...(entry as Record<string, unknown>) };
      }
      result[key] = list;
    } else if (OBJECT_KEYS.has(key)) {
      if (typeof change !== 'object' || change === null || Array.isArray(change)) throw new Error(`changes.${key} must be an object`);
      result[key] = { ...(result[key] as Record<string, unknown> | undefined), ...(change as Record<string, unknown>) };
    } else if (key === 'protectedAccounts') {
      result[key] = change;
    } else {
      throw new Error(`changes.${key}: the JumpCloud org file has no "${key}" (it has ${[...Object.keys(NAME_KEYS), ...OBJECT_KEYS, 'protectedAccounts'].join(', ')})`);
    }
  }
  for (const [key, names] of Object.entries(amendment.remove ?? {})) {
    const nameKey = NAME_KEYS[key];
    if (nameKey === undefined) throw new Error(`remove.${key}: the JumpCloud org file has no list "${key}" (it has ${Object.keys(NAME_KEYS).join(', ')})`);
    const list = Array.isArray(result[key]) ? (result[key] as Array<Record<string, unknown>>) : [];
    for (const name of names) {
      const at = list.findIndex((existing) => existing[nameKey] === name);
      if (at < 0) throw new Error(`remove.${key}: there is no ${key} entry with ${nameKey} "${name}" to remove`);
      list.splice(at, 1);
    }
    result[key] = list;
  }
  return result;
}
