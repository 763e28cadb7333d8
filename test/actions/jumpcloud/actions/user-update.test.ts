import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError } from '../../../../engine/errors/index.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userUpdateAction } from '../../../../actions/jumpcloud/actions/user-update.js';
import { MADE_BEFORE_INTERRUPTION } from '../../../../actions/jumpcloud/actions/change-intent.js';
import { compileOutputValidator, compileParamsValidator } from './support/params-validator.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, outcomesOf, planStep, runStep, userId } from './support/emulator-context.js';

let emulator: RunningEmulator;
let john: string;
let jane: string;
let grace: string;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'user-update' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  john = userId(emulator, 'john.smith');
  jane = userId(emulator, 'jane.doe');
  grace = userId(emulator, 'grace.lee');
});

const target = () => `user "john.smith" (${john})`;
/** john.smith: Engineering, Senior Backend Engineer, manager jane.doe, attributes costCenterCode and badgeNumber. */
const params = () => ({
  user_id: 'john.smith',
  jobTitle: 'Staff Backend Engineer',
  department: 'Engineering',
  manager: 'grace.lee@company.com',
  attributes: { badgeNumber: null, desk: '4F-12', costCenterCode: 'ENG-100' },
  connection: 'jumpcloud',
});
const expectedFields = () => [
  { field: 'jobTitle', before: 'Senior Backend Engineer', after: 'Staff Backend Engineer' },
  { field: 'attributes.badgeNumber', before: 'B-20417', after: null },
  { field: 'attributes.desk', before: null, after: '4F-12' },
  { field: 'manager', before: { id: jane, name: 'jane.doe' }, after: { id: grace, name: 'grace.lee' } },
];

