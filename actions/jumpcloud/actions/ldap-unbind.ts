import type { Change } from '../../../engine/plugin-api/action.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { SystemUser } from '../types.js';
import {
  namedRefSchema, plannedAssociationChanges, readAssociations, refsOf, removeAssociations, viaGroupEntries, viaGroupsSchema,
  type AssociationRemovalSpec, type ViaGroupEntry,
} from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { madeChange } from './change-tally.js';
import { requireUser } from './read-user.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { plural, type NamedRef } from './names.js';
import { userName } from './user-summary.js';
import { onRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Removes the user\'s direct LDAP server bindings and clears "Enable as LDAP Bind DN".',
  properties: { user_id: userIdProperty, allow_protected: allowProtectedProperty, ...connectionProperties },
  required: ['user_id'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.ldap.unbind` returns. */
export interface LdapUnbindOutput {
  /** Direct LDAP server bindings this step removed (across attempts). */
  removed: number;
  servers: NamedRef[];
  /** True when `ldap_binding_user` was true and this step made it false. */
  bind_dn_cleared: boolean;
  /** LDAP servers reached through a user group: reported, not counted. */
  via_groups: Array<ViaGroupEntry<'server'>>;
}

const outputSchema = {
  type: 'object',
  properties: {
    removed: { type: 'integer', minimum: 0 },
    servers: { type: 'array', items: namedRefSchema },
    bind_dn_cleared: { type: 'boolean' },
    via_groups: viaGroupsSchema('server'),
  },
  required: ['removed', 'servers', 'bind_dn_cleared', 'via_groups'],
  additionalProperties: false,
} as const;

const SPEC: AssociationRemovalSpec = { targets: ['ldap_server'], traversal: 'ldapservers', operation: 'unbind', doing: 'Unbinding' };

/** The change operation of clearing the bind DN flag (its target is `LDAP bind DN of user …`). */
const CLEAR_BIND_DN = 'clear';

function bindDnChange(user: SystemUser): Change {
  return {
    target: `LDAP bind DN of user "${userName(user)}" (${user._id})`,
    operation: CLEAR_BIND_DN,
    before: { id: user._id, name: userName(user), type: 'user', ldap_binding_user: true },
    after: { id: user._id, name: userName(user), type: 'user', ldap_binding_user: false },
  };
}

/** `jumpcloud.user.ldap.unbind`: unbinds the user from LDAP and clears the bind DN flag. */
export const ldapUnbindAction = defineAction({
  id: 'jumpcloud.user.ldap.unbind',
  description: 'Remove a JumpCloud user\'s LDAP bindings and clear "Enable as LDAP Bind DN"',
  params,
  output: outputSchema,
  examples: [{ description: 'Unbind the looked-up user from LDAP', with: { user_id: '{{steps.lookup.output.user.id}}', org_id: '{{vars.jumpcloud_org_id}}' } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (known) => {
      await guardUserChange(ctx, session, known, p.allow_protected, 'unbound from LDAP');
      const user = await requireUser(client, known);
      // The flag first: JumpCloud binds a bind-DN user to its LDAP directory by itself, so the flag
      // must not outlive the edges it would bring back.
      if (user.ldap_binding_user === true) {
        ctx.logger.info(`Clearing "Enable as LDAP Bind DN" of user "${userName(user)}" (${user._id})`);
        await makeChange(ctx, bindDnChange(user), async () => {
          known.replaceUser(await client.updateUser(user._id, { ldap_binding_user: false }));
          return true;
        });
      }
      // The flag is clear now: cleared by this step if an interrupted attempt had started to.
      settleIntents(ctx, [CLEAR_BIND_DN]);
      const snapshot = await readAssociations(client, known, SPEC);
      const removed = await removeAssociations(ctx, client, known, SPEC, snapshot);
      const cleared = madeChange(ctx, CLEAR_BIND_DN) !== undefined;
      const output: LdapUnbindOutput = { removed: removed.length, servers: refsOf(removed), bind_dn_cleared: cleared, via_groups: viaGroupEntries('server', snapshot.viaGroups) };
      return {
        changed: removed.length > 0 || cleared,
        output,
        summary: `removed from ${plural(removed.length, 'LDAP server')}${cleared ? '; bind DN cleared' : ''}`,
      };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'unbound from LDAP');
    const user = await requireUser(client, known);
    const snapshot = await readAssociations(client, known, SPEC);
    const clears = user.ldap_binding_user === true;
    const changes = [...(clears ? [bindDnChange(user)] : []), ...plannedAssociationChanges(SPEC, snapshot)];
    const output: LdapUnbindOutput = {
      removed: snapshot.edges.length,
      servers: snapshot.edges.map(({ id, name }) => ({ id, name })),
      bind_dn_cleared: clears,
      via_groups: viaGroupEntries('server', snapshot.viaGroups),
    };
    return { changes, output, summary: `would remove from ${plural(snapshot.edges.length, 'LDAP server')}${clears ? ' and clear the bind DN' : ''}` };
  },
});
