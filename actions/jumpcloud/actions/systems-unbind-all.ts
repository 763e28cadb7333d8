import { defineAction } from '../../../engine/plugin-api/define-action.js';
import {
  plannedAssociationChanges, readAssociations, removeAssociations, viaGroupEntries, viaGroupsSchema, type AssociationRemovalSpec, type ViaGroupEntry,
} from './association-removal.js';
import type { ChangedObject } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { plural } from './names.js';
import { onRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Removes the user\'s direct bindings to systems and system groups; access through user groups is reported.',
  properties: { user_id: userIdProperty, allow_protected: allowProtectedProperty, ...connectionProperties },
  required: ['user_id'],
  additionalProperties: false,
} as const;

/** A system or system group the step unbound. */
export interface UnboundSystem {
  id: string;
  name: string;
  /** `system`, or `system_group` for a direct binding to a whole group of systems. */
  type: 'system' | 'system_group';
}

/** What `jumpcloud.user.systems.unbind_all` returns. */
export interface SystemsUnbindAllOutput {
  /** Direct bindings this step removed (across attempts). */
  unbound: number;
  systems: UnboundSystem[];
  /** Systems reached through a user group: reported, not counted. */
  via_groups: Array<ViaGroupEntry<'system'>>;
}

const outputSchema = {
  type: 'object',
  properties: {
    unbound: { type: 'integer', minimum: 0 },
    systems: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string', enum: ['system', 'system_group'] } },
        required: ['id', 'name', 'type'],
        additionalProperties: false,
      },
    },
    via_groups: viaGroupsSchema('system'),
  },
  required: ['unbound', 'systems', 'via_groups'],
  additionalProperties: false,
} as const;

const SPEC: AssociationRemovalSpec = { targets: ['system', 'system_group'], traversal: 'systems', operation: 'unbind', doing: 'Unbinding' };

function systemsOf(objects: ReadonlyArray<Pick<ChangedObject, 'id' | 'name' | 'type'>>): UnboundSystem[] {
  return objects.map(({ id, name, type }) => ({ id, name, type: type === 'system_group' ? 'system_group' : 'system' }));
}

/** `jumpcloud.user.systems.unbind_all`: unbinds the user from every system bound directly. */
export const systemsUnbindAllAction = defineAction({
  id: 'jumpcloud.user.systems.unbind_all',
  description: 'Unbind a JumpCloud user from all systems bound directly (access through groups is reported)',
  params,
  output: outputSchema,
  examples: [{ description: 'Unbind the looked-up user from their devices', with: { user_id: '{{steps.lookup.output.user.id}}', org_id: '{{vars.jumpcloud_org_id}}' } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (known) => {
      await guardUserChange(ctx, session, known, p.allow_protected, 'unbound from its systems');
      const snapshot = await readAssociations(client, known, SPEC);
      const unbound = await removeAssociations(ctx, client, known, SPEC, snapshot);
      const output: SystemsUnbindAllOutput = { unbound: unbound.length, systems: systemsOf(unbound), via_groups: viaGroupEntries('system', snapshot.viaGroups) };
      const note = snapshot.viaGroups.length > 0 ? `; ${plural(snapshot.viaGroups.length, 'access through a group', 'accesses through groups')} reported` : '';
      return { changed: unbound.length > 0, output, summary: `unbound from ${plural(unbound.length, 'system')}${note}` };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'unbound from its systems');
    const snapshot = await readAssociations(client, known, SPEC);
    const output: SystemsUnbindAllOutput = { unbound: snapshot.edges.length, systems: systemsOf(snapshot.edges), via_groups: viaGroupEntries('system', snapshot.viaGroups) };
    return { changes: plannedAssociationChanges(SPEC, snapshot), output, summary: `would unbind from ${plural(snapshot.edges.length, 'system')}` };
  },
});
