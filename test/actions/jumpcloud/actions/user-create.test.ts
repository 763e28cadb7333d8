import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../../engine/errors/index.js';
import { isKnownAfterRun, type KnownAfterRun } from '../../../../engine/plugin-api/known-after-run.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userCreateAction } from '../../../../actions/jumpcloud/actions/user-create.js';
import { MADE_BEFORE_INTERRUPTION } from '../../../../actions/jumpcloud/actions/change-intent.js';
import { compileOutputValidator, compileParamsValidator } from './support/params-validator.js';
import { emulatorContext, killedAfterTheCalls, loadExampleOrg, mutatingRequests, outcomesOf, planStep, runStep, userId } from './support/emulator-context.js';

let emulator: RunningEmulator;
let grace: string;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'user-create' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  grace = userId(emulator, 'grace.lee');
});

/** A new hire, her manager by email; state left to the default (STAGED). */
const params = () => ({
  username: 'ava.stone',
  email: 'ava.stone@company.com',
  firstname: 'Ava',
  lastname: 'Stone',
  department: 'Engineering',
  jobTitle: 'Backend Engineer',
  employeeIdentifier: 'E1200',
  manager: 'Grace.Lee@company.com',
  attributes: { start_date: '2027-01-04' },
  state: 'STAGED' as const,
  update_existing: false,
  connection: 'jumpcloud',
});
const expectedFields = () => [
  { field: 'username', before: null, after: 'ava.stone' },
  { field: 'email', before: null, after: 'ava.stone@company.com' },
  { field: 'state', before: null, after: 'STAGED' },
  { field: 'firstname', before: null, after: 'Ava' },
  { field: 'lastname', before: null, after: 'Stone' },
  { field: 'department', before: null, after: 'Engineering' },
  { field: 'jobTitle', before: null, after: 'Backend Engineer' },
  { field: 'employeeIdentifier', before: null, after: 'E1200' },
  { field: 'attributes.start_date', before: null, after: '2027-01-04' },
  { field: 'manager', before: null, after: { id: grace, name: 'grace.lee' } },
];
const NEW_TARGET = 'user "ava.stone" (new)';

