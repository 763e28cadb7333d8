import { describe, expect, it } from 'vitest';
import type { OrgSnapshot, RequestLogEntry } from '../../actions/jumpcloud/emulator/index.js';
import { repoRoot, spawnIdflow, waitFor } from '../support/cli.js';
import { cli, returned, TEMPLATE, workspace } from './support/offboarding.js';

/**
 * Reliability: `idflow sandbox` in its own process answers with 429s (beyond 5 requests a
 * second, with Retry-After) and random 500/502/503s (10%), and the offboarding, pointed at it with
 * the exports it prints, still ends with exactly the counts of an undisturbed run.
 */

describe('offboarding through a 429/5xx storm', () => {
  it('retries its way to the exact counts', async () => {
    // 5 a second: the offboarding names its objects in batches (48 calls), and no longer runs out
    // of a bucket of 15 on this workload; the test needs 429s to mean anything.
    const sandbox = spawnIdflow(['sandbox', '--api-key', 'storm-test-key-0123', '--rate-limit', '5', '--fail-rate', '0.1', '--seed', '11'], { cwd: repoRoot });
    try {
      await waitFor(() => sandbox.output().stdout.includes('Serving until'), 15_000, 'idflow sandbox to serve');
      const exports = /export JUMPCLOUD_API_URL=(\S+) JUMPCLOUD_API_KEY=(\S+)/.exec(sandbox.output().stdout);
      expect(exports).not.toBeNull();
      const [, url, key] = exports as RegExpExecArray;
      const ws = workspace({ JUMPCLOUD_API_URL: url, JUMPCLOUD_API_KEY: key });

      const result = await cli(['run', TEMPLATE, '--input', 'user_identifier=john.smith@company.com', '--input', 'notify_manager=false', '--json'], ws);
      expect(result.code, result.stderr).toBe(0);
      expect(returned(result)).toMatchObject({
        success: true,
        actions_taken: {
          account_status: 'disabled', groups_removed: 5, systems_unbound: 8, applications_revoked: 6,
          ldap_bindings_removed: 1, radius_removed: 1, mfa_cleared: true, ssh_keys_removed: 1,
        },
        backup: { backed_up: true },
        notifications_sent: { manager_notification: { sent: false }, it_notification: { sent: false, recipients: [] } },
      });

      const headers = { 'x-api-key': key as string };
      const requests = (await (await fetch(`${url}/__sandbox/requests`, { headers })).json()) as RequestLogEntry[];
      expect(requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
      expect(requests.filter((r) => r.status >= 500).length).toBeGreaterThan(0);
      const state = (await (await fetch(`${url}/__sandbox/state`, { headers })).json()) as OrgSnapshot;
      const john = state.users.find((u) => u.username === 'john.smith')!;
      expect(john).toMatchObject({ state: 'SUSPENDED', ssh_keys: [], ldap_binding_user: false });
      expect(state.usergroups.filter((g) => g.members.includes(john._id))).toEqual([]);
      expect(state.associations.filter((a) => a.fromType === 'user' && a.fromId === john._id)).toEqual([]);
    } finally {
      sandbox.kill('SIGTERM');
      expect(await sandbox.exited).toBe(0);
    }
  }, 60_000);
});
