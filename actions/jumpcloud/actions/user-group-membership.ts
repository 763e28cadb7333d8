import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import { namedRefSchema, REMOVAL_CONCURRENCY, refsOf } from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { changedObjects, objectState, recordReported } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { forEachLimit } from './for-each-limit.js';
import { plural, targetLabel, type NamedRef } from './names.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { plannedUserOf } from './planned-user.js';
import { onRunSnapshot } from './run-snapshots.js';
import { findGroups, givenGroupsProperty, refOf, splitByMembership, type GivenGroup } from './user-group-refs.js';
import { UserSnapshot } from './user-snapshot.js';

/**
 * What sets `jumpcloud.user.groups.add` apart from `jumpcloud.user.groups.remove`: the two find
 * the groups, guard the user, split the groups by membership, record intents and count the same
 * way, so only the wording, the side of the split acted on and the call differ.
 *
 * `O` is the action's output; its keys are named here too, since the output schema (and the
 * generated `schemas/workflow.schema.json`) lists them.
 */
export interface MembershipDirection<O> {
  /** The action id, also named in the errors of unknown or dynamic groups. */
  id: string;
  /** The action's description. */
  description: string;
  /** The description of the `params` schema. */
  paramsDescription: string;
  /** The description of the action's one example. */
  exampleDescription: string;
  /** The change operation of one membership made or ended. */
  operation: string;
  /** Whether the user is a member of a group once changed: the groups acted on are the others. */
  memberAfter: boolean;
  /** The output key counting the groups changed. */
  changedKey: keyof O & string;
  /** The output key listing the groups left as they were. */
  untouchedKey: keyof O & string;
  /** The output of the groups changed (their count and refs) and of those left as they were. */
  output(changed: number, groups: NamedRef[], untouched: NamedRef[]): O;
  /** The note of the report on a group left as it was. */
  untouchedNote: string;
  /** What the user is, for the protected-account guard and the unknown-group errors: `added`, `removed`. */
  done: string;
  /** The preposition before the groups: `to`, `from`. */
  preposition: string;
  /** The log line's verb: `Adding`, `Removing`. */
  doing: string;
  /** The plan's verb: `add`, `remove`. */
  verb: string;
  /** The summary's words before the count of the groups left as they were: `already in`, `not in`. */
  untouchedSummary: string;
  /** The JumpCloud call that makes the change. */
  call(client: JumpCloudClient, groupId: string, userId: string): Promise<{ changed: boolean }>;
  /** Called after each group changed, to keep the run's snapshot of the user true. */
  afterEach?(snapshot: UserSnapshot, group: NamedRef): void;
  /** Called once the groups to change were changed, when there was any, to keep the run's snapshot true. */
  afterAll?(ctx: Pick<ActionContext, 'runId'>, client: JumpCloudClient, userId: string): void;
}

/**
 * Defines the action that adds the user to, or removes it from, user groups given by name or id,
 * as `direction` says; a group already as asked is reported, with no call.
 */
