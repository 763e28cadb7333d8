import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { radiusRemoveAction } from '../../../../actions/jumpcloud/actions/radius-remove.js';
import { emulatorContext, loadExampleOrg, objectId, userId, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'radius' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

describe('jumpcloud.user.radius.remove', () => {
  it('removes a direct RADIUS binding by name', async () => {
    const john = userId(emulator, 'john.smith');
    const wifi = objectId(emulator, 'radiusservers', 'Office Wi-Fi');
    const result = await runStep(radiusRemoveAction, emulatorContext(emulator), { user_id: john, connection: 'jumpcloud' });
    expect(result).toEqual({ changed: true, output: { removed: 1, servers: [{ id: wifi, name: 'Office Wi-Fi' }], via_groups: [] }, summary: 'removed from 1 RADIUS server' });
    expect(emulator.state.associations(john).filter((e) => e.toType === 'radius_server')).toEqual([]);
  });

  it('reports RADIUS access through a group without counting it', async () => {
    const result = await runStep(radiusRemoveAction, emulatorContext(emulator), { user_id: userId(emulator, 'maria.garcia'), connection: 'jumpcloud' });
    expect(result.changed).toBe(false);
    expect(result.output).toEqual({
      removed: 0,
      servers: [],
      via_groups: [{ server: { id: objectId(emulator, 'radiusservers', 'VPN RADIUS'), name: 'VPN RADIUS' }, group: { id: objectId(emulator, 'usergroups', 'Finance Team'), name: 'Finance Team', dynamic: false } }],
    });
  });
});
