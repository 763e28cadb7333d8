import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { createJumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { systemsUnbindAllAction } from '../../../../actions/jumpcloud/actions/systems-unbind-all.js';
import { groupsRemoveAllAction } from '../../../../actions/jumpcloud/actions/groups-remove-all.js';
import { emulatorContext, loadExampleOrg, mutatingRequests, objectId, userId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'systems' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const params = (user: string) => ({ user_id: userId(emulator, user), connection: 'jumpcloud' });

describe('jumpcloud.user.systems.unbind_all', () => {
  it('reports access through a group (with the system group on the way) and counts nothing', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(systemsUnbindAllAction, ctx, params('maria.garcia'));
    const finance = objectId(emulator, 'usergroups', 'Finance Team');
    expect(result.changed).toBe(false);
    expect(result.output?.unbound).toBe(0);
    expect(result.output?.via_groups.map((v) => v.system.name).sort()).toEqual(['FIN-WS-01', 'FIN-WS-02']);
    expect(result.output?.via_groups.every((v) => v.group.id === finance && v.group.name === 'Finance Team' && !v.group.dynamic)).toBe(true);
    expect(ctx.recorded).toContainEqual(
      expect.objectContaining({
        target: `system "FIN-WS-01" (${objectId(emulator, 'systems', 'FIN-WS-01')}) through user group "Finance Team" (${finance})`,
        operation: 'report',
        result: 'reported',
        note: expect.stringContaining('via system group "Finance Workstations"'),
      }),
    );
    expect(mutatingRequests(emulator)).toEqual([]);
    // Once the membership is gone, so is the access.
    await runStep(groupsRemoveAllAction, emulatorContext(emulator), params('maria.garcia'));
    expect((await runStep(systemsUnbindAllAction, emulatorContext(emulator), params('maria.garcia'))).output?.via_groups).toEqual([]);
  });

  it('marks access through a dynamic group as such', async () => {
    const result = await runStep(systemsUnbindAllAction, emulatorContext(emulator), params('sam.rivera'));
    expect(result.output?.via_groups.map((v) => [v.system.name, v.group.name, v.group.dynamic]).sort()).toEqual([
      ['staging-web-01', 'Contractors (automatic)', true],
      ['staging-web-02', 'Contractors (automatic)', true],
    ]);
  });

  it('unbinds a direct system-group binding too, as type system_group', async () => {
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey });
    const lee = userId(emulator, 'lee.wong');
    const production = objectId(emulator, 'systemgroups', 'Production Servers');
    await client.addUserAssociation(lee, 'system_group', production);
    const plan = await planStep(systemsUnbindAllAction, emulatorContext(emulator, { dryRun: true }), { user_id: lee, connection: 'jumpcloud' });
    expect(plan.changes.filter((c) => c.operation === 'unbind').map((c) => c.target)).toEqual([`system group "Production Servers" (${production})`]);
    const result = await runStep(systemsUnbindAllAction, emulatorContext(emulator), { user_id: lee, connection: 'jumpcloud' });
    expect(result.output).toMatchObject({ unbound: 1, systems: [{ id: production, name: 'Production Servers', type: 'system_group' }] });
    expect(emulator.state.associations(lee).filter((e) => e.toType === 'system_group')).toEqual([]);
  });
});