export function defineUserGroupMembershipAction<O>(direction: MembershipDirection<O>) {
  const { id, operation, memberAfter } = direction;
  const params = {
    type: 'object',
    description: direction.paramsDescription,
    properties: {
      user_id: userIdProperty,
      groups: givenGroupsProperty,
      allow_protected: allowProtectedProperty,
      ...connectionProperties,
    },
    required: ['user_id', 'groups'],
    additionalProperties: false,
  } as const;
  const outputSchema = {
    type: 'object',
    properties: {
      [direction.changedKey]: { type: 'integer', minimum: 0 },
      groups: { type: 'array', items: namedRefSchema },
      [direction.untouchedKey]: { type: 'array', items: namedRefSchema },
    },
    required: [direction.changedKey, 'groups', direction.untouchedKey],
    additionalProperties: false,
  } as const;
  const guardWording = `${direction.done} ${direction.preposition} user groups`;

  function membershipChange(group: NamedRef): Change {
    return {
      target: targetLabel('user_group', group),
      operation,
      before: objectState('user_group', group, { member: !memberAfter }),
      after: objectState('user_group', group, { member: memberAfter }),
    };
  }

  /** A group already as asked: reported, since no call was made (an outcome without an intent would be no change of this step's). */
  function untouchedChange(group: NamedRef): Omit<Change, 'result'> {
    return { target: targetLabel('user_group', group), operation: 'report', note: direction.untouchedNote };
  }

  /** The groups to change and those already as asked, on the side of the split `memberAfter` says. */
  async function split(client: JumpCloudClient, snapshot: UserSnapshot, groups: readonly GivenGroup[]) {
    const { members, nonMembers } = await splitByMembership(client, snapshot, groups);
    return memberAfter ? { toChange: nonMembers, untouched: members } : { toChange: members, untouched: nonMembers };
  }

  const untouchedNote = (count: number): string => (count > 0 ? `; ${direction.untouchedSummary} ${plural(count, 'group')}` : '');

  return defineAction({
    id,
    description: direction.description,
    params,
    output: outputSchema,
    examples: [{ description: direction.exampleDescription, with: { user_id: '{{steps.lookup.output.user.id}}', groups: ['Engineering', 'VPN Users'] } }],
    async run(ctx, p) {
      const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
      const { client } = session;
      return onRunSnapshot(ctx, client, p.user_id, async (snapshot) => {
        await guardUserChange(ctx, session, snapshot, p.allow_protected, guardWording);
        const groups = await findGroups(client, id, p.groups, direction.done);
        const { toChange, untouched } = await split(client, snapshot, groups);
        await forEachLimit(toChange, REMOVAL_CONCURRENCY, async (group) => {
          ctx.logger.info(`${direction.doing} user ${p.user_id} ${direction.preposition} user group "${group.name}" (${group.id})`);
          await makeChange(ctx, membershipChange(group), async () => (await direction.call(client, group.id, p.user_id)).changed);
          direction.afterEach?.(snapshot, group);
        });
        // A group an interrupted attempt changed (its intent open) is found as asked now: counted here.
        settleIntents(ctx, [operation]);
        const changed = changedObjects(ctx, [operation]);
        const changedIds = new Set(changed.map((g) => g.id));
        const left = untouched.filter((g) => !changedIds.has(g.id));
        for (const group of left) recordReported(ctx, untouchedChange(group));
        if (toChange.length > 0) direction.afterAll?.(ctx, client, p.user_id);
        const output = direction.output(changed.length, refsOf(changed), left.map(refOf));
        return { changed: changed.length > 0, output, summary: `${direction.done} ${direction.preposition} ${plural(changed.length, 'group')}${untouchedNote(left.length)}` };
      });
    },
    // The user an earlier step would create (its id known only after the run) is planned as in no group yet.
    plansKnownAfterRun: ['user_id'],
    async plan(ctx, p) {
      const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
      const { client } = session;
      const planned = plannedUserOf(p.user_id);
      const known = planned?.snapshot ?? new UserSnapshot(p.user_id as string);
      await guardUserChange(ctx, session, known, p.allow_protected, guardWording);
      const groups = await findGroups(client, id, p.groups, direction.done);
      const { toChange, untouched } = await split(client, known, groups);
      const changes: Change[] = [...toChange.map(membershipChange), ...untouched.map((g) => ({ ...untouchedChange(g), result: 'reported' as const }))];
      const output = direction.output(toChange.length, toChange.map(refOf), untouched.map(refOf));
      const summary = planned === undefined
        ? `would ${direction.verb} ${direction.preposition} ${plural(toChange.length, 'group')}${untouchedNote(untouched.length)}`
        : `would ${direction.verb} ${planned.label} ${direction.preposition} ${toChange.length === 0 ? 'no group' : toChange.map((g) => g.name).join(', ')}${untouchedNote(untouched.length)}`;
      return { changes, output, summary };
    },
  });
}