describe('jumpcloud.user.create', () => {
  it('plans the creation naming the user and every field, the manager by name, without one mutating request', async () => {
    const plan = await planStep(userCreateAction, emulatorContext(emulator, { dryRun: true }), params());
    expect(plan.changes).toEqual([{ target: NEW_TARGET, operation: 'create_user', after: { type: 'user', ...Object.fromEntries(expectedFields().map((f) => [f.field, f.after])) } }]);
    expect(plan.output).toMatchObject({ outcome: 'created', fields: expectedFields(), user: { username: 'ava.stone', state: 'STAGED', manager_id: grace } });
    expect(plan.summary).toBe('would create ava.stone <ava.stone@company.com>, STAGED');
    // The id JumpCloud will give is known only after the run: it carries what the plan knows of the
    // user, for the later steps' plans (the manager's email too, for the manager's notification).
    const user = (plan.output as { user: Record<string, unknown> }).user;
    expect(isKnownAfterRun(user['id'])).toBe(true);
    expect(String(user['id'])).toBe('(known after run: id of the new user ava.stone)');
    expect((user['id'] as KnownAfterRun).planned).toMatchObject({ kind: 'jumpcloud.user', username: 'ava.stone', email: 'ava.stone@company.com', manager_username: 'grace.lee', manager_email: 'grace.lee@company.com' });
    expect(compileOutputValidator(userCreateAction)({ ...(plan.output as object), user: { ...user, id: 'known after run' } })).toEqual([]);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('creates the user with one POST after its intent, never with a password; a second run finds it unchanged with no mutating call', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(userCreateAction, ctx, params());
    const created = emulator.state.user('ava.stone');
    expect(created).toMatchObject({ state: 'STAGED', activated: false, department: 'Engineering', manager: grace, attributes: [{ name: 'start_date', value: '2027-01-04' }] });
    expect(created?.['password_date']).toBeUndefined();
    expect(result).toMatchObject({ changed: true, output: { outcome: 'created', fields: expectedFields(), user: { id: created?._id, state: 'STAGED', manager_username: 'grace.lee' } } });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/systemusers']);
    expect(outcomesOf(ctx.recorded).map((c) => [c.target, c.result])).toEqual([[NEW_TARGET, 'changed']]);
    expect(emulator.state.events().filter((e) => e.event_type === 'user_create').map((e) => e.resource.username)).toEqual(['ava.stone']);

    const from = emulator.requests().length;
    const again = await runStep(userCreateAction, emulatorContext(emulator), params());
    expect(again).toMatchObject({ changed: false, output: { outcome: 'unchanged', fields: [], user: { id: created?._id } }, summary: 'unchanged: ava.stone already exists with these values' });
    expect(mutatingRequests(emulator, from)).toEqual([]);
    const plan = await planStep(userCreateAction, emulatorContext(emulator, { dryRun: true }), params());
    expect(plan).toMatchObject({ changes: [], output: { outcome: 'unchanged' } });
    const validOutput = compileOutputValidator(userCreateAction);
    for (const output of [result.output, again.output, plan.output]) expect(validOutput(output)).toEqual([]);
  });

  it('creates an ACTIVATED user when asked', async () => {
    const result = await runStep(userCreateAction, emulatorContext(emulator), { ...params(), state: 'ACTIVATED' as const });
    expect(result.output?.user.state).toBe('ACTIVATED');
    expect(emulator.state.user('ava.stone')).toMatchObject({ state: 'ACTIVATED', activated: true });
  });

  it('a user already there with other values is a conflict naming each field, before any change; update_existing updates them', async () => {
    await runStep(userCreateAction, emulatorContext(emulator), params());
    const id = userId(emulator, 'ava.stone');
    const from = emulator.requests().length;
    const changed = { ...params(), jobTitle: 'Senior Backend Engineer', attributes: { start_date: '2027-01-11' } };
    const error = await runStep(userCreateAction, emulatorContext(emulator), changed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      code: 'JUMPCLOUD_USER_CONFLICT',
      message: `jumpcloud.user.create: user ava.stone <ava.stone@company.com> (${id}) already exists with other values: jobTitle "Backend Engineer" → "Senior Backend Engineer"; attributes.start_date "2027-01-04" → "2027-01-11". Nothing was changed; set update_existing: true to update them, or change the step's values`,
    });
    await expect(planStep(userCreateAction, emulatorContext(emulator, { dryRun: true }), changed)).rejects.toMatchObject({ code: 'JUMPCLOUD_USER_CONFLICT' });
    expect(mutatingRequests(emulator, from)).toEqual([]);

    const plan = await planStep(userCreateAction, emulatorContext(emulator, { dryRun: true }), { ...changed, update_existing: true });
    expect(plan.changes).toEqual([
      {
        target: `user "ava.stone" (${id})`,
        operation: 'update_user',
        before: { id, name: 'ava.stone', type: 'user', jobTitle: 'Backend Engineer', 'attributes.start_date': '2027-01-04' },
        after: { id, name: 'ava.stone', type: 'user', jobTitle: 'Senior Backend Engineer', 'attributes.start_date': '2027-01-11' },
      },
    ]);
    const updated = await runStep(userCreateAction, emulatorContext(emulator), { ...changed, update_existing: true });
    expect(updated).toMatchObject({ changed: true, output: { outcome: 'updated', user: { id } }, summary: 'updated ava.stone: jobTitle, attributes.start_date' });
    expect(mutatingRequests(emulator, from).map((r) => `${r.method} ${r.path}`)).toEqual([`PUT /api/systemusers/${id}`]);
    expect(emulator.state.user(id)).toMatchObject({ jobTitle: 'Senior Backend Engineer', attributes: [{ name: 'start_date', value: '2027-01-11' }] });
  });

  it('a username and an email of two different users, or one user with only one of them, is a conflict even with update_existing', async () => {
    const two = await runStep(userCreateAction, emulatorContext(emulator), { ...params(), username: 'john.smith', email: 'jane.doe@company.com', update_existing: true }).catch((e: unknown) => e);
    expect(two).toBeInstanceOf(ConflictError);
    expect((two as Error).message).toContain('the username belongs to john.smith <john.smith@company.com>');
    expect((two as Error).message).toContain('and the email to jane.doe <jane.doe@company.com>');
    const one = await runStep(userCreateAction, emulatorContext(emulator), { ...params(), email: 'JOHN.SMITH@company.com', update_existing: true }).catch((e: unknown) => e);
    expect((one as Error).message).toContain(`john.smith <john.smith@company.com> (${userId(emulator, 'john.smith')}) has this email but the username "john.smith"`);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('does not create again after a kill between the POST and its record: the resumed attempt finds the user and counts the creation', async () => {
    const { intents, resumed, from } = await killedAfterTheCalls(emulator, userCreateAction, params());
    expect(intents.map((c) => [c.target, c.operation])).toEqual([[NEW_TARGET, 'create_user']]);
    const result = await runStep(userCreateAction, resumed, params());
    expect(result).toMatchObject({ changed: true, output: { outcome: 'created', fields: expectedFields(), user: { id: userId(emulator, 'ava.stone') } }, summary: 'created ava.stone' });
    expect(resumed.recorded.filter((c) => c.result === 'changed').map((c) => [c.target, c.note])).toEqual([[NEW_TARGET, MADE_BEFORE_INTERRUPTION]]);
    expect(mutatingRequests(emulator, from)).toEqual([]);
    expect(emulator.state.users().filter((u) => u.username === 'ava.stone')).toHaveLength(1);
  });

  it('refuses to update a protected account that already exists unless allow_protected', async () => {
    const options = { connection: { protected_accounts: ['admin@company.com'] } };
    const p = { username: 'admin', email: 'admin@company.com', jobTitle: 'Someone else', update_existing: true, state: 'STAGED' as const, connection: 'jumpcloud' };
    await expect(runStep(userCreateAction, emulatorContext(emulator, options), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    await expect(planStep(userCreateAction, emulatorContext(emulator, { ...options, dryRun: true }), p)).rejects.toMatchObject({ code: 'PROTECTED_ACCOUNT' });
    expect(mutatingRequests(emulator)).toEqual([]);
    expect(await runStep(userCreateAction, emulatorContext(emulator, options), { ...p, allow_protected: true })).toMatchObject({ changed: true, output: { outcome: 'updated' } });
  });

  it('an unknown manager stops the step before any change', async () => {
    const error = await runStep(userCreateAction, emulatorContext(emulator), { ...params(), manager: 'nobody@company.com' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe('jumpcloud.user.create: manager "nobody@company.com": no JumpCloud user has this id, username or email');
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('refuses bad parameters before any call: a password, no email, a bad username or email, a state it cannot create', () => {
    const validate = compileParamsValidator(userCreateAction);
    expect(validate({ username: 'a', email: 'a@company.com', password: 'S3cret!' })).toEqual([' must NOT have additional properties (password)']);
    expect(validate({ username: 'a' })).toEqual([" must have required property 'email'"]);
    expect(validate({ username: 'a b', email: 'a@company.com' })).toEqual(['/username must match pattern "^[^\\s@]+$"']);
    expect(validate({ username: 'a', email: 'a@' })).toEqual(['/email must match format "email"']);
    expect(validate({ username: 'a', email: 'a@company.com', state: 'SUSPENDED' })).toEqual(['/state must be equal to one of the allowed values']);
    expect(validate({ username: 'a', email: 'a@company.com' })).toEqual([]);
  });
});
