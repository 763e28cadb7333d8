import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { createJumpCloudClient, type JumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { directoryInsightsSource, readDirectoryInsightsOptions, type DirectoryInsightsCursor } from '../../../../actions/jumpcloud/events/directory-insights-source.js';
import jumpcloudPack from '../../../../actions/jumpcloud/index.js';
import type { EventSourceContext, SourcedEvent } from '../../../../engine/plugin-api/pack.js';
import { loadExampleOrg, userId } from '../actions/support/emulator-context.js';

let emulator: RunningEmulator;
let client: JumpCloudClient;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'events' });
  client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, retry: { attempts: 1 } });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

/** A serve stand-in: records what the source emits and keeps its cursor, like serve does. */
function host(cursor?: unknown) {
  const controller = new AbortController();
  const batches: Array<{ events: SourcedEvent[]; cursor: unknown }> = [];
  const logs: string[] = [];
  const state = { cursor };
  const ctx: EventSourceContext = {
    signal: controller.signal,
    connection: (name) => (name === 'jumpcloud' ? { base_url: emulator.url, api_key: emulator.apiKey } : undefined),
    sandbox: false,
    cursor,
    emit: async (events, next) => {
      batches.push({ events, cursor: next });
      state.cursor = next;
    },
    logger: { info: (m) => logs.push(m), warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) },
  };
  const events = () => batches.flatMap((b) => b.events);
  const waitFor = async (predicate: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; logs: ${logs.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { controller, ctx, batches, events, logs, state, waitFor };
}

describe('the jumpcloud.directory_insights event source', () => {
  it('is offered by the JumpCloud pack', () => {
    expect(jumpcloudPack.eventSources?.map((s) => s.type)).toEqual(['jumpcloud.directory_insights']);
  });

  it('stores its starting point at once, then turns changes into jumpcloud.* events in order', async () => {
    const h = host();
    const running = directoryInsightsSource.run(h.ctx, { interval: '100ms' });
    await h.waitFor(() => h.batches.length >= 1, 'the starting cursor');
    expect(h.batches[0]).toMatchObject({ events: [] });
    expect((h.batches[0]?.cursor as DirectoryInsightsCursor).start_time).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const jane = userId(emulator, 'jane.doe');
    await client.suspendUser(jane);
    const group = await client.createUserGroup({ name: 'Leavers' });
    await client.addUserToGroup(group.id, jane);
    await client.removeUserFromGroup(group.id, jane);
    await h.waitFor(() => h.events().length >= 4, 'four events');
    h.controller.abort();
    await running;

    expect(h.events().map((e) => e.name)).toEqual(['jumpcloud.user.suspended', 'jumpcloud.group.created', 'jumpcloud.group.member_added', 'jumpcloud.group.member_removed']);
    const [suspended, , added] = h.events();
    expect(suspended?.payload).toMatchObject({ event_type: 'user_suspended', user: { id: jane, username: 'jane.doe', email: 'jane.doe@company.com' } });
    expect(added?.payload).toMatchObject({ user: { id: jane, username: 'jane.doe' }, group: { id: group.id, name: 'Leavers' } });
    expect(new Set(h.events().map((e) => e.id)).size).toBe(4);
    expect((h.state.cursor as DirectoryInsightsCursor).search_after).toHaveLength(2);
  });

  it('turns a device enrolling, a user\'s attributes changing and a member leaving a group (also by deletion) into their triggers, with what a workflow tests', async () => {
    const h = host();
    const running = directoryInsightsSource.run(h.ctx, { interval: '100ms' });
    await h.waitFor(() => h.batches.length >= 1, 'the starting cursor');

    const enrolled = await fetch(`${emulator.url}/__sandbox/systems`, {
      method: 'POST',
      headers: { 'x-api-key': emulator.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ hostname: 'ann-mbp.local', displayName: 'ANN-MBP', os: 'Mac OS X', version: '14.4.1' }),
    });
    const system = (await enrolled.json()) as { _id: string };
    const john = userId(emulator, 'john.smith');
    // attributes is the whole list (a PUT replaces it): john's own, and one more.
    const attributes = [...(emulator.state.user(john)?.['attributes'] as Array<{ name: string; value: string }>), { name: 'costCenter', value: 'CC-9' }];
    await client.updateUser(john, { department: 'Sales', attributes });
    await client.updateUser(john, { department: 'Sales' }); // changes nothing: no event
    const group = await client.createUserGroup({ name: 'Temporary' });
    await client.addUserToGroup(group.id, john);
    await client.deleteUser(john);
    await h.waitFor(() => h.events().some((e) => e.name === 'jumpcloud.user.deleted'), 'the deletion');
    h.controller.abort();
    await running;

    const names = h.events().map((e) => e.name);
    expect(names.slice(0, 4)).toEqual(['jumpcloud.system.created', 'jumpcloud.user.updated', 'jumpcloud.group.created', 'jumpcloud.group.member_added']);
    expect(names.at(-1)).toBe('jumpcloud.user.deleted');
    const [created, updated] = h.events();
    expect(created?.payload).toMatchObject({ event_type: 'system_create', system: { id: system._id, displayName: 'ANN-MBP', hostname: 'ann-mbp.local', os: 'Mac OS X', version: '14.4.1' } });
    expect(updated?.payload).toMatchObject({
      user: { id: john, username: 'john.smith' },
      changed_fields: expect.arrayContaining(['department', 'attributes']),
      changed: { department: { to: 'Sales' } },
      changed_attributes: ['costCenter'],
    });
    expect(names.filter((n) => n === 'jumpcloud.user.updated')).toHaveLength(1);
    // Every group john was in, the new one too, lost him when he was deleted: each is a member_removed with both names.
    const removed = h.events().filter((e) => e.name === 'jumpcloud.group.member_removed');
    expect(removed.map((e) => e.payload['group'])).toContainEqual({ id: group.id, name: 'Temporary' });
    expect(removed.length).toBeGreaterThan(1);
    expect(removed.every((e) => (e.payload['user'] as { id: string; username: string }).username === 'john.smith')).toBe(true);
  });

  it('reads a user group\'s deletion as one member_removed per member, with names, then jumpcloud.group.deleted', async () => {
    const h = host();
    const running = directoryInsightsSource.run(h.ctx, { interval: '100ms' });
    await h.waitFor(() => h.batches.length >= 1, 'the starting cursor');
    const vpn = emulator.state.snapshot().usergroups.find((g) => g.name === 'VPN Users');
    const response = await fetch(`${emulator.url}/api/v2/usergroups/${vpn?.id}`, { method: 'DELETE', headers: { 'x-api-key': emulator.apiKey } });
    expect(response.status).toBe(200);
    await h.waitFor(() => h.events().some((e) => e.name === 'jumpcloud.group.deleted'), 'the deletion');
    h.controller.abort();
    await running;
    const removed = h.events().filter((e) => e.name === 'jumpcloud.group.member_removed');
    expect(removed.length).toBe(vpn?.members.length);
    expect(removed.length).toBeGreaterThan(1);
    const usernames = (vpn?.members ?? []).map((id) => emulator.state.user(id)?.username);
    expect(removed.map((e) => e.payload['user'])).toEqual((vpn?.members ?? []).map((id, i) => ({ id, username: usernames[i] })));
    expect(removed.every((e) => JSON.stringify(e.payload['group']) === JSON.stringify({ id: vpn?.id, name: 'VPN Users' }))).toBe(true);
    expect(h.events().at(-1)).toMatchObject({ name: 'jumpcloud.group.deleted', payload: { group: { id: vpn?.id, name: 'VPN Users' } } });
  });

  it('continues after its cursor: an event that happened while it was stopped is read once, earlier ones never again', async () => {
    const first = host();
    const running = directoryInsightsSource.run(first.ctx, { interval: '100ms' });
    await first.waitFor(() => first.batches.length >= 1, 'the starting cursor');
    await client.suspendUser(userId(emulator, 'john.smith'));
    await first.waitFor(() => first.events().length === 1, 'the suspension');
    first.controller.abort();
    await running;

    // While "serve" is down.
    await client.activateUser(userId(emulator, 'john.smith'));

    const second = host(first.state.cursor);
    const again = directoryInsightsSource.run(second.ctx, { interval: '100ms' });
    await second.waitFor(() => second.events().length >= 1, 'the activation');
    await new Promise((r) => setTimeout(r, 300)); // a few more polls: nothing else may come
    second.controller.abort();
    await again;
    expect(second.events().map((e) => e.name)).toEqual(['jumpcloud.user.unsuspended']);
  });

  it('pages through more events than fit one page', async () => {
    const h = host();
    const running = directoryInsightsSource.run(h.ctx, { interval: '100ms', limit: 2 });
    await h.waitFor(() => h.batches.length >= 1, 'the starting cursor');
    for (const name of ['a', 'b', 'c', 'd', 'e']) await client.createUserGroup({ name: `Group ${name}` });
    await h.waitFor(() => h.events().length >= 5, 'five events');
    h.controller.abort();
    await running;
    expect(h.events().map((e) => (e.payload['resource'] as { name: string }).name)).toEqual(['Group a', 'Group b', 'Group c', 'Group d', 'Group e']);
    expect(h.batches.slice(1).every((b) => b.events.length <= 2)).toBe(true);
  });

  it('fails with a clear error when the API key is wrong (serve restarts it after a pause)', async () => {
    const h = host();
    h.ctx.connection = () => ({ base_url: emulator.url, api_key: 'wrong-key-123' });
    await expect(directoryInsightsSource.run({ ...h.ctx, cursor: { start_time: new Date().toISOString() } }, {})).rejects.toThrow(/401|Unauthorized|API key/i);
  });

  describe('the API key from the environment', () => {
    const saved = process.env['JUMPCLOUD_API_KEY'];
    afterEach(() => {
      if (saved === undefined) delete process.env['JUMPCLOUD_API_KEY'];
      else process.env['JUMPCLOUD_API_KEY'] = saved;
    });

    it('is read for a connection without api_key, as the actions read it (also for an emulator on loopback)', async () => {
      process.env['JUMPCLOUD_API_KEY'] = emulator.apiKey;
      const h = host();
      h.ctx.connection = () => ({ base_url: emulator.url });
      const running = directoryInsightsSource.run(h.ctx, { interval: '100ms' });
      await h.waitFor(() => h.batches.length >= 1, 'the starting cursor');
      await client.createUserGroup({ name: 'Read with the key from the environment' });
      await h.waitFor(() => h.events().length >= 1, 'the event');
      h.controller.abort();
      await running;
      expect(h.events().map((e) => e.name)).toEqual(['jumpcloud.group.created']);
    });

    it('is never read for a sandbox connection (serve --sandbox or not)', async () => {
      process.env['JUMPCLOUD_API_KEY'] = emulator.apiKey;
      for (const sandbox of [true, false]) {
        const h = host({ start_time: new Date().toISOString() });
        await expect(directoryInsightsSource.run({ ...h.ctx, sandbox, connection: () => ({ base_url: emulator.url, sandbox: true }) }, {})).rejects.toThrow(/API key/);
      }
    });
  });

  it('refuses a sandbox connection without base_url rather than fall back to the JumpCloud host, as the actions do', async () => {
    const h = host({ start_time: new Date().toISOString() });
    await expect(directoryInsightsSource.run({ ...h.ctx, connection: () => ({ api_key: emulator.apiKey, sandbox: true }) }, {})).rejects.toThrow(
      'connections.jumpcloud is a sandbox connection without a base_url; a sandbox never falls back to JUMPCLOUD_API_URL or the JumpCloud host',
    );
  });

  it('under serve --sandbox, refuses a real connection from the config rather than read the real organisation', async () => {
    const h = host({ start_time: new Date().toISOString() });
    const real = { base_url: 'https://console.jumpcloud.com', api_key: 'real-key' };
    await expect(directoryInsightsSource.run({ ...h.ctx, sandbox: true, connection: () => real }, {})).rejects.toThrow(
      'event source jumpcloud.directory_insights: connection "jumpcloud" is a real JumpCloud connection from the config, and serve runs with --sandbox, which never uses one; use the sandbox\'s "jumpcloud" connection',
    );
  });

  it.each([
    [{ interval: 'soon' }, /"interval" must be a duration of at least 100ms/],
    [{ services: ['directory', 'nope'] }, /"services" must be a non-empty list of: alerts, all, directory/],
    [{ start: 'yesterday' }, /"start" must be "now" or an RFC 3339 time/],
    [{ limit: 20_000 }, /"limit" must be a whole number from 1 to 10000/],
  ])('refuses the options %j', (options, message) => {
    expect(() => readDirectoryInsightsOptions(options)).toThrow(message);
  });
});
