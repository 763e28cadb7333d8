import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator, type SandboxData } from '../../../../actions/jumpcloud/emulator/index.js';
import { batchFilterQueries, MAX_FILTER_QUERY_CHARS } from '../../../../actions/jumpcloud/client/batch-lookup.js';
import { createJumpCloudClient, type JumpCloudClient, type NameableType } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { LookupCache } from '../../../../actions/jumpcloud/client/name-cache.js';

// Naming objects by id in batches (issue 14): the look-ups asked for together become one list
// read per type, filtered by id, against the emulator over loopback.

const SYSTEMS = 60;
const GROUPS = 30;
const DATA: SandboxData = {
  users: [{ username: 'ann', email: 'ann@example.com' }, { username: 'bob', email: 'bob@example.com' }],
  userGroups: Array.from({ length: GROUPS }, (_, i) => ({ name: `Team ${String(i).padStart(2, '0')}` })),
  systems: Array.from({ length: SYSTEMS }, (_, i) => ({ displayName: `host-${String(i).padStart(2, '0')}` })),
  applications: [{ displayLabel: 'Slack' }, { displayLabel: 'GitHub' }],
  ldapServers: [{ name: 'LDAP' }],
  radiusServers: [{ name: 'Wi-Fi' }, { name: 'VPN' }],
};
const GONE = '0123456789abcdef01234567';

let emulator: RunningEmulator;
let client: JumpCloudClient;

beforeAll(async () => {
  emulator = await startEmulator({ data: DATA, seed: 'batch-lookup' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, retry: { attempts: 2, minDelayMs: 1, maxDelayMs: 5 } });
});

function ids(kind: 'systems' | 'usergroups' | 'applications' | 'radiusservers' | 'users'): string[] {
  const snapshot = emulator.state.snapshot() as unknown as Record<string, Array<Record<string, unknown>>>;
  return (snapshot[kind] ?? []).map((o) => (o['_id'] ?? o['id']) as string);
}

/** The emulator's requests as `METHOD path` with ids as :id, and whether they carried a filter. */
function requests(): string[] {
  return emulator.requests().map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{24}/g, ':id')}${r.query.includes('filter') ? '?filter' : ''}`);
}

function nameAll(type: NameableType, list: readonly string[]): Promise<Array<string | undefined>> {
  return Promise.all(list.map((id) => client.nameOf(type, id)));
}

describe('batched look-ups by id', () => {
  it('name 30 groups with one v2 read (id:in:…) and 60 systems with as few v1 reads as the URL budget allows', async () => {
    const [groupNames, systemNames] = await Promise.all([nameAll('user_group', ids('usergroups')), nameAll('system', ids('systems'))]);
    expect(groupNames).toEqual(Array.from({ length: GROUPS }, (_, i) => `Team ${String(i).padStart(2, '0')}`));
    expect(systemNames).toEqual(Array.from({ length: SYSTEMS }, (_, i) => `host-${String(i).padStart(2, '0')}`));
    const sent = requests();
    expect(sent.filter((r) => r === 'GET /api/v2/usergroups?filter')).toHaveLength(1);
    expect(sent.filter((r) => r === 'GET /api/systems?filter')).toHaveLength(batchFilterQueries('system', ids('systems')).length);
    expect(batchFilterQueries('system', ids('systems')).length).toBe(3);
    expect(sent).toHaveLength(4);
    expect(emulator.requests().every((r) => r.query.length < MAX_FILTER_QUERY_CHARS + 40)).toBe(true);
  });

  it('remember what they read: naming again, or reading the object, makes no request', async () => {
    const groups = ids('usergroups').slice(0, 3);
    await nameAll('user_group', groups);
    expect(requests()).toEqual(['GET /api/v2/usergroups?filter']);
    await nameAll('user_group', groups);
    expect((await client.getUserGroup(groups[1] as string)).name).toBe('Team 01');
    expect(requests()).toHaveLength(1);
  });

  it('read a lone object with its own GET, and a user by its record', async () => {
    const [ldap] = emulator.state.snapshot().ldapservers;
    expect(await client.nameOf('ldap_server', ldap?.id as string)).toBe('LDAP');
    expect(await nameAll('user', ids('users'))).toEqual(['ann', 'bob']);
    expect(requests()).toEqual(['GET /api/v2/ldapservers/:id', 'GET /api/systemusers?filter']);
  });

  it('read an id the list did not return by itself before calling it gone', async () => {
    const apps = ids('applications');
    expect(await nameAll('application', [...apps, GONE])).toEqual(['Slack', 'GitHub', undefined]);
    expect(requests()).toEqual(['GET /api/applications?filter', 'GET /api/applications/:id']);
  });

  it('batch the look-ups of several clients sharing one cache, and a caller that goes away stops waiting alone', async () => {
    const cache = new LookupCache();
    const make = (): JumpCloudClient => createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, lookupCache: cache });
    const [a, b] = [make(), make()];
    const servers = ids('radiusservers');
    const leaving = new AbortController();
    const early = a.getRadiusServer(servers[0] as string, { signal: leaving.signal });
    const both = Promise.all(servers.map((id) => b.nameOf('radius_server', id)));
    leaving.abort(new Error('step stopped'));
    await expect(early).rejects.toBeInstanceOf(CancelledError);
    expect(await both).toEqual(['Wi-Fi', 'VPN']);
    expect(requests().filter((r) => r.startsWith('GET /api/radiusservers'))).toHaveLength(1);
  });

  it('split long id lists under the URL budget, in the filter form of each API version', () => {
    const many = Array.from({ length: 120 }, (_, i) => i.toString(16).padStart(24, '0'));
    const v2 = batchFilterQueries('user_group', many);
    expect(v2.length).toBe(3);
    expect(v2.flatMap((q) => ((q['filter'] as string[])[0] ?? '').replace(/^id:in:/, '').split('|'))).toEqual(many);
    const v1 = batchFilterQueries('application', many.slice(0, 2));
    expect(v1).toEqual([{ 'filter[or][0]': `_id:$eq:${many[0]}`, 'filter[or][1]': `_id:$eq:${many[1]}` }]);
    for (const query of [...v2, ...batchFilterQueries('system', many)]) {
      expect(new URLSearchParams(query as Record<string, string>).toString().length).toBeLessThanOrEqual(MAX_FILTER_QUERY_CHARS);
    }
  });
});
