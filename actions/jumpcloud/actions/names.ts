import type { JumpCloudClient, NameableType } from '../client/jumpcloud-client.js';

/** An object by id and human name, as outputs list them. */
export interface NamedRef {
  id: string;
  name: string;
}

/** The kinds of things the JumpCloud actions name in changes, logs and errors. */
export type ObjectKind = NameableType | 'ssh_key' | 'push_endpoint' | 'mfa';

const KIND_LABELS: Readonly<Record<ObjectKind, string>> = {
  user: 'user',
  user_group: 'user group',
  system: 'system',
  system_group: 'system group',
  application: 'application',
  ldap_server: 'LDAP server',
  radius_server: 'RADIUS server',
  ssh_key: 'SSH key',
  push_endpoint: 'push endpoint',
  mfa: 'MFA of user',
};

/** The name used when JumpCloud gives an object none (or it vanished while being named). */
export const UNNAMED = '(unnamed)';

/** How a kind is written for humans, e.g. `LDAP server`. */
export function kindLabel(kind: ObjectKind): string {
  return KIND_LABELS[kind];
}

/**
 * The audit target of an object: `user group "Engineering" (64a000000000000000000001)`.
 * The full id stays in the target so that the record names exactly one object.
 */
export function targetLabel(kind: ObjectKind, ref: NamedRef): string {
  return `${KIND_LABELS[kind]} "${ref.name}" (${ref.id})`;
}

/**
 * Names objects with the client's cached look-ups: the client reads the ids asked for together
 * in one list read per type (see `JumpCloudClient.nameOf`), each object once for the whole run;
 * objects without a name, or gone since they were listed, are {@link UNNAMED}.
 */
export async function nameAll(client: JumpCloudClient, type: NameableType, ids: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const names = await Promise.all(unique.map(async (id) => [id, (await client.nameOf(type, id)) ?? UNNAMED] as const));
  return new Map(names);
}

/**
 * Orders named objects by name (without regard to case, by code point rather than by a locale
 * that varies between machines), then by id: how every list the actions report, plan and back
 * up is ordered, so that it reads the same whatever order JumpCloud listed the objects in or
 * concurrent removals finished in.
 */
export function byName(a: NamedRef, b: NamedRef): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** `5 groups`, `1 group`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
