import type { Change } from '../../../engine/plugin-api/action.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { SshKey } from '../types.js';
import { namedRefSchema, REMOVAL_CONCURRENCY, refsOf } from './association-removal.js';
import { changedObjects, objectState } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { forEachLimit } from './for-each-limit.js';
import { plural, targetLabel, UNNAMED, type NamedRef } from './names.js';
import { sshFingerprint } from './ssh-fingerprint.js';

const params = {
  type: 'object',
  description: 'Deletes every SSH public key of the user.',
  properties: { user_id: userIdProperty, ...connectionProperties },
  required: ['user_id'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.ssh_keys.remove_all` returns. */
export interface SshKeysRemoveAllOutput {
  /** Keys this step deleted (across attempts). */
  removed: number;
  keys: NamedRef[];
}

const outputSchema = {
  type: 'object',
  properties: {
    removed: { type: 'integer', minimum: 0 },
    keys: { type: 'array', items: namedRefSchema },
  },
  required: ['removed', 'keys'],
  additionalProperties: false,
} as const;

const DELETE_SSH_KEY = 'delete_ssh_key';

/** The change of one key: its name, creation date and fingerprint, never the key itself. */
function keyChange(key: SshKey): Change {
  const ref = { id: key._id, name: key.name ?? UNNAMED };
  return {
    target: targetLabel('ssh_key', ref),
    operation: DELETE_SSH_KEY,
    before: objectState('ssh_key', ref, { present: true, fingerprint: sshFingerprint(key.public_key), ...(key.create_date === undefined ? {} : { created: key.create_date }) }),
    after: objectState('ssh_key', ref, { present: false }),
  };
}

/** `jumpcloud.user.ssh_keys.remove_all`: deletes the user's SSH public keys. */
export const sshKeysRemoveAllAction = defineAction({
  id: 'jumpcloud.user.ssh_keys.remove_all',
  description: 'Delete all SSH public keys of a JumpCloud user',
  params,
  output: outputSchema,
  examples: [{ description: 'Delete the looked-up user\'s SSH keys', with: { user_id: '{{steps.lookup.output.user.id}}', org_id: '{{vars.jumpcloud_org_id}}' } }],
  async run(ctx, p) {
    const { client } = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const keys = await client.listSshKeys(p.user_id);
    await forEachLimit(keys, REMOVAL_CONCURRENCY, async (key) => {
      ctx.logger.info(`Deleting SSH key "${key.name ?? key._id}" (${sshFingerprint(key.public_key) ?? 'no fingerprint'}) of user ${p.user_id}`);
      const { changed } = await client.deleteSshKey(p.user_id, key._id);
      ctx.changes.record({ ...keyChange(key), result: changed ? 'changed' : 'unchanged' });
    });
    const removed = changedObjects(ctx, [DELETE_SSH_KEY]);
    return { changed: removed.length > 0, output: { removed: removed.length, keys: refsOf(removed) }, summary: `deleted ${plural(removed.length, 'SSH key')}` };
  },
  async plan(ctx, p) {
    const { client } = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const keys = await client.listSshKeys(p.user_id);
    return {
      changes: keys.map(keyChange),
      output: { removed: keys.length, keys: keys.map((key) => ({ id: key._id, name: key.name ?? UNNAMED })) },
      summary: `would delete ${plural(keys.length, 'SSH key')}`,
    };
  },
});
