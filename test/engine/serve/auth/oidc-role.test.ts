import { describe, expect, it } from 'vitest';
import { claimedGroups, claimedName, mappedRole } from '../../../../engine/serve/auth/oidc-role.js';

const MAPPING = { admin: ['idflow-admins'], operator: ['it-ops'], viewer: ['hr', 'it-ops'] };

describe('OIDC role mapping', () => {
  it('reads groups from an array or a single string, ignoring anything else', () => {
    expect(claimedGroups(['hr', 3, '', 'it-ops'])).toEqual(['hr', 'it-ops']);
    expect(claimedGroups('hr')).toEqual(['hr']);
    expect(claimedGroups(undefined)).toEqual([]);
    expect(claimedGroups({ hr: true })).toEqual([]);
  });

  it('grants the strongest role any group is mapped to, and none for unmapped groups', () => {
    expect(mappedRole(['hr', 'it-ops'], MAPPING)).toBe('operator');
    expect(mappedRole(['hr', 'idflow-admins'], MAPPING)).toBe('admin');
    expect(mappedRole(['hr'], MAPPING)).toBe('viewer');
    expect(mappedRole(['staff'], MAPPING)).toBeUndefined();
    expect(mappedRole([], MAPPING)).toBeUndefined();
  });

  it('names the user by the first name claim that is set', () => {
    expect(claimedName({ preferred_username: ' ', email: 'a@example.com' }, ['preferred_username', 'email'])).toBe('a@example.com');
    expect(claimedName({ sub: 'x' }, ['preferred_username', 'email'])).toBeUndefined();
  });
});
