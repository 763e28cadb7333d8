import type { Change } from '../../../engine/plugin-api/action.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { PushEndpoint, SystemUser } from '../types.js';
import { REMOVAL_CONCURRENCY } from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { changedObjects, madeChange, objectState } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { forEachLimit } from './for-each-limit.js';
import { mfaEnrolled, mfaState } from './mfa-state.js';
import { plural, targetLabel, UNNAMED, type NamedRef } from './names.js';
import { requireUser } from './read-user.js';
import { userName } from './user-summary.js';
import { onRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Deletes the user\'s push endpoints and resets MFA (a new TOTP key is needed) when MFA is set up.',
  properties: { user_id: userIdProperty, allow_protected: allowProtectedProperty, ...connectionProperties },
  required: ['user_id'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.mfa.clear` returns. */
export interface MfaClearOutput {
  /** True when this step changed anything (across attempts). */
  cleared: boolean;
  /** True when this step reset MFA (`resetmfa`). */
  totp_reset: boolean;
  /** Push endpoints this step deleted. */
  push_endpoints_removed: number;
}

const outputSchema = {
  type: 'object',
  properties: {
    cleared: { type: 'boolean' },
    totp_reset: { type: 'boolean' },
    push_endpoints_removed: { type: 'integer', minimum: 0 },
  },
  required: ['cleared', 'totp_reset', 'push_endpoints_removed'],
  additionalProperties: false,
} as const;

// Plain verbs: the target names the object, so plans read: delete push endpoint "John's iPhone" (…), reset MFA of user "john.smith" (…).
const DELETE_PUSH_ENDPOINT = 'delete';
const RESET_MFA = 'reset';

/**
 * The record's MFA fields as a reset without an exclusion window leaves them (JumpCloud answers
 * `resetmfa` without the record): nothing that {@link mfaEnrolled} counts as set up.
 */
function mfaAfterReset(user: SystemUser): Partial<SystemUser> {
  return { totp_enabled: false, mfa: { ...user.mfa, configured: false }, mfaEnrollment: { ...user.mfaEnrollment, totpStatus: 'NOT_ENROLLED' } };
}

function endpointRef(endpoint: PushEndpoint): NamedRef {
  return { id: endpoint.id, name: endpoint.name ?? UNNAMED };
}

function endpointChange(endpoint: PushEndpoint): Change {
  const ref = endpointRef(endpoint);
  const device = [endpoint.device?.make, endpoint.device?.model].filter((part) => part !== undefined && part !== '').join(' ');
  return {
    target: targetLabel('push_endpoint', ref),
    operation: DELETE_PUSH_ENDPOINT,
    // The device says which endpoint it was, before and after alike; only `present` changes.
    before: objectState('push_endpoint', ref, { present: true, ...(endpoint.state === undefined ? {} : { state: endpoint.state }), ...(device === '' ? {} : { device }) }),
    after: objectState('push_endpoint', ref, { present: false, ...(device === '' ? {} : { device }) }),
  };
}

function resetChange(user: SystemUser): Change {
  const ref = { id: user._id, name: userName(user) };
  return {
    target: targetLabel('mfa', ref),
    operation: RESET_MFA,
    before: objectState('mfa', ref, mfaState(user)),
    after: objectState('mfa', ref, { totp_enabled: false, configured: false }),
  };
}

/** `jumpcloud.user.mfa.clear`: deletes push endpoints and resets MFA when it is set up. */
export const mfaClearAction = defineAction({
  id: 'jumpcloud.user.mfa.clear',
  description: 'Clear a JumpCloud user\'s MFA: delete push endpoints, reset TOTP when enrolled',
  params,
  output: outputSchema,
  examples: [{ description: 'Clear the looked-up user\'s MFA', with: { user_id: '{{steps.lookup.output.user.id}}', org_id: '{{vars.jumpcloud_org_id}}' } }],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (known) => {
      await guardUserChange(ctx, session, known, p.allow_protected, 'stripped of its MFA');
      const [user, endpoints] = await Promise.all([requireUser(client, known), known.pushEndpoints(client)]);
      // Push endpoints first, each by name: a reset deletes them too where Unified MFA is on, and
      // then they could no longer be named and counted.
      await forEachLimit(endpoints, REMOVAL_CONCURRENCY, async (endpoint) => {
        ctx.logger.info(`Deleting push endpoint "${endpoint.name ?? endpoint.id}" of user "${userName(user)}"`);
        await makeChange(ctx, endpointChange(endpoint), async () => (await client.deletePushEndpoint(p.user_id, endpoint.id)).changed);
        known.markPushEndpointDeleted(endpoint.id);
      });
      if (mfaEnrolled(user)) {
        ctx.logger.info(`Resetting MFA of user "${userName(user)}" (${user._id}): the TOTP key is deleted`);
        // No exclusion window: an offboarded user must not get a grace period to enrol again.
        await makeChange(ctx, resetChange(user), async () => {
          await client.resetMfa(p.user_id, {});
          return true;
        });
        await known.patchUser(mfaAfterReset(user));
      }
      // Endpoints no longer found and MFA no longer set up: done by this step where an interrupted attempt had started it.
      settleIntents(ctx, [DELETE_PUSH_ENDPOINT, RESET_MFA]);
      const totpReset = madeChange(ctx, RESET_MFA) !== undefined;
      const pushRemoved = changedObjects(ctx, [DELETE_PUSH_ENDPOINT]).length;
      const output: MfaClearOutput = { cleared: totpReset || pushRemoved > 0, totp_reset: totpReset, push_endpoints_removed: pushRemoved };
      const parts = [...(totpReset ? ['MFA reset'] : []), ...(pushRemoved > 0 ? [`${plural(pushRemoved, 'push endpoint')} deleted`] : [])];
      return { changed: output.cleared, output, summary: parts.length > 0 ? parts.join('; ') : 'no MFA to clear' };
    });
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const known = new UserSnapshot(p.user_id);
    await guardUserChange(ctx, session, known, p.allow_protected, 'stripped of its MFA');
    const [user, endpoints] = await Promise.all([requireUser(client, known), known.pushEndpoints(client)]);
    const resets = mfaEnrolled(user);
    const changes = [...endpoints.map(endpointChange), ...(resets ? [resetChange(user)] : [])];
    const output: MfaClearOutput = { cleared: changes.length > 0, totp_reset: resets, push_endpoints_removed: endpoints.length };
    return { changes, output, summary: changes.length > 0 ? `would ${[...(resets ? ['reset MFA'] : []), ...(endpoints.length > 0 ? [`delete ${plural(endpoints.length, 'push endpoint')}`] : [])].join(' and ')}` : 'no MFA to clear' };
  },
});
