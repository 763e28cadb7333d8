import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../../../engine/plugin-api/action.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userSystemsBindAction } from '../../../../actions/jumpcloud/actions/user-systems-bind.js';
import { userSystemsUnbindAction } from '../../../../actions/jumpcloud/actions/user-systems-unbind.js';
import { systemGroupsAddAction } from '../../../../actions/jumpcloud/actions/system-groups-add.js';
import { systemGroupsRemoveAction } from '../../../../actions/jumpcloud/actions/system-groups-remove.js';
import { emulatorContext, loadExampleOrg, runLikeTheEngine, userId } from './support/emulator-context.js';

// The device actions while the emulator rate-limits (429 with Retry-After), fails at random
// (500/502/503) and drops connections: the client retries a little, then the step is retried
// like the engine does. Every change must reach JumpCloud once and be counted once.

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'device-storm' });
});
afterAll(() => emulator.close());

type Step = ActionDefinition<Record<string, unknown>, Record<string, unknown>>;

describe('device actions under a 429 storm, random 5xx and dropped connections', () => {
  it('land every change exactly once and count right', async () => {
    const priya = userId(emulator, 'priya.patel');
    emulator.setFaults({ rateLimit: 25, failRate: 0.2, dropRate: 0.05 });
    const outputs: Record<string, Record<string, unknown>> = {};
    const attempts: number[] = [];
    const steps: Array<[Step, Record<string, unknown>]> = [
      [userSystemsBindAction as unknown as Step, { user_id: priya, systems: ['ci-runner-01', 'staging-web-01', 'staging-web-02', 'bastion-01'], sudo: { enabled: true, without_password: false } }],
      [userSystemsUnbindAction as unknown as Step, { user_id: priya, systems: ['build-server-01', 'dev-db-01'] }],
      [systemGroupsAddAction as unknown as Step, { systems: ['bastion-01', 'ci-runner-01', 'dev-db-01'], groups: ['Production Servers', 'Staging Servers'] }],
      [systemGroupsRemoveAction as unknown as Step, { systems: ['staging-web-01', 'staging-web-02'], groups: ['Staging Servers'] }],
    ];
    for (const [action, params] of steps) {
      const run = await runLikeTheEngine(action, { connection: 'jumpcloud', ...params }, ({ earlierChanges, attempt }) =>
        emulatorContext(emulator, { earlierChanges, attempt, connection: { retry_attempts: 2 } }),
      );
      attempts.push(run.attempts);
      outputs[action.id] = run.result.output as Record<string, unknown>;
      const made = run.changes.filter((c) => c.result === 'changed').map((c) => `${c.operation} ${c.target}`);
      expect(new Set(made).size, action.id).toBe(made.length);
    }
    emulator.setFaults({ rateLimit: 0, failRate: 0, dropRate: 0 });

    expect(outputs['jumpcloud.user.systems.bind']).toMatchObject({ bound: 4 });
    expect(outputs['jumpcloud.user.systems.unbind']).toMatchObject({ unbound: 2 });
    expect(outputs['jumpcloud.system.groups.add']).toMatchObject({ changed: 6 });
    expect(outputs['jumpcloud.system.groups.remove']).toMatchObject({ changed: 2 });

    const faults = emulator.requests().filter((r) => r.fault !== undefined);
    expect(faults.some((r) => r.fault === 'rate_limit')).toBe(true);
    expect(faults.some((r) => r.fault === 'error')).toBe(true);

    // Each change reached JumpCloud exactly once: one association_change event per edge and op.
    const changes = emulator.state.events().filter((e) => e.event_type === 'association_change').map((e) => JSON.stringify(e.association));
    expect(new Set(changes).size).toBe(changes.length);
    expect(changes).toHaveLength(4 + 2 + 6 + 2);
  });
});
