import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator, type SandboxData } from '../../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from '../support/api.js';

// The resource lists, filtered by id as the client's batched naming asks them: v2 lists with
// the `in` operator, v1 lists with `filter[or][N]` terms (v1 filters have no `in`).

const DATA: SandboxData = {
  users: [{ username: 'ann', email: 'ann@example.com' }],
  systems: [{ displayName: 'web-1' }, { displayName: 'web-2' }, { displayName: 'db-1' }],
  systemGroups: [{ name: 'Web' }, { name: 'Databases' }, { name: 'Laptops' }],
  applications: [{ displayLabel: 'Slack' }, { displayLabel: 'GitHub' }, { displayLabel: 'Zoom' }],
  ldapServers: [{ name: 'LDAP A' }, { name: 'LDAP B' }],
  radiusServers: [{ name: 'Wi-Fi' }, { name: 'VPN' }],
};

describe('resource lists filtered by id', () => {
  let emulator: RunningEmulator;
  let api: Api;

  beforeAll(async () => {
    emulator = await startEmulator({ data: DATA });
    api = apiFor(emulator);
  });
  afterAll(() => emulator.close());

  const v1Or = (field: string, ids: readonly string[]): string => ids.map((id, i) => `${encodeURIComponent(`filter[or][${i}]`)}=${encodeURIComponent(`${field}:$eq:${id}`)}`).join('&');

  it('v2: filter=id:in:a|b answers exactly the objects named, with their total', async () => {
    const groups = emulator.state.snapshot().systemgroups;
    const wanted = [groups[0]?.id, groups[2]?.id] as string[];
    const reply = await api('GET', `/api/v2/systemgroups?filter=${encodeURIComponent(`id:in:${wanted.join('|')}`)}&limit=100&skip=0&sort=_id`);
    expect(reply.status).toBe(200);
    expect(reply.body.map((g: { id: string }) => g.id).sort()).toEqual([...wanted].sort());
    expect(reply.headers.get('x-total-count')).toBe('2');
    const ldap = emulator.state.snapshot().ldapservers.map((s) => s.id);
    const servers = await api('GET', `/api/v2/ldapservers?filter=${encodeURIComponent(`id:in:${ldap.join('|')}|0123456789abcdef01234567`)}`);
    expect(servers.body.map((s: { name: string }) => s.name).sort()).toEqual(['LDAP A', 'LDAP B']);
  });

  it('v1: filter[or][N]=_id:$eq:… ORs the terms, on systems, applications and RADIUS servers', async () => {
    const snapshot = emulator.state.snapshot();
    for (const [path, ids, label] of [
      ['/api/systems', snapshot.systems.map((s) => s._id), 'displayName'],
      ['/api/applications', snapshot.applications.map((a) => a._id), 'displayLabel'],
      ['/api/radiusservers', snapshot.radiusservers.map((r) => r._id), 'name'],
    ] as const) {
      const wanted = ids.slice(0, 2);
      const reply = await api('GET', `${path}?${v1Or('_id', wanted)}&limit=100&skip=0&sort=_id`);
      expect(reply.status, path).toBe(200);
      expect(reply.body.totalCount, path).toBe(2);
      expect(reply.body.results.map((r: Record<string, string>) => r['_id']).sort(), path).toEqual([...wanted].sort());
      expect(reply.body.results.every((r: Record<string, string>) => typeof r[label] === 'string'), path).toBe(true);
    }
  });

  it('refuses a malformed filter or an operator of the other version with a 400 that says why', async () => {
    const v1In = await api('GET', `/api/systems?filter=${encodeURIComponent('_id:$in:a|b')}`);
    expect(v1In.status).toBe(400);
    expect(v1In.body.message).toMatch(/unknown operator "\$in"/);
    const v2Bad = await api('GET', `/api/v2/ldapservers?filter=${encodeURIComponent('id-in-a')}`);
    expect(v2Bad.status).toBe(400);
    expect(v2Bad.body.message).toMatch(/<field>:<operator>:<value>/);
  });
});
