import { defineAction } from '../../../engine/plugin-api/define-action.js';
import {
  namedRefSchema, plannedAssociationChanges, readAssociations, refsOf, removeAssociations, viaGroupEntries, viaGroupsSchema,
  type AssociationRemovalSpec, type ViaGroupEntry,
} from './association-removal.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { plural, type NamedRef } from './names.js';
import { onRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Removes the user\'s direct RADIUS server associations; access through user groups is reported.',
  properties: { user_id: userIdProperty, allow_protected: allowProtectedProperty, ...connectionProperties },
  required: ['user_id'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.radius.remove` returns. */
export interface RadiusRemoveOutput {
  /** Direct RADIUS associations this step removed (across attempts). */
  removed: number;
  servers: NamedRef[];
  /** RADIUS servers reached through a user group: reported, not counted. */
  via_groups: Array<ViaGroupEntry<'server'>>;
}

const outputSchema = {
  type: 'object',
  properties: {
    removed: { type: 'integer', minimum: 0 },
    servers: { type: 'array', items: namedRefSchema },
    via_groups: viaGroupsSchema('server'),
  },
  required: ['removed', 'servers', 'via_groups'],
  additionalProperties: false,
} as const;

const SPEC: AssociationRemovalSpec = { targets: ['radius_server'], traversal: 'radiusservers', operation: 'remove', doing: 'Removing access to' };

/** `jumpcloud.user.radius.remove`: removes the user's access to RADIUS servers bound directly. */
export const radiusRemoveAction = defineAction({
  id: 'jumpcloud.user.radius.remove',
  description: 'Remove a JumpCloud user from RADIUS servers (access through groups is reported)',
  params,
  output: outputSchema,
  examples: [{ description: 'Remove the looked-up user\'s RADIUS access', with: { user_id: '{{steps.lookup.output.user.id}}', org_id: '{{vars.jumpcloud_org_id}}' } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (known) => {
      await guardUserChange(ctx, session, known, p.allow_protected, 'removed from RADIUS');
      const snapshot = await readAssociations(client, known, SPEC);
      const removed = await removeAssociations(ctx, client, known, SPEC, snapshot);
      const output: RadiusRemoveOutput = { removed: removed.length, servers: refsOf(removed), via_groups: viaGroupEntries('server', snapshot.viaGroups) };
      return { changed: removed.length > 0, output, summary: `removed from ${plural(removed.length, 'RADIUS server')}` };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'removed from RADIUS');
    const snapshot = await readAssociations(client, known, SPEC);
    const output: RadiusRemoveOutput = { removed: snapshot.edges.length, servers: snapshot.edges.map(({ id, name }) => ({ id, name })), via_groups: viaGroupEntries('server', snapshot.viaGroups) };
    return { changes: plannedAssociationChanges(SPEC, snapshot), output, summary: `would remove from ${plural(snapshot.edges.length, 'RADIUS server')}` };
  },
});
