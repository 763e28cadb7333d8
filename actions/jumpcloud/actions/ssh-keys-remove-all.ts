import type { Change } from '../../../engine/plugin-api/action.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { SshKey, SystemUser } from '../types.js';
import { namedRefSchema, REMOVAL_CONCURRENCY, refsOf } from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { changedObjects, objectState } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { forEachLimit } from './for-each-limit.js';
import { plural, targetLabel, UNNAMED, type NamedRef } from './names.js';
import { requireUser } from './read-user.js';
import { sshFingerprint } from './ssh-fingerprint.js';
import { onRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Deletes every SSH public key of the user, and clears the legacy single public_key field of the user record.',
  properties: { user_id: userIdProperty, allow_protected: allowProtectedProperty, ...connectionProperties },
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

// Plain verbs: the target names the key, so plans read: delete SSH key "laptop" (…).
const DELETE_SSH_KEY = 'delete';
const CLEAR_LEGACY_KEY = 'clear';

/** How the user record's single legacy `public_key` field is named in targets and outputs. */
const LEGACY_KEY_NAME = 'legacy public_key field';

/**
 * The change of the legacy key: JumpCloud's user record still carries a single `public_key`
 * string from before keys were a list, and it grants SSH access like any listed key.
 */
function legacyKeyChange(user: SystemUser): Change | undefined {
  const key = user.public_key?.trim();
  if (key === undefined || key === '') return undefined;
  const ref = { id: user._id, name: LEGACY_KEY_NAME };
  const identity = { fingerprint: sshFingerprint(key) };
  return {
    target: targetLabel('ssh_key', ref),
    operation: CLEAR_LEGACY_KEY,
    before: objectState('ssh_key', ref, { present: true, ...identity }),
    after: objectState('ssh_key', ref, { present: false, ...identity }),
  };
}

/**
 * The change of one key: its name, creation date and fingerprint, never the key itself. The
 * fingerprint and date say which key it was, before and after alike, so that only `present`
 * reads as what changed.
 */
function keyChange(key: SshKey): Change {
  const ref = { id: key._id, name: key.name ?? UNNAMED };
  const identity = { fingerprint: sshFingerprint(key.public_key), ...(key.create_date === undefined ? {} : { created: key.create_date }) };
  return {
    target: targetLabel('ssh_key', ref),
    operation: DELETE_SSH_KEY,
    before: objectState('ssh_key', ref, { present: true, ...identity }),
    after: objectState('ssh_key', ref, { present: false, ...identity }),
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
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (known) => {
      await guardUserChange(ctx, session, known, p.allow_protected, 'stripped of its SSH keys');
      // The keys come with the record (its ssh_keys), so one read gives both.
      const user = await requireUser(client, known);
      const keys = await known.sshKeys(client);
      await forEachLimit(keys, REMOVAL_CONCURRENCY, async (key) => {
        ctx.logger.info(`Deleting SSH key "${key.name ?? key._id}" (${sshFingerprint(key.public_key) ?? 'no fingerprint'}) of user ${p.user_id}`);
        await makeChange(ctx, keyChange(key), async () => (await client.deleteSshKey(p.user_id, key._id)).changed);
        known.markSshKeyDeleted(key._id);
      });
      const legacy = legacyKeyChange(user);
      if (legacy !== undefined) {
        ctx.logger.info(`Clearing the legacy public_key field of user ${p.user_id}`);
        await makeChange(ctx, legacy, async () => {
          known.replaceUser(await client.updateUser(p.user_id, { public_key: '' }));
          return true;
        });
      }
      // Keys no longer found (and a legacy field now empty): deleted by this step where an interrupted attempt had started to.
      settleIntents(ctx, [DELETE_SSH_KEY, CLEAR_LEGACY_KEY]);
      const removed = changedObjects(ctx, [DELETE_SSH_KEY, CLEAR_LEGACY_KEY]);
      return { changed: removed.length > 0, output: { removed: removed.length, keys: refsOf(removed) }, summary: `deleted ${plural(removed.length, 'SSH key')}` };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'stripped of its SSH keys');
    const user = await requireUser(client, known);
    const keys = await known.sshKeys(client);
    const legacy = legacyKeyChange(user);
    const refs = keys.map((key) => ({ id: key._id, name: key.name ?? UNNAMED }));
    if (legacy !== undefined) refs.push({ id: user._id, name: LEGACY_KEY_NAME });
    return {
      changes: [...keys.map(keyChange), ...(legacy === undefined ? [] : [legacy])],
      output: { removed: refs.length, keys: refs },
      summary: `would delete ${plural(refs.length, 'SSH key')}`,
    };
  },
});
