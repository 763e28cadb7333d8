import { describe, expect, it } from 'vitest';
import { directoryEventName } from '../../../../actions/jumpcloud/events/event-names.js';
import { directoryEventPayload } from '../../../../actions/jumpcloud/events/event-payload.js';
import type { DirectoryEvent } from '../../../../actions/jumpcloud/types.js';

const membership = (op: 'add' | 'remove', to = 'user'): Pick<DirectoryEvent, 'event_type' | 'association'> => ({
  event_type: 'association_change',
  association: { op, connection: { from: { type: 'user_group', object_id: 'g1', name: 'Engineering' }, to: { type: to, object_id: 'u1', name: 'jane.doe' } } },
});

describe('directoryEventName', () => {
  it.each([
    ['user_create', 'jumpcloud.user.created'],
    ['user_suspended', 'jumpcloud.user.suspended'],
    ['user_unsuspended', 'jumpcloud.user.unsuspended'],
    ['user_activated', 'jumpcloud.user.activated'],
    ['user_delete', 'jumpcloud.user.deleted'],
    ['user_update', 'jumpcloud.user.updated'],
    ['user_password_change', 'jumpcloud.user.password_changed'],
    ['totp_delete_enrollment', 'jumpcloud.user.mfa_reset'],
    ['group_create', 'jumpcloud.group.created'],
    ['USER_SUSPENDED', 'jumpcloud.user.suspended'],
    ['sso_auth', 'jumpcloud.directory.sso_auth'],
    ['weird type!', 'jumpcloud.directory.weird_type'],
  ])('%s → %s', (type, name) => {
    expect(directoryEventName({ event_type: type })).toBe(name);
  });

  it('names group membership changes by their direction, and other associations by their op', () => {
    expect(directoryEventName(membership('add'))).toBe('jumpcloud.group.member_added');
    expect(directoryEventName(membership('remove'))).toBe('jumpcloud.group.member_removed');
    expect(directoryEventName(membership('add', 'system'))).toBe('jumpcloud.association.added');
    expect(directoryEventName(membership('remove', 'application'))).toBe('jumpcloud.association.removed');
    expect(directoryEventName({ event_type: 'association_change', association: { op: 'update' } })).toBe('jumpcloud.association.updated');
  });
});

describe('directoryEventPayload', () => {
  it('keeps the event as JumpCloud sent it and adds user and group shortcuts', () => {
    const suspended = { id: 'e1', event_type: 'user_suspended', timestamp: '2026-11-22T10:00:00Z', resource: { type: 'systemuser', id: 'u1', username: 'jane.doe', email: 'jane.doe@x.com' } };
    expect(directoryEventPayload(suspended)).toEqual({ ...suspended, user: { id: 'u1', username: 'jane.doe', email: 'jane.doe@x.com' } });
    const added = { id: 'e2', timestamp: '2026-11-22T10:00:00Z', ...membership('add') } as DirectoryEvent;
    expect(directoryEventPayload(added)).toMatchObject({ user: { id: 'u1', username: 'jane.doe' }, group: { id: 'g1', name: 'Engineering' }, association: added.association });
    const group = { id: 'e3', event_type: 'group_create', timestamp: 't', resource: { type: 'user_group', id: 'g9', name: 'Leavers' } };
    expect(directoryEventPayload(group)).toEqual({ ...group, group: { id: 'g9', name: 'Leavers' } });
  });
});
