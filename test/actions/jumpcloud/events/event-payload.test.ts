import { describe, expect, it } from 'vitest';
import { directoryEventPayload } from '../../../../actions/jumpcloud/events/event-payload.js';
import type { DirectoryEvent } from '../../../../actions/jumpcloud/types.js';

const base = { id: 'e1', timestamp: '2026-11-22T10:00:00Z' };

describe('directoryEventPayload: event.system', () => {
  it('is the created system, with the fields JumpCloud gives a system in event details', () => {
    const created: DirectoryEvent = {
      ...base, event_type: 'system_create',
      resource: { type: 'system', id: 's1', displayName: 'ANN-MBP', hostname: 'ann-mbp.local', os: 'Mac OS X', version: '14.4.1' },
    };
    expect(directoryEventPayload(created)).toEqual({ ...created, system: { id: 's1', displayName: 'ANN-MBP', hostname: 'ann-mbp.local', os: 'Mac OS X', version: '14.4.1' } });
  });

  it('takes a resource name as the display name when that is all there is, and leaves out what is unknown', () => {
    const deleted: DirectoryEvent = { ...base, event_type: 'system_delete', resource: { type: 'System', id: 's2', name: 'kiosk-7' } };
    expect(directoryEventPayload(deleted)['system']).toEqual({ id: 's2', displayName: 'kiosk-7' });
  });

  it('is the system end of a binding, and an event that carries its own system keeps it', () => {
    const bound: DirectoryEvent = {
      ...base, event_type: 'association_change',
      association: { op: 'add', connection: { from: { type: 'user', object_id: 'u1', name: 'jane.doe' }, to: { type: 'system', object_id: 's3', name: 'build-01' } } },
    };
    expect(directoryEventPayload(bound)).toMatchObject({ user: { id: 'u1', username: 'jane.doe' }, system: { id: 's3', displayName: 'build-01' } });
    const own: DirectoryEvent = { ...base, event_type: 'login', system: { id: 's4', hostname: 'h' }, resource: { type: 'system', id: 's4', displayName: 'other' } };
    expect(directoryEventPayload(own)['system']).toEqual({ id: 's4', hostname: 'h' });
  });

  it('is absent for events about no system', () => {
    expect(directoryEventPayload({ ...base, event_type: 'group_create', resource: { type: 'user_group', id: 'g1', name: 'Sales' } })).not.toHaveProperty('system');
  });
});

describe('directoryEventPayload: what changed', () => {
  const updated: DirectoryEvent = {
    ...base, event_type: 'user_update',
    resource: { type: 'systemuser', id: 'u1', username: 'jane.doe', email: 'jane.doe@x.com' },
    changes: [
      { field: 'department', from: 'Engineering', to: 'Sales' },
      { field: 'attributes', from: [{ name: 'costCenter', value: 'CC-1' }, { name: 'badge', value: '7' }, { name: 'desk', value: 'A1' }], to: [{ name: 'badge', value: '7' }, { name: 'costCenter', value: 'CC-2' }, { name: 'parking', value: 'P3' }] },
    ],
  };

  it('names the changed fields, gives each one\'s from and to, and names the custom attributes that changed', () => {
    const payload = directoryEventPayload(updated);
    expect(payload).toMatchObject({
      changes: updated.changes,
      user: { id: 'u1', username: 'jane.doe', email: 'jane.doe@x.com' },
      changed_fields: ['department', 'attributes'],
      changed: { department: { from: 'Engineering', to: 'Sales' }, attributes: { from: updated.changes?.[1]?.from, to: updated.changes?.[1]?.to } },
    });
    // Reordered but equal (badge) is not a change; a changed value, one removed and one added are.
    expect(payload['changed_attributes']).toEqual(['costCenter', 'desk', 'parking']);
  });

  it('reads a field named twice as changed from its first value to its last, and skips entries without a field', () => {
    const twice: DirectoryEvent = { ...base, event_type: 'user_update', changes: [{ field: 'jobTitle', from: 'A', to: 'B' }, { from: 1, to: 2 }, { field: 'jobTitle', from: 'B', to: 'C' }, { field: 'manager', from: 'm1' }] };
    expect(directoryEventPayload(twice)).toMatchObject({
      changed_fields: ['jobTitle', 'manager'],
      changed: { jobTitle: { from: 'A', to: 'C' }, manager: { from: 'm1', to: null } },
      changed_attributes: [],
    });
  });

  it('keeps a field named __proto__ as plain data', () => {
    const odd: DirectoryEvent = { ...base, event_type: 'user_update', changes: [{ field: '__proto__', from: 'a', to: { polluted: true } }] };
    const payload = directoryEventPayload(odd) as { changed: Record<string, unknown> };
    expect(Object.getPrototypeOf(payload.changed)).toBe(Object.prototype);
    expect(Object.keys(payload.changed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('adds nothing for events without changes', () => {
    const payload = directoryEventPayload({ ...base, event_type: 'user_create', resource: { type: 'systemuser', id: 'u1' } });
    expect(payload).not.toHaveProperty('changed_fields');
    expect(payload).not.toHaveProperty('changed');
  });
});
