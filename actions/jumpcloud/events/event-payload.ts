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
 * What a workflow sees as `event.*` for a Directory Insights event: the event exactly as
 * JumpCloud returned it (`event.event_type`, `event.resource`, `event.changes`,
 * `event.association`, `event.initiated_by`, …), plus two shortcuts that read the same whatever
 * the event type: `event.user` (`id`, `username`, `email` when known) and, for group
 * memberships, `event.group` (`id`, `name`).
 */
export function directoryEventPayload(event: DirectoryEvent): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...event };
  const user = userOf(event);
  const group = groupOf(event);
  if (user !== undefined) payload['user'] = user;
  if (group !== undefined) payload['group'] = group;
  return payload;
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
