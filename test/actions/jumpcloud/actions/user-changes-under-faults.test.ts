import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userCreateAction } from '../../../../actions/jumpcloud/actions/user-create.js';
import { userUpdateAction } from '../../../../actions/jumpcloud/actions/user-update.js';
import { userSetStateAction } from '../../../../actions/jumpcloud/actions/user-set-state.js';
import { emulatorContext, loadExampleOrg, runLikeTheEngine } from './support/emulator-context.js';

// A new hire created, changed and activated while the emulator rate-limits (429 with
// Retry-After), fails at random (500/502/503) and drops connections. The client retries what it
// may (reads, the PUT, the unlock), never the create or the activation; when a step fails it is
// retried like the engine does, with the changes earlier attempts recorded. The user must be
// created once, changed once and activated once.

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'user-storm' });
});
afterAll(() => emulator.close());

const context = ({ earlierChanges, attempt }: { earlierChanges: import('../../../../engine/plugin-api/action.js').Change[]; attempt: number }) =>
  // Two tries per request in the client, so whole steps fail now and then and are retried.
  emulatorContext(emulator, { earlierChanges, attempt, connection: { retry_attempts: 2 } });

describe('creating, changing and activating a user under a 429 storm, random 5xx and dropped connections', () => {
  it('creates it once, changes it once, activates it once, and reports each', async () => {
    emulator.setFaults({ rateLimit: 25, failRate: 0.25, dropRate: 0.05 });
    const created = await runLikeTheEngine(userCreateAction, {
      username: 'storm.hire', email: 'storm.hire@company.com', firstname: 'Storm', lastname: 'Hire', department: 'Sales', manager: 'david.kim', state: 'STAGED', update_existing: false, connection: 'jumpcloud',
    }, context);
    const id = created.result.output?.user.id as string;
    const updated = await runLikeTheEngine(userUpdateAction, { user_id: id, jobTitle: 'Account Executive', attributes: { region: 'EMEA' }, connection: 'jumpcloud' }, context);
    const activated = await runLikeTheEngine(userSetStateAction, { user_id: id, state: 'activated', connection: 'jumpcloud' }, context);
    emulator.setFaults({ rateLimit: 0, failRate: 0, dropRate: 0 });
    // The storm did hit these steps.
    expect(emulator.requests().filter((r) => r.fault !== undefined).length).toBeGreaterThan(0);

    expect(created.result).toMatchObject({ changed: true, output: { outcome: 'created' } });
    expect(updated.result).toMatchObject({ changed: true, output: { changed_fields: [{ field: 'jobTitle', before: '', after: 'Account Executive' }, { field: 'attributes.region', before: null, after: 'EMEA' }] } });
    expect(activated.result).toMatchObject({ changed: true, output: { previous_state: 'STAGED', user: { state: 'ACTIVATED' } } });
    const events = emulator.state.events().filter((e) => e.resource.id === id || e.resource.username === 'storm.hire');
    expect(events.map((e) => e.event_type)).toEqual(['user_create', 'user_update', 'user_activated']);
    expect(emulator.state.users().filter((u) => u.username === 'storm.hire')).toHaveLength(1);
    expect(emulator.state.user(id)).toMatchObject({ state: 'ACTIVATED', jobTitle: 'Account Executive', attributes: [{ name: 'region', value: 'EMEA' }] });
    for (const run of [created, updated, activated]) {
      const made = run.changes.filter((c) => c.result === 'changed').map((c) => `${c.operation} ${c.target}`);
      expect(new Set(made).size).toBe(made.length);
      expect(made).toHaveLength(1);
    }
  });
});
