import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/index.js';
import { apiFor, type Api } from './support/api.js';

/**
 * Paging the way JumpCloud's SDK does (limit=100, skip += page size, stop on a short page) must
 * see every item exactly once, on v1 and v2, for 101 items created through the API and for
 * 10,000 seeded ones.
 */
describe('pagination', () => {
  let emulator: RunningEmulator;
  let api: Api;
  beforeAll(async () => {
    emulator = await startEmulator();
    api = apiFor(emulator);
  });
  afterAll(() => emulator.close());

  async function pageV1(path: string): Promise<string[]> {
    const ids: string[] = [];
    for (let skip = 0; ; skip += 100) {
      const reply = await api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100&skip=${skip}&sort=_id`);
      expect(reply.status).toBe(200);
      ids.push(...reply.body.results.map((r: { _id: string }) => r._id));
      if (reply.body.results.length < 100) return ids;
    }
  }

  it('101 users created through the API: two pages, each user once (v1), and 101 group members (v2)', async () => {
    const created: string[] = [];
    for (let i = 0; i < 101; i++) {
      const reply = await api('POST', '/api/systemusers', { body: { username: `user${String(i).padStart(3, '0')}`, email: `user${i}@example.com` } });
      created.push(reply.body._id);
    }
    const ids = await pageV1('/api/systemusers');
    expect(ids).toHaveLength(101);
    expect(new Set(ids)).toEqual(new Set(created));
    expect(ids).toEqual([...ids].sort());
    expect((await api('GET', '/api/systemusers?limit=100&skip=100')).body).toMatchObject({ totalCount: 101 });

    const group = await api('POST', '/api/v2/usergroups', { body: { name: 'Everyone' } });
    for (const id of created) await api('POST', `/api/v2/usergroups/${group.body.id}/members`, { body: { op: 'add', type: 'user', id } });
    const members: string[] = [];
    for (let skip = 0; ; skip += 100) {
      const reply = await api('GET', `/api/v2/usergroups/${group.body.id}/members?limit=100&skip=${skip}`);
      expect(reply.headers.get('x-total-count')).toBe('101');
      members.push(...reply.body.map((c: { to: { id: string } }) => c.to.id));
      if (reply.body.length < 100) break;
    }
    expect(members).toEqual(created);
  });

  it('10,000 users: v1 list pages (sort=_id and sort=-username) and search pages of 1000 see each exactly once', async () => {
    emulator.reset({});
    const users = Array.from({ length: 10_000 }, (_, i) => ({ username: `bulk${String(i).padStart(5, '0')}`, email: `bulk${i}@example.com`, department: i % 2 === 0 ? 'Even' : 'Odd' }));
    const seeded = await api('POST', '/__sandbox/seed', { body: { users } });
    expect(seeded.body.users).toHaveLength(10_000);

    const byId = await pageV1('/api/systemusers');
    expect(byId).toHaveLength(10_000);
    expect(new Set(byId).size).toBe(10_000);

    const byName: string[] = [];
    for (let skip = 0; ; skip += 100) {
      const reply = await api('GET', `/api/systemusers?limit=100&skip=${skip}&sort=-username&fields=username`);
      byName.push(...reply.body.results.map((r: { username: string }) => r.username));
      if (reply.body.results.length < 100) break;
    }
    expect(byName).toHaveLength(10_000);
    expect(byName[0]).toBe('bulk09999');
    expect(new Set(byName).size).toBe(10_000);

    const odd: string[] = [];
    for (let skip = 0; ; skip += 1000) {
      const reply = await api('POST', '/api/search/systemusers', { body: { filter: [{ department: 'Odd' }], fields: 'username', limit: 1000, skip } });
      expect(reply.body.totalCount).toBe(5000);
      odd.push(...reply.body.results.map((r: { _id: string }) => r._id));
      if (reply.body.results.length < 1000) break;
    }
    expect(new Set(odd).size).toBe(5000);
  });
});
