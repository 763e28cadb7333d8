import type { Change } from '../../../engine/plugin-api/action.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { DirectEdge, GroupAccess } from './access-snapshot.js';
import {
  namedRefSchema, readAssociations, REMOVAL_CONCURRENCY, viaGroupEntries, viaGroupsSchema, type AssociationRemovalSpec, type ViaGroupEntry,
} from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { changedObjects, objectState, recordReported } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { forEachLimit } from './for-each-limit.js';
import { refOf } from './group-refs.js';
import { plural, targetLabel, type NamedRef } from './names.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { onRunSnapshot } from './run-snapshots.js';
import { findSystems, givenSystemsProperty, type GivenSystem } from './system-refs.js';
import { UserSnapshot } from './user-snapshot.js';

const ID = 'jumpcloud.user.systems.unbind';

const params = {
  type: 'object',
  description: 'Removes the user\'s direct bindings to the systems given by display name, hostname or id; a system not bound directly is left as it is, and access to a given system through a user group is reported.',
  properties: { user_id: userIdProperty, systems: givenSystemsProperty, allow_protected: allowProtectedProperty, ...connectionProperties },
  required: ['user_id', 'systems'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.systems.unbind` returns. */
export interface SystemsUnbindOutput {
  /** Direct bindings this step removed (across attempts). */
  unbound: number;
  systems: NamedRef[];
  /** Given systems the user was not bound to directly: nothing was changed for them. */
  not_bound: NamedRef[];
  /** Given systems the user still reaches through a user group: reported, not removed. */
  via_groups: Array<ViaGroupEntry<'system'>>;
}

const outputSchema = {
  type: 'object',
  properties: {
    unbound: { type: 'integer', minimum: 0 },
    systems: { type: 'array', items: namedRefSchema, description: 'The systems this step unbound the user from.' },
    not_bound: { type: 'array', items: namedRefSchema, description: 'Given systems the user was not bound to directly.' },
    via_groups: viaGroupsSchema('system'),
  },
  required: ['unbound', 'systems', 'not_bound', 'via_groups'],
  additionalProperties: false,
} as const;

const SPEC: AssociationRemovalSpec = { targets: ['system'], traversal: 'systems', operation: 'unbind', doing: 'Unbinding' };

interface Plan {
  unbind: DirectEdge[];
  notBound: GivenSystem[];
  viaGroups: GroupAccess[];
}

/** The given systems split into those bound directly (to unbind) and the others, with the access to them through groups. */
async function planUnbinding(client: JumpCloudClient, snapshot: UserSnapshot, entries: readonly string[]): Promise<Plan> {
  const [systems, found] = await Promise.all([findSystems(client, ID, entries), readAssociations(client, snapshot, SPEC)]);
  const given = new Set(systems.map((s) => s.id));
  const bound = new Map(found.edges.map((edge) => [edge.id, edge]));
  return {
    unbind: systems.flatMap((s) => { const edge = bound.get(s.id); return edge === undefined ? [] : [{ ...edge, name: s.name }]; }),
    notBound: systems.filter((s) => !bound.has(s.id)),
    viaGroups: found.viaGroups.filter((access) => given.has(access.object.id)),
  };
}

function unbindChange(edge: DirectEdge): Change {
  return {
    target: targetLabel('system', edge),
    operation: 'unbind',
    before: objectState('system', edge, { bound: true, ...(edge.attributes ? { attributes: edge.attributes } : {}) }),
    after: objectState('system', edge, { bound: false }),
  };
}

function notBoundChange(system: NamedRef): Omit<Change, 'result'> {
  return { target: targetLabel('system', system), operation: 'report', note: 'not bound directly: nothing to change' };
}

function viaGroupChange(access: GroupAccess): Omit<Change, 'result'> {
  return {
    target: `${targetLabel('system', access.object)} through ${targetLabel('user_group', access.group)}`,
    operation: 'report',
    note: access.group.dynamic
      ? 'still reached through a dynamic group: its rule decides the membership'
      : 'still reached through the group: removing the group membership (jumpcloud.user.groups.remove) ends it',
  };
}

function summaryOf(verb: string, unbound: number, notBound: number, via: number): string {
  const parts = [`${verb} ${plural(unbound, 'system')}`];
  if (notBound > 0) parts.push(`not bound directly to ${plural(notBound, 'system')}`);
  if (via > 0) parts.push(`${plural(via, 'access through a group', 'accesses through groups')} reported`);
  return parts.join('; ');
}

/** `jumpcloud.user.systems.unbind`: unbinds one user from systems given by display name, hostname or id. */
export const userSystemsUnbindAction = defineAction({
  id: ID,
  description: 'Unbind a JumpCloud user from systems given by display name, hostname or id (a system not bound directly is left as is; access through groups is reported)',
  params,
  output: outputSchema,
  examples: [{ description: 'Unbind the looked-up user from a shared server', with: { user_id: '{{steps.lookup.output.user.id}}', systems: ['build-server-01'] } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (snapshot) => {
      await guardUserChange(ctx, session, snapshot, p.allow_protected, 'unbound from systems');
      const plan = await planUnbinding(client, snapshot, p.systems);
      await forEachLimit(plan.unbind, REMOVAL_CONCURRENCY, async (edge) => {
        ctx.logger.info(`Unbinding user ${p.user_id} from system "${edge.name}" (${edge.id})`);
        await makeChange(ctx, unbindChange(edge), async () => (await client.removeUserAssociation(p.user_id, 'system', edge.id)).changed);
        snapshot.markUnbound('system', edge.id);
      });
      // A binding an interrupted attempt removed (its intent open) is no longer found: counted here.
      settleIntents(ctx, ['unbind']);
      const unbound = changedObjects(ctx, ['unbind']);
      const unboundIds = new Set(unbound.map((s) => s.id));
      const left = plan.notBound.filter((s) => !unboundIds.has(s.id));
      for (const system of left) recordReported(ctx, notBoundChange(system));
      for (const access of plan.viaGroups) recordReported(ctx, viaGroupChange(access));
      const output: SystemsUnbindOutput = { unbound: unbound.length, systems: unbound.map(refOf), not_bound: left.map(refOf), via_groups: viaGroupEntries('system', plan.viaGroups) };
      return { changed: unbound.length > 0, output, summary: summaryOf('unbound from', unbound.length, left.length, plan.viaGroups.length) };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'unbound from systems');
    const plan = await planUnbinding(client, known, p.systems);
    const changes: Change[] = [
      ...plan.unbind.map(unbindChange),
      ...[...plan.notBound.map(notBoundChange), ...plan.viaGroups.map(viaGroupChange)].map((change) => ({ ...change, result: 'reported' as const })),
    ];
    const output: SystemsUnbindOutput = { unbound: plan.unbind.length, systems: plan.unbind.map(refOf), not_bound: plan.notBound.map(refOf), via_groups: viaGroupEntries('system', plan.viaGroups) };
    return { changes, output, summary: summaryOf('would unbind from', plan.unbind.length, plan.notBound.length, plan.viaGroups.length) };
  },
});
