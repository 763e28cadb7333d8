import type { DirectoryEvent } from '../types.js';

/** The user an event is about, when there is one. */
export interface EventUser {
  id: string;
  username?: string;
  email?: string;
}

/** The group an event is about, when there is one. */
export interface EventGroup {
  id: string;
  name?: string;
}

/**
 * The system (device) an event is about, when there is one: the fields JumpCloud's examples give
 * a system in event details.
 */
export interface EventSystem {
  id: string;
  displayName?: string;
  hostname?: string;
  os?: string;
  version?: string;
}

/** One changed field's values, as the event's `changes` give them. */
export interface FieldChange {
  from: unknown;
  to: unknown;
}

/**
 * What a workflow sees as `event.*` for a Directory Insights event: the event exactly as
 * JumpCloud returned it (`event.event_type`, `event.resource`, `event.changes`,
 * `event.association`, `event.initiated_by`, …), plus shortcuts that read the same whatever
 * the event type:
 * - `event.user` (`id`, `username`, `email` when known);
 * - `event.group` (`id`, `name`) for user groups and memberships;
 * - `event.system` (`id`, `displayName`, `hostname`, `os`, `version` when known) for a system
 *   created or deleted, or bound to a user or group (an event that carries its own `system`
 *   keeps it);
 * - for events with `changes` (a user's attributes changed): `event.changed_fields` (the names of
 *   the changed fields, to test with `in`), `event.changed` (each field's `from` and `to`, e.g.
 *   `event.changed.department.to`) and `event.changed_attributes` (the names of the custom
 *   attributes added, removed or given another value).
 */
export function directoryEventPayload(event: DirectoryEvent): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...event };
  const user = userOf(event);
  const group = groupOf(event);
  const system = systemOf(event);
  if (user !== undefined) payload['user'] = user;
  if (group !== undefined) payload['group'] = group;
  if (system !== undefined && (typeof event.system !== 'object' || event.system === null)) payload['system'] = system;
  if (Array.isArray(event.changes)) Object.assign(payload, changesOf(event.changes));
  return payload;
}

/** `changed_fields`, `changed` and `changed_attributes` from an event's `changes`. */
function changesOf(changes: readonly unknown[]): { changed_fields: string[]; changed: Record<string, FieldChange>; changed_attributes: string[] } {
  const changed = new Map<string, FieldChange>();
  for (const change of changes) {
    if (typeof change !== 'object' || change === null) continue;
    const { field, from, to } = change as { field?: unknown; from?: unknown; to?: unknown };
    if (typeof field !== 'string' || field === '') continue;
    // A field named twice changed from its first value to its last.
    const earlier = changed.get(field);
    changed.set(field, { from: earlier === undefined ? from ?? null : earlier.from, to: to ?? null });
  }
  const attributes = changed.get('attributes');
  return {
    changed_fields: [...changed.keys()],
    // fromEntries defines own properties, so no field name (even "__proto__") reaches a prototype.
    changed: Object.fromEntries(changed),
    changed_attributes: attributes === undefined ? [] : changedAttributeNames(attributes.from, attributes.to),
  };
}

/** Names of custom attributes (`[{name, value}]`) that one list has and the other lacks or holds another value for. */
function changedAttributeNames(from: unknown, to: unknown): string[] {
  const before = attributeValues(from);
  const after = attributeValues(to);
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => !before.has(name) || !after.has(name) || JSON.stringify(before.get(name)) !== JSON.stringify(after.get(name)));
}

function attributeValues(list: unknown): Map<string, unknown> {
  const values = new Map<string, unknown>();
  if (!Array.isArray(list)) return values;
  for (const item of list) {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && name !== '') values.set(name, (item as { value?: unknown }).value ?? null);
  }
  return values;
}

function systemOf(event: DirectoryEvent): EventSystem | undefined {
  const resource = event.resource;
  if (resource !== undefined && typeof resource.id === 'string' && String(resource.type ?? '').toLowerCase() === 'system') {
    const text = (key: 'displayName' | 'hostname' | 'os' | 'version'): Partial<EventSystem> => (typeof resource[key] === 'string' ? { [key]: resource[key] } : {});
    const named = resource.displayName === undefined && typeof resource.name === 'string' ? { displayName: resource.name } : {};
    return { id: resource.id, ...named, ...text('displayName'), ...text('hostname'), ...text('os'), ...text('version') };
  }
  for (const side of ['to', 'from'] as const) {
    const end = endOf(event, side);
    if (end !== undefined && end.type === 'system') return { id: end.id, ...(end.name === undefined ? {} : { displayName: end.name }) };
  }
  return undefined;
}

function userOf(event: DirectoryEvent): EventUser | undefined {
  const resource = event.resource;
  if (resource !== undefined && typeof resource.id === 'string' && ['systemuser', 'user'].includes(String(resource.type ?? '').toLowerCase())) {
    return { id: resource.id, ...(typeof resource.username === 'string' ? { username: resource.username } : {}), ...(typeof resource.email === 'string' ? { email: resource.email } : {}) };
  }
  const to = endOf(event, 'to');
  if (to !== undefined && to.type === 'user') return { id: to.id, ...(to.name === undefined ? {} : { username: to.name }) };
  const from = endOf(event, 'from');
  if (from !== undefined && from.type === 'user') return { id: from.id, ...(from.name === undefined ? {} : { username: from.name }) };
  return undefined;
}

function groupOf(event: DirectoryEvent): EventGroup | undefined {
  const from = endOf(event, 'from');
  if (from !== undefined && from.type === 'user_group') return { id: from.id, ...(from.name === undefined ? {} : { name: from.name }) };
  const resource = event.resource;
  if (resource !== undefined && typeof resource.id === 'string' && String(resource.type ?? '').toLowerCase() === 'user_group') {
    return { id: resource.id, ...(typeof resource.name === 'string' ? { name: resource.name } : {}) };
  }
  return undefined;
}

function endOf(event: DirectoryEvent, side: 'from' | 'to'): { type: string; id: string; name?: string } | undefined {
  const connection = (event.association as { connection?: Record<string, unknown> } | undefined)?.connection;
  const end = connection?.[side] as { type?: unknown; object_id?: unknown; id?: unknown; name?: unknown } | undefined;
  const id = typeof end?.object_id === 'string' ? end.object_id : typeof end?.id === 'string' ? end.id : undefined;
  if (end === undefined || id === undefined) return undefined;
  return { type: String(end.type ?? '').toLowerCase(), id, ...(typeof end.name === 'string' ? { name: end.name } : {}) };
}
