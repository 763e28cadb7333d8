import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { createJumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { groupsRemoveAllAction } from '../../../../actions/jumpcloud/actions/groups-remove-all.js';
import { systemsUnbindAllAction } from '../../../../actions/jumpcloud/actions/systems-unbind-all.js';
import { emulatorContext, mutatingRequests, planStep, runStep } from './support/emulator-context.js';

// A user with more than 100 groups and systems (more than one page of every list), set up
// through the API itself (systems, which the API cannot create, through the emulator's seed).

const GROUPS = 130;
const SYSTEMS = 115;
let emulator: RunningEmulator;
let user: string;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 'pagination' });
  const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, maxConcurrency: 8 });
  user = (await client.createUser({ username: 'many.groups', email: 'many.groups@company.com' }))._id;
  const seeded = await fetch(`${emulator.url}/__sandbox/seed`, {
    method: 'POST',
    headers: { 'x-api-key': emulator.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ systems: Array.from({ length: SYSTEMS }, (_, i) => ({ displayName: `host-${String(i).padStart(3, '0')}` })) }),
  });
  const { systems } = (await seeded.json()) as { systems: Array<{ _id: string }> };
  await Promise.all([
    ...Array.from({ length: GROUPS }, async (_, i) => {
      const group = await client.createUserGroup({ name: `Team ${String(i).padStart(3, '0')}` });
      await client.addUserToGroup(group.id, user);
    }),
    ...systems.map((system) => client.addUserAssociation(user, 'system', system._id)),
  ]);
});
afterAll(() => emulator.close());

describe('a user with more than one page of groups and systems', () => {
  it('plans, removes and counts every one exactly once; a second run finds none', async () => {
    const from = emulator.requests().length;
    const groupPlan = await planStep(groupsRemoveAllAction, emulatorContext(emulator, { dryRun: true }), { user_id: user, connection: 'jumpcloud' });
    const systemPlan = await planStep(systemsUnbindAllAction, emulatorContext(emulator, { dryRun: true }), { user_id: user, connection: 'jumpcloud' });
    expect(mutatingRequests(emulator, from)).toEqual([]);
    expect(new Set(groupPlan.changes.map((c) => c.target)).size).toBe(GROUPS);
    expect(groupPlan.changes).toContainEqual(expect.objectContaining({ target: expect.stringMatching(/^user group "Team 129" \(\w{24}\)$/) }));
    expect(new Set(systemPlan.changes.map((c) => c.target)).size).toBe(SYSTEMS);
    // Pages of at most 100, in a stable order.
    const memberof = emulator.requests().slice(from).filter((r) => r.path === `/api/v2/users/${user}/memberof`);
    expect(memberof.map((r) => new URLSearchParams(r.query).get('skip'))).toEqual(['0', '100']);
    expect(memberof.every((r) => new URLSearchParams(r.query).get('limit') === '100' && new URLSearchParams(r.query).get('sort') === '_id')).toBe(true);

    const groups = await runStep(groupsRemoveAllAction, emulatorContext(emulator), { user_id: user, connection: 'jumpcloud' });
    expect(groups.output?.removed).toBe(GROUPS);
    expect(new Set(groups.output?.groups.map((g) => g.id)).size).toBe(GROUPS);
    const systems = await runStep(systemsUnbindAllAction, emulatorContext(emulator), { user_id: user, connection: 'jumpcloud' });
    expect(systems.output?.unbound).toBe(SYSTEMS);
    expect(emulator.state.groupsOf(user)).toEqual([]);
    expect(emulator.state.associations(user)).toEqual([]);
    expect(mutatingRequests(emulator, from).filter((r) => r.status === 204)).toHaveLength(GROUPS + SYSTEMS);

    expect((await runStep(groupsRemoveAllAction, emulatorContext(emulator), { user_id: user, connection: 'jumpcloud' })).output).toEqual({ removed: 0, groups: [], dynamic_groups: [] });
    expect((await runStep(systemsUnbindAllAction, emulatorContext(emulator), { user_id: user, connection: 'jumpcloud' })).output).toEqual({ unbound: 0, systems: [], via_groups: [] });
  });
});
