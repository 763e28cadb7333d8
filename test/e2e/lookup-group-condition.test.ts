import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../actions/jumpcloud/emulator/index.js';
import { cli, returned } from './support/offboarding.js';
import { mutatingRequests, realOrgWorkspace, startExampleOrg } from './support/real-org.js';

/**
 * A workflow that acts only on members of a group, tested with the condition the README shows:
 * `jumpcloud.user.lookup` returns the names of the user's groups, so membership needs no HTTP
 * call of its own. The example organisation's "Contractors (automatic)" is a dynamic group
 * (sam.rivera and lee.wong); john.smith is not in it.
 */

interface PlanJson {
  steps: Array<{ id: string; status: string }>;
}

const WORKFLOW = `id: suspend-contractor
name: Suspend a contractor
version: "1.0.0"
subject: "{{inputs.user}}"
inputs:
  user: { type: string, required: true }
steps:
  - id: lookup
    action: jumpcloud.user.lookup
    with: { identifier: "{{inputs.user}}" }
  - id: suspend
    if: { "in": ["Contractors (automatic)", { "var": "steps.lookup.output.groups.names" }] }
    action: jumpcloud.user.deactivate
    with: { user_id: "{{steps.lookup.output.user.id}}", mode: disable }
output:
  suspended: "{{steps.suspend.status}}"
`;

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startExampleOrg();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

function setup(): { ws: ReturnType<typeof realOrgWorkspace>; file: string } {
  const ws = realOrgWorkspace({ emulator });
  const file = join(ws.dir, 'suspend-contractor.yaml');
  writeFileSync(file, WORKFLOW);
  return { ws, file };
}

function stateOf(username: string): string | undefined {
  return emulator.state.snapshot().users.find((u) => u.username === username)?.state;
}

describe('a condition on group membership from the lookup', () => {
  it('plans and runs the step for a member of the group (a dynamic one), and skips it for anyone else', async () => {
    const { ws, file } = setup();
    const planOf = async (user: string) => {
      const result = await cli(['plan', file, '--config', ws.config, '--input', `user=${user}`, '--json'], ws);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as PlanJson).steps.find((s) => s.id === 'suspend')?.status;
    };
    expect(await planOf('sam.rivera')).toBe('would_run');
    expect(await planOf('john.smith')).toBe('would_skip');
    expect(mutatingRequests(emulator.requests())).toEqual([]);

    const john = await cli(['run', file, '--config', ws.config, '--input', 'user=john.smith', '--json'], ws);
    expect(john.code, john.stderr).toBe(0);
    expect(returned(john)).toEqual({ suspended: 'skipped' });
    expect(stateOf('john.smith')).toBe('ACTIVATED');
    expect(mutatingRequests(emulator.requests())).toEqual([]);

    const sam = await cli(['run', file, '--config', ws.config, '--input', 'user=sam.rivera', '--json'], ws);
    expect(sam.code, sam.stderr).toBe(0);
    expect(returned(sam)).toEqual({ suspended: 'succeeded' });
    expect(stateOf('sam.rivera')).toBe('SUSPENDED');
  });
});