describe('jumpcloud.user.update', () => {
  it('plans by name with each differing field before and after, without one mutating request', async () => {
    const plan = await planStep(userUpdateAction, emulatorContext(emulator, { dryRun: true }), params());
    expect(plan.output?.changed_fields).toEqual(expectedFields());
    expect(plan.changes).toEqual([
      {
        target: target(),
        operation: 'update_user',
        before: { id: john, name: 'john.smith', type: 'user', jobTitle: 'Senior Backend Engineer', 'attributes.badgeNumber': 'B-20417', 'attributes.desk': null, manager: { id: jane, name: 'jane.doe' } },
        after: { id: john, name: 'john.smith', type: 'user', jobTitle: 'Staff Backend Engineer', 'attributes.badgeNumber': null, 'attributes.desk': '4F-12', manager: { id: grace, name: 'grace.lee' } },
      },
    ]);
    expect(plan.summary).toBe('would update 4 fields: jobTitle, attributes.badgeNumber, attributes.desk, manager');
    expect(compileOutputValidator(userUpdateAction)(plan.output)).toEqual([]);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('changes them with one PUT after its intent, merging attributes by name; a second run makes no mutating call', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(userUpdateAction, ctx, params());
    expect(result.changed).toBe(true);
    expect(result.output?.changed_fields).toEqual(expectedFields());
    expect(result.output?.user).toMatchObject({ id: john, username: 'john.smith', manager_id: grace, manager_username: 'grace.lee' });
    expect(result.summary).toBe('updated 4 fields: jobTitle, attributes.badgeNumber, attributes.desk, manager');
    const puts = mutatingRequests(emulator);
    expect(puts.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /api/systemusers/${john}`]);
    const user = emulator.state.user(john);
    expect(user).toMatchObject({ jobTitle: 'Staff Backend Engineer', department: 'Engineering', manager: grace });
    // Kept in their order, the removed one gone, the new one last.
    expect(user?.['attributes']).toEqual([{ name: 'costCenterCode', value: 'ENG-100' }, { name: 'desk', value: '4F-12' }]);
    expect(outcomesOf(ctx.recorded).map((c) => [c.target, c.operation, c.result])).toEqual([[target(), 'update_user', 'changed']]);
    expect(emulator.state.events().filter((e) => e.event_type === 'user_update' && e.resource.id === john)).toHaveLength(1);

    const from = emulator.requests().length;
    const again = await runStep(userUpdateAction, emulatorContext(emulator), params());
    expect(again).toMatchObject({ changed: false, output: { changed_fields: [] }, summary: 'unchanged: every field already as asked' });
    expect(mutatingRequests(emulator, from)).toEqual([]);
    const validOutput = compileOutputValidator(userUpdateAction);
    for (const output of [result.output, again.output]) expect(validOutput(output)).toEqual([]);
  });

  it('takes the user by id or email too, sets phone numbers and email, and clears the manager with null', async () => {
    const result = await runStep(userUpdateAction, emulatorContext(emulator), {
      user_id: 'JOHN.SMITH@company.com', email: 'john.smith@newco.com', phoneNumbers: [{ type: 'mobile', number: '+1 720 555 0100' }], manager: null, connection: 'jumpcloud',
    });
    expect(result.output?.changed_fields).toEqual([
      { field: 'email', before: 'john.smith@company.com', after: 'john.smith@newco.com' },
      { field: 'phoneNumbers', before: [{ type: 'work', number: '+1 303 555 0142' }], after: [{ type: 'mobile', number: '+1 720 555 0100' }] },
      { field: 'manager', before: { id: jane, name: 'jane.doe' }, after: null },
    ]);
    expect(emulator.state.user(john)).toMatchObject({ email: 'john.smith@newco.com', phoneNumbers: [expect.objectContaining({ type: 'mobile', number: '+1 720 555 0100' })] });
    expect(emulator.state.user(john)?.manager).toBeUndefined();
    const byId = await runStep(userUpdateAction, emulatorContext(emulator), { user_id: john, email: 'John.Smith@NEWCO.com', connection: 'jumpcloud' });
    expect(byId).toMatchObject({ changed: false, output: { changed_fields: [] } });
  });

  it('counts the PUT a killed attempt made after recording only its intent, making no call again', async () => {
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, userUpdateAction, params());
    expect(intents.map((c) => [c.target, c.operation])).toEqual([[target(), 'update_user']]);
    const result = await runStep(userUpdateAction, resumed, params());
    expect(result).toMatchObject({ changed: true, output: { changed_fields: expectedFields() } });
    expect(resumed.recorded.filter((c) => c.result === 'changed').map((c) => [c.target, c.note])).toEqual([[target(), MADE_BEFORE_INTERRUPTION]]);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('refuses a protected account unless allow_protected, in plan and run, before any change', async () => {
    const p = { user_id: 'admin', jobTitle: 'Someone else', connection: 'jumpcloud' };
    const options = { connection: { protected_accounts: ['admin@company.com'] } };
    await expect(runStep(userUpdateAction, emulatorContext(emulator, options), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    await expect(planStep(userUpdateAction, emulatorContext(emulator, { ...options, dryRun: true }), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    expect(mutatingRequests(emulator)).toEqual([]);
    const allowed = await runStep(userUpdateAction, emulatorContext(emulator, options), { ...p, allow_protected: true });
    expect(allowed.changed).toBe(true);
  });

  it('stops before any change for an unknown user or manager, or a manager who is the user', async () => {
    const unknownUser = await runStep(userUpdateAction, emulatorContext(emulator), { user_id: 'nobody', jobTitle: 'x', connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(unknownUser).toBeInstanceOf(NotFoundError);
    expect((unknownUser as Error).message).toBe('jumpcloud.user.update: user_id "nobody": no JumpCloud user has this id, username or email');
    const unknownManager = await runStep(userUpdateAction, emulatorContext(emulator), { user_id: john, jobTitle: 'x', manager: 'no.one@company.com', connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect((unknownManager as Error).message).toBe('jumpcloud.user.update: manager "no.one@company.com": no JumpCloud user has this id, username or email');
    const self = await runStep(userUpdateAction, emulatorContext(emulator), { user_id: john, manager: 'john.smith', connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(self).toBeInstanceOf(PermanentError);
    expect((self as Error).message).toContain('is the user being changed; a user cannot be their own manager');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('refuses bad parameters before any call: an unknown field, a password, a bad email, a blank user', () => {
    const validate = compileParamsValidator(userUpdateAction);
    expect(validate({ user_id: john, password: 'S3cret!' })).toEqual([' must NOT have additional properties (password)']);
    expect(validate({ user_id: john, email: 'not-an-email' })).toContain('/email must match format "email"');
    expect(validate({ user_id: ' ', jobTitle: 'x' })).toContain('/user_id must match pattern "\\S"');
    expect(validate({ user_id: john, attributes: { ' ': 'x' } })).toContain('/attributes property name must be valid');
    expect(validate({ user_id: john, attributes: { badge: 3 } })).toEqual(['/attributes/badge must be string,null']);
    expect(validate({ user_id: john, phoneNumbers: [{ type: 'work' }] })).toContain("/phoneNumbers/0 must have required property 'number'");
    expect(validate(params())).toEqual([]);
  });
});
