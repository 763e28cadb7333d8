import { describe, expect, it } from 'vitest';
import { jumpcloudSandbox } from '../../../../actions/jumpcloud/emulator/index.js';

describe('jumpcloudSandbox (the pack\'s SandboxProvider)', () => {
  it('starts the emulator from a data file and points the jumpcloud connection at it', async () => {
    const sandbox = await jumpcloudSandbox.start({ dataFile: jumpcloudSandbox.defaultDataFile as string, apiKey: 'sandbox-key', rateLimit: 50 });
    try {
      // sandbox: true keeps the actions from falling back to a real JUMPCLOUD_API_KEY/URL.
      expect(sandbox.connections).toEqual({ jumpcloud: { base_url: sandbox.url, api_key: 'sandbox-key', sandbox: true, protected_accounts: ['admin@company.com'] } });
      expect(sandbox.vars).toEqual({
        it_team_emails: ['it-team@company.com'], jumpcloud_removal_mode: 'disable', jumpcloud_notify_on_removal: true,
        department_groups: {
          Engineering: ['Engineering', 'VPN Users'], Finance: ['Finance Team'], Sales: ['Sales Team'], 'Human Resources': ['HR Team'], Support: ['Support Team'], IT: ['IT Admins', 'VPN Users'],
        },
        inactivity_days: 90, inactivity_notice_days: 76, inactivity_exempt_groups: ['Inactivity Exempt'], inactivity_exempt_accounts: ['admin', 'helpdesk.legacy@company.com'],
        inactive_device_days: 30, inactive_devices_group: 'Inactive Devices', quarantine_group: 'Quarantine',
        minimum_os_versions: { darwin: '14.0', windows: '10.0.22631', linux: '22.04' },
      });
      expect(sandbox.usage?.().join('\n')).toContain(`export JUMPCLOUD_API_URL=${sandbox.url} JUMPCLOUD_API_KEY=sandbox-key`);
      const lines = sandbox.describe();
      expect(lines[0]).toBe(`JumpCloud emulator listening on ${sandbox.url}`);
      expect(lines).toContain('API key: sandbox-key');
      expect(lines.join('\n')).toContain('Company Inc.');
      expect(lines.join('\n')).toContain('34 users');
      expect(lines).toContain('Faults: rateLimit=50');
      const reply = await fetch(`${sandbox.url}/api/systemusers?filter=${encodeURIComponent('username:$eq:john.smith')}`, { headers: { 'x-api-key': 'sandbox-key' } });
      expect(((await reply.json()) as { totalCount: number }).totalCount).toBe(1);
    } finally {
      await sandbox.close();
    }
  });

  it('starts an empty org without a data file, and passes org_id when multi-tenant', async () => {
    const sandbox = await jumpcloudSandbox.start({ orgId: '5e0000000000000000000001' });
    try {
      expect(sandbox.connections['jumpcloud']).toMatchObject({ org_id: '5e0000000000000000000001' });
      expect(sandbox.describe().join('\n')).toContain('empty organisation (0 users');
    } finally {
      await sandbox.close();
    }
  });

  it('refuses a broken data file before starting', async () => {
    await expect(jumpcloudSandbox.start({ dataFile: 'does/not/exist.json' })).rejects.toThrow('Cannot read org file');
  });
});
