import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jumpcloudSandbox } from '../../../../actions/jumpcloud/emulator/index.js';
import { repoRoot } from '../../../support/cli.js';

/** What template tests (`idflow test`) ask of the JumpCloud sandbox: changes to its organisation, and named objects' state. */

const org = JSON.parse(readFileSync(join(repoRoot, 'examples', 'sandbox', 'org.json'), 'utf8')) as { users: Array<Record<string, unknown>>; vars: Record<string, unknown> };

describe('jumpcloudSandbox.amendData', () => {
  const amend = jumpcloudSandbox.amendData!;

  it('alters a named object field by field, adds a new one, merges vars, removes by name, and leaves the data it was given as it was', () => {
    const before = JSON.stringify(org);
    const amended = amend(org, {
      changes: { users: [{ username: 'john.smith', state: 'SUSPENDED' }, { username: 'new.hire', email: 'new.hire@company.com' }], vars: { it_team_emails: [] } },
      remove: { users: ['kevin.white'] },
    }) as typeof org;
    expect(JSON.stringify(org)).toBe(before);
    const john = amended.users.find((u) => u['username'] === 'john.smith');
    expect(john).toMatchObject({ state: 'SUSPENDED', email: 'john.smith@company.com', manager: 'jane.doe' });
    expect(amended.users.at(-1)).toEqual({ username: 'new.hire', email: 'new.hire@company.com' });
    expect(amended.users.some((u) => u['username'] === 'kevin.white')).toBe(false);
    expect(amended.vars).toEqual({ ...org.vars, it_team_emails: [] });
  });

  it('says what is wrong with changes it cannot apply', () => {
    expect(() => amend(org, { changes: { people: [] } })).toThrow(/no "people".*users/);
    expect(() => amend(org, { changes: { users: [{ email: 'x@y.z' }] } })).toThrow('changes.users[0] must be an object with its "username"');
    expect(() => amend(org, { remove: { users: ['no.one'] } })).toThrow('there is no users entry with username "no.one" to remove');
  });
});

describe('SandboxInstance.inspect of the JumpCloud sandbox', () => {
  it('shows a user, a group, a system and an application by name, with what they are linked to by name, and null for none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-inspect-'));
    const file = join(dir, 'org.json');
    writeFileSync(file, JSON.stringify(jumpcloudSandbox.amendData!(org, { changes: { users: [{ username: 'test.user', email: 'test.user@company.com', manager: 'jane.doe', groups: ['VPN Users'], systems: ['JSMITH-MBP'], applications: ['Slack'] }] } })));
    const sandbox = await jumpcloudSandbox.start({ dataFile: file });
    try {
      expect(sandbox.inspect?.('user test.user')).toMatchObject({ username: 'test.user', state: 'ACTIVATED', manager: 'jane.doe', groups: ['VPN Users'], systems: ['JSMITH-MBP'], applications: ['Slack'], ssh_keys: [], mfa: { totp: false, push_endpoints: [] } });
      expect(sandbox.inspect?.('user test.user@company.com')).toMatchObject({ username: 'test.user' });
      expect(sandbox.inspect?.('user_group VPN Users')).toMatchObject({ name: 'VPN Users', members: expect.arrayContaining(['test.user', 'john.smith']) });
      expect(sandbox.inspect?.('system JSMITH-MBP')).toMatchObject({ display_name: 'JSMITH-MBP', users: expect.arrayContaining(['test.user']) });
      expect(sandbox.inspect?.('system FIN-WS-01')).toMatchObject({ display_name: 'FIN-WS-01', groups: ['Finance Workstations'] });
      expect(sandbox.inspect?.('system JSMITH-MBP')).toMatchObject({ groups: [] });
      expect(sandbox.inspect?.('system_group Finance Workstations')).toMatchObject({ name: 'Finance Workstations', members: ['FIN-WS-01', 'FIN-WS-02'] });
      expect(sandbox.inspect?.('system_group No Such Group')).toBeNull();
      expect(sandbox.inspect?.('application Slack')).toMatchObject({ display_label: 'Slack', users: expect.arrayContaining(['test.user']) });
      expect(sandbox.inspect?.('user no.one')).toBeNull();
      expect(() => sandbox.inspect?.('person john.smith')).toThrow('the kind one of user, user_group, system, system_group, application');
      expect(() => sandbox.inspect?.('user')).toThrow('write a kind and a name');
    } finally {
      await sandbox.close();
    }
  });
});
