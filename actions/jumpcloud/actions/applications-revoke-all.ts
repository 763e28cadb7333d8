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
  description: 'Revokes the user\'s direct SSO application associations; access through user groups is reported.',
  properties: { user_id: userIdProperty, allow_protected: allowProtectedProperty, ...connectionProperties },
  required: ['user_id'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.applications.revoke_all` returns. */
export interface ApplicationsRevokeAllOutput {
  /** Direct application associations this step removed (across attempts). */
  revoked: number;
  applications: NamedRef[];
  /** Applications reached through a user group: reported, not counted. */
  via_groups: Array<ViaGroupEntry<'application'>>;
}

const outputSchema = {
  type: 'object',
  properties: {
    revoked: { type: 'integer', minimum: 0 },
    applications: { type: 'array', items: namedRefSchema },
    via_groups: viaGroupsSchema('application'),
  },
  required: ['revoked', 'applications', 'via_groups'],
  additionalProperties: false,
} as const;

const SPEC: AssociationRemovalSpec = { targets: ['application'], traversal: 'applications', operation: 'revoke', doing: 'Revoking' };

/** `jumpcloud.user.applications.revoke_all`: revokes every SSO application associated directly. */
export const applicationsRevokeAllAction = defineAction({
  id: 'jumpcloud.user.applications.revoke_all',
  description: 'Revoke a JumpCloud user\'s SSO applications (access through groups is reported)',
  params,
  output: outputSchema,
  examples: [{ description: 'Revoke the looked-up user\'s applications', with: { user_id: '{{steps.lookup.output.user.id}}', org_id: '{{vars.jumpcloud_org_id}}' } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (known) => {
      await guardUserChange(ctx, session, known, p.allow_protected, 'stripped of its SSO applications');
      const snapshot = await readAssociations(client, known, SPEC);
      const revoked = await removeAssociations(ctx, client, known, SPEC, snapshot);
      const output: ApplicationsRevokeAllOutput = { revoked: revoked.length, applications: refsOf(revoked), via_groups: viaGroupEntries('application', snapshot.viaGroups) };
      return { changed: revoked.length > 0, output, summary: `revoked ${plural(revoked.length, 'application')}` };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'stripped of its SSO applications');
    const snapshot = await readAssociations(client, known, SPEC);
    const output: ApplicationsRevokeAllOutput = { revoked: snapshot.edges.length, applications: snapshot.edges.map(({ id, name }) => ({ id, name })), via_groups: viaGroupEntries('application', snapshot.viaGroups) };
    return { changes: plannedAssociationChanges(SPEC, snapshot), output, summary: `would revoke ${plural(snapshot.edges.length, 'application')}` };
  },
});
