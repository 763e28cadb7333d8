import type { Change } from '../../../engine/plugin-api/action.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import { readMemberships, type Membership } from './access-snapshot.js';
import { namedRefSchema, REMOVAL_CONCURRENCY, refsOf } from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { changedObjects, objectState, recordReported } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { forEachLimit } from './for-each-limit.js';
import { plural, targetLabel, type NamedRef } from './names.js';
import { onRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Removes the user from every static user group; dynamic groups are reported.',
  properties: { user_id: userIdProperty, allow_protected: allowProtectedProperty, ...connectionProperties },
  required: ['user_id'],
  additionalProperties: false,
} as const;

/** A dynamic group the user stays in (its rule decides). */
export interface DynamicGroupRef extends NamedRef {
  membership_method: string;
}

/** What `jumpcloud.user.groups.remove_all` returns. */
export interface GroupsRemoveAllOutput {
  /** Groups this step removed the user from (across attempts). */
  removed: number;
  groups: NamedRef[];
  /** Dynamic groups: reported, not removed, never counted. */
  dynamic_groups: DynamicGroupRef[];
}

const outputSchema = {
  type: 'object',
  properties: {
    removed: { type: 'integer', minimum: 0 },
    groups: { type: 'array', items: namedRefSchema },
    dynamic_groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' }, membership_method: { type: 'string' } },
        required: ['id', 'name', 'membership_method'],
        additionalProperties: false,
      },
    },
  },
  required: ['removed', 'groups', 'dynamic_groups'],
  additionalProperties: false,
} as const;

/** The change operation of a removed membership. */
const REMOVE_MEMBER = 'remove_member';

function membershipChange(group: Membership): Change {
  return {
    target: targetLabel('user_group', group),
    operation: REMOVE_MEMBER,
    before: objectState('user_group', group, { member: true }),
    after: objectState('user_group', group, { member: false }),
  };
}

function dynamicChange(group: Membership): Omit<Change, 'result'> {
  return {
    target: targetLabel('user_group', group),
    operation: 'report',
    note: `dynamic group (${group.membership_method}): its rule decides who is a member, so the membership cannot be removed by hand; it is not counted`,
  };
}

function dynamicRefs(groups: readonly Membership[]): DynamicGroupRef[] {
  return groups.filter((g) => g.dynamic).map((g) => ({ id: g.id, name: g.name, membership_method: g.membership_method }));
}

/** `jumpcloud.user.groups.remove_all`: removes the user from all static user groups. */
export const groupsRemoveAllAction = defineAction({
  id: 'jumpcloud.user.groups.remove_all',
  description: 'Remove a JumpCloud user from all user groups (dynamic groups are reported, not removed)',
  params,
  output: outputSchema,
  examples: [{ description: 'Remove the looked-up user from every group', with: { user_id: '{{steps.lookup.output.user.id}}', org_id: '{{vars.jumpcloud_org_id}}' } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (snapshot) => {
      await guardUserChange(ctx, session, snapshot, p.allow_protected, 'removed from its user groups');
      const memberships = await readMemberships(client, snapshot);
      const statics = memberships.filter((g) => !g.dynamic);
      await forEachLimit(statics, REMOVAL_CONCURRENCY, async (group) => {
        ctx.logger.info(`Removing user ${p.user_id} from user group "${group.name}" (${group.id})`);
        await makeChange(ctx, membershipChange(group), async () => (await client.removeUserFromGroup(group.id, p.user_id)).changed);
        snapshot.markLeft(group.id);
      });
      // A group an interrupted attempt removed the user from (its intent open) is no longer found: counted here.
      settleIntents(ctx, [REMOVE_MEMBER]);
      const dynamic = memberships.filter((g) => g.dynamic);
      for (const group of dynamic) {
        ctx.logger.warn(`User ${p.user_id} stays in dynamic user group "${group.name}" (${group.id}, ${group.membership_method}): its rule decides the membership`);
        recordReported(ctx, dynamicChange(group));
      }
      const removed = changedObjects(ctx, [REMOVE_MEMBER]);
      const output: GroupsRemoveAllOutput = { removed: removed.length, groups: refsOf(removed), dynamic_groups: dynamicRefs(dynamic) };
      const note = dynamic.length > 0 ? `; ${plural(dynamic.length, 'dynamic group')} reported` : '';
      return { changed: removed.length > 0, output, summary: `removed from ${plural(removed.length, 'group')}${note}` };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'removed from its user groups');
    const memberships = await readMemberships(client, known);
    const statics = memberships.filter((g) => !g.dynamic);
    const dynamic = memberships.filter((g) => g.dynamic);
    const changes: Change[] = [...statics.map(membershipChange), ...dynamic.map((g) => ({ ...dynamicChange(g), result: 'reported' as const }))];
    const output: GroupsRemoveAllOutput = { removed: statics.length, groups: statics.map(({ id, name }) => ({ id, name })), dynamic_groups: dynamicRefs(dynamic) };
    const note = dynamic.length > 0 ? `; ${plural(dynamic.length, 'dynamic group')} reported` : '';
    return { changes, output, summary: `would remove from ${plural(statics.length, 'group')}${note}` };
  },
});
