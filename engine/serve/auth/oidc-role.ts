import { ROLES, type Role } from './principal.js';

/**
 * The groups a claim lists: an array of strings, or one string (some providers send a single
 * group that way). Anything else lists none.
 */
export function claimedGroups(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item !== '');
  return [];
}

/** The strongest role that any of `groups` is granted by `mapping`; undefined when none is. */
export function mappedRole(groups: readonly string[], mapping: Readonly<Record<Role, readonly string[]>>): Role | undefined {
  for (const role of [...ROLES].reverse()) if (mapping[role].some((group) => groups.includes(group))) return role;
  return undefined;
}

/** The first of `claims` that is a non-empty string: the principal's name. */
export function claimedName(source: Readonly<Record<string, unknown>>, claims: readonly string[]): string | undefined {
  for (const claim of claims) {
    const value = source[claim];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}
