import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../../engine/plugin-api/json-schema.js';
import type { SystemUser } from '../types.js';
import { makeChange, settleIntents } from './change-intent.js';
import { madeChange, objectState } from './change-tally.js';
import { openJumpCloud, type JumpCloudSession } from './client-for-context.js';
import { connectionOf, connectionProperties } from './common-params.js';
import { targetLabel } from './names.js';
import { allowProtectedProperty, guardProtected } from './protected-accounts.js';
import { readUserIfExists } from './read-user.js';
import { onRunSnapshot } from './run-snapshots.js';
import { plannedUserOf } from './planned-user.js';
import { findOneUser, userRefProperty } from './user-ref.js';
import { isSuspended, userName, userState, userSummary, userSummarySchema, type UserSummary } from './user-summary.js';

const ID = 'jumpcloud.user.set_state';

const params = {
  type: 'object',
  description: 'Activates or suspends one user, and/or unlocks it; a user already as asked is left as it is.',
  properties: {
    user_id: userRefProperty,
    state: {
      type: 'string',
      enum: ['activated', 'suspended'],
      description:
        'activated: a STAGED user is activated (JumpCloud then sends its welcome or activation email, see activation_email) and a SUSPENDED one restored; suspended: the account is suspended (as jumpcloud.user.deactivate mode disable does, without scheduling a deletion).',
    },
    unlock: { type: 'boolean', description: 'true: clear the lockout that too many failed logins set (a user not locked is left as it is).' },
    activation_email: {
      anyOf: [{ type: 'boolean' }, { type: 'string', format: 'email' }],
      description:
        "Only when a STAGED user is activated: true (the default) lets JumpCloud send its welcome or activation email as usual, false sends none, an address sends it there instead.",
    },
    allow_protected: allowProtectedProperty,
    ...connectionProperties,
  },
  required: ['user_id'],
  // A step that asks for nothing would be a no-op nobody meant: it must set state or unlock: true.
  if: { not: { required: ['state'] } },
  then: { required: ['unlock'], properties: { unlock: { const: true } } },
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** What `jumpcloud.user.set_state` returns. */
export interface SetStateOutput {
  /** The user after the step. */
  user: UserSummary;
  /** The state before this step (`STAGED`, `ACTIVATED`, `SUSPENDED`), an interrupted attempt's included. */
  previous_state: string;
  /** True when this step cleared a lockout. */
  unlocked: boolean;
}

const outputSchema = {
  type: 'object',
  properties: { user: userSummarySchema, previous_state: { type: 'string', enum: ['STAGED', 'ACTIVATED', 'SUSPENDED'] }, unlocked: { type: 'boolean' } },
  required: ['user', 'previous_state', 'unlocked'],
  additionalProperties: false,
} as const;

const ACTIVATE = 'activate';
const SUSPEND = 'suspend';
const UNLOCK = 'unlock';

function refOf(user: SystemUser) {
  return { id: user._id, name: userName(user) };
}

function stateChange(user: SystemUser, operation: typeof ACTIVATE | typeof SUSPEND): Change {
  const after = operation === ACTIVATE ? 'ACTIVATED' : 'SUSPENDED';
  return {
    target: targetLabel('user', refOf(user)),
    operation,
    before: objectState('user', refOf(user), { state: userState(user), suspended: isSuspended(user) }),
    after: objectState('user', refOf(user), { state: after, suspended: after === 'SUSPENDED' }),
  };
}

function unlockChange(user: SystemUser): Change {
  return {
    target: targetLabel('user', refOf(user)),
    operation: UNLOCK,
    before: objectState('user', refOf(user), { account_locked: true }),
    after: objectState('user', refOf(user), { account_locked: false }),
  };
}

/** The state change `p` asks of `user`, or undefined when it is already so. */
function stateOperation(user: SystemUser, p: Pick<Params, 'state'>): typeof ACTIVATE | typeof SUSPEND | undefined {
  if (p.state === 'activated') return userState(user) === 'ACTIVATED' ? undefined : ACTIVATE;
  if (p.state === 'suspended') return isSuspended(user) ? undefined : SUSPEND;
  return undefined;
}

const needsUnlock = (user: SystemUser, p: Pick<Params, 'unlock'>): boolean => p.unlock === true && user.account_locked === true;

/** What the step does to a protected account, for the guard's message. */
function doing(p: Pick<Params, 'state' | 'unlock'>): string {
  const parts = [p.state === undefined ? undefined : p.state, p.unlock === true ? 'unlocked' : undefined].filter((part) => part !== undefined);
  return parts.join(' or ');
}

/** The email option of the activation of a staged user. */
function emailOption(p: Params): { email?: false | string } {
  if (p.activation_email === false) return { email: false };
  if (typeof p.activation_email === 'string') return { email: p.activation_email };
  return {};
}

/** The state recorded before an earlier attempt of this step changed it, if one did. */
function earlierState(ctx: Pick<ActionContext, 'changes'>): string | undefined {
  for (const operation of [ACTIVATE, SUSPEND]) {
    const before = madeChange(ctx, operation)?.before as Record<string, unknown> | undefined;
    if (typeof before?.['state'] === 'string') return before['state'];
  }
  return undefined;
}

async function summaryOf(session: JumpCloudSession, user: SystemUser): Promise<UserSummary> {
  const managerId = typeof user.manager === 'string' && user.manager !== '' ? user.manager : undefined;
  return userSummary(user, managerId === undefined ? undefined : await readUserIfExists(session.client, managerId));
}

function describe(operation: string | undefined, unlock: boolean, user: SystemUser, would: boolean): string {
  const verbs = [
    operation === ACTIVATE ? (would ? 'activate' : 'activated') : operation === SUSPEND ? (would ? 'suspend' : 'suspended') : undefined,
    unlock ? (would ? 'unlock' : 'unlocked') : undefined,
  ].filter((verb) => verb !== undefined);
  if (verbs.length === 0) return `unchanged: ${userName(user)} is already ${userState(user)}${user.account_locked === true ? ' (locked)' : ''}`;
  return `${would ? 'would ' : ''}${verbs.join(' and ')} ${userName(user)}`;
}

/** `jumpcloud.user.set_state`: activates, suspends or unlocks one user. */
export const userSetStateAction = defineAction({
  id: ID,
  description:
    'Activate (a STAGED user, or restore a SUSPENDED one), suspend, and/or unlock a JumpCloud user; a user already as asked is left as it is; protected accounts are refused',
  params,
  output: outputSchema,
  examples: [
    { description: 'Activate the new hire on the start date, without JumpCloud\'s activation email', with: { user_id: '{{steps.create.output.user.id}}', state: 'activated', activation_email: false } },
    { description: 'Unlock a user locked out by failed logins', with: { user_id: '{{inputs.user_identifier}}', unlock: true } },
  ],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    const found = await findOneUser(client, p.user_id, `${ID}: user_id`);
    return onRunSnapshot(ctx, client, found._id, async (snapshot) => {
      guardProtected(ctx, session, found, p.allow_protected, doing(p));
      let user = found;
      const operation = stateOperation(user, p);
      if (operation === ACTIVATE) {
        ctx.logger.info(`Activating JumpCloud user "${userName(user)}" (${user._id}), ${userState(user)}`);
        const staged = userState(user) === 'STAGED';
        await makeChange(ctx, stateChange(user, ACTIVATE), async () => {
          if (staged) await client.activateStagedUser(user._id, emailOption(p));
          else user = await client.activateUser(user._id);
          return true;
        });
        if (staged) user = await client.getUser(user._id);
      } else if (operation === SUSPEND) {
        ctx.logger.info(`Suspending JumpCloud user "${userName(user)}" (${user._id})`);
        await makeChange(ctx, stateChange(user, SUSPEND), async () => {
          user = await client.suspendUser(user._id);
          return true;
        });
      }
      if (needsUnlock(user, p)) {
        ctx.logger.info(`Unlocking JumpCloud user "${userName(user)}" (${user._id})`);
        await makeChange(ctx, unlockChange(user), async () => {
          await client.unlockUser(user._id);
          return true;
        });
        user = await client.getUser(user._id);
      }
      // A change an interrupted attempt made (its intent open) is found as asked now: counted here.
      settleIntents(ctx, [ACTIVATE, SUSPEND, UNLOCK]);
      snapshot.replaceUser(user);
      const stateChanged = madeChange(ctx, ACTIVATE) !== undefined ? ACTIVATE : madeChange(ctx, SUSPEND) !== undefined ? SUSPEND : undefined;
      const unlocked = madeChange(ctx, UNLOCK) !== undefined;
      const output: SetStateOutput = { user: await summaryOf(session, user), previous_state: earlierState(ctx) ?? userState(found), unlocked };
      return { changed: stateChanged !== undefined || unlocked, output, summary: describe(stateChanged, unlocked, user, false) };
    });
  },
  // The user an earlier step would create (its id known only after the run) is planned in the state it is created in.
  plansKnownAfterRun: ['user_id'],
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const planned = plannedUserOf(p.user_id);
    const user = planned?.record ?? await findOneUser(session.client, p.user_id as string, `${ID}: user_id`);
    guardProtected(ctx, session, user, p.allow_protected, doing(p));
    const operation = stateOperation(user, p);
    const unlock = needsUnlock(user, p);
    const changes = [...(operation === undefined ? [] : [stateChange(user, operation)]), ...(unlock ? [unlockChange(user)] : [])];
    const summary = planned?.summary ?? await summaryOf(session, user);
    const output = { user: summary, previous_state: userState(user), unlocked: unlock };
    const described = describe(operation, unlock, user, true);
    return { changes, output, summary: planned === undefined ? described : described.replace(userName(user), planned.label) };
  },
});
