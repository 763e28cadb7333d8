import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { createJumpCloudClient } from '../../../../actions/jumpcloud/client/jumpcloud-client.js';
import { applicationsRevokeAllAction } from '../../../../actions/jumpcloud/actions/applications-revoke-all.js';
import { emulatorContext, outcomesOf, loadExampleOrg, mutatingRequests, objectId, userId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'applications' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

describe('jumpcloud.user.applications.revoke_all', () => {
  it('revokes direct applications and reports those that come through groups', async () => {
    // sam.rivera: GitHub directly; Slack and Jira through the dynamic Contractors group.
    const sam = userId(emulator, 'sam.rivera');
    const github = objectId(emulator, 'applications', 'GitHub');
    const plan = await planStep(applicationsRevokeAllAction, emulatorContext(emulator, { dryRun: true }), { user_id: sam, connection: 'jumpcloud' });
    expect(plan.changes.map((c) => [c.operation, c.target, c.result ?? 'changed'])).toEqual(
      expect.arrayContaining([
        ['revoke', `application "GitHub" (${github})`, 'changed'],
        ['report', expect.stringMatching(/^application "Slack" \(\w+\) through user group "Contractors \(automatic\)"/), 'reported'],
        ['report', expect.stringMatching(/^application "Jira" /), 'reported'],
      ]),
    );
    expect(mutatingRequests(emulator)).toEqual([]);
    const ctx = emulatorContext(emulator);
    const result = await runStep(applicationsRevokeAllAction, ctx, { user_id: sam, connection: 'jumpcloud' });
    expect(result.changed).toBe(true);
    expect(result.output?.revoked).toBe(1);
    expect(result.output?.applications).toEqual([{ id: github, name: 'GitHub' }]);
    expect(result.output?.via_groups.map((v) => `${v.application.name}/${v.group.name}/${v.group.dynamic}`).sort()).toEqual([
      'Jira/Contractors (automatic)/true',
      'Slack/Contractors (automatic)/true',
    ]);
    expect(ctx.recorded.filter((c) => c.result === 'changed')).toEqual([
      {
        target: `application "GitHub" (${github})`,
        operation: 'revoke',
        before: { id: github, name: 'GitHub', type: 'application', bound: true },
        after: { id: github, name: 'GitHub', type: 'application', bound: false },
        result: 'changed',
      },
    ]);
    expect(emulator.state.associations(sam)).toEqual([]);
    const again = await runStep(applicationsRevokeAllAction, emulatorContext(emulator), { user_id: sam, connection: 'jumpcloud' });
    expect(again).toMatchObject({ changed: false, output: { revoked: 0, applications: [] } });
  });

  it('after a kill with four revocations in flight and made, the resumed step counts all six', async () => {
    const john = userId(emulator, 'john.smith');
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: emulator.apiKey });
    const plan = await planStep(applicationsRevokeAllAction, emulatorContext(emulator, { dryRun: true }), { user_id: john, connection: 'jumpcloud' });
    const revocations = plan.changes.filter((c) => c.operation === 'revoke');
    expect(revocations).toHaveLength(6);
    // Four intents recorded, four revocations made by JumpCloud, the process killed before any outcome.
    for (const change of revocations.slice(0, 4)) await client.removeUserAssociation(john, 'application', (change.before as { id: string }).id);
    const from = emulator.requests().length;
    const resumed = emulatorContext(emulator, { earlierChanges: revocations.slice(0, 4).map((c) => ({ ...c, result: 'started' as const })), attempt: 2 });
    const result = await runStep(applicationsRevokeAllAction, resumed, { user_id: john, connection: 'jumpcloud' });
    expect(result).toMatchObject({ changed: true, output: { revoked: 6 }, summary: 'revoked 6 applications' });
    expect(outcomesOf(resumed.recorded.filter((c) => c.note === undefined || !c.note.includes('made before the interruption'))).filter((c) => c.operation === 'revoke')).toHaveLength(2);
    expect(mutatingRequests(emulator, from)).toHaveLength(2);
    // Run again from scratch: nothing left, zero counted.
    expect(await runStep(applicationsRevokeAllAction, emulatorContext(emulator), { user_id: john, connection: 'jumpcloud' })).toMatchObject({ changed: false, output: { revoked: 0 } });
  });
});
