import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError } from '../../../../engine/errors/index.js';
import { createAjv } from '../../../../engine/schema/ajv.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { userBackupAction } from '../../../../actions/jumpcloud/actions/user-backup.js';
import { groupsRemoveAllAction } from '../../../../actions/jumpcloud/actions/groups-remove-all.js';
import { emulatorContext, loadExampleOrg, mutatingRequests, objectId, userId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;
const PATH = 'offboarding/2026/john.smith/jumpcloud-export.json';
const JOHNS_KEY_BLOB = 'AAAAC3NzaC1lZDI1NTE5AAAAIDte2K1qQI9CAVJU3UsRYIAokDjUHDETMuPAC+YPiENw';

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'backup' });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

type Export = Record<string, unknown> & {
  user_details: Record<string, unknown>;
  group_memberships: Array<{ id: string; name: string; membership_method: string }>;
  system_bindings: { systems: Array<{ id: string; name: string; direct: boolean; paths: string[][]; attributes?: unknown }>; system_groups: unknown[] };
  application_associations: Array<{ name: string; direct: boolean; paths: string[][] }>;
  ldap_bindings: { ldap_binding_user: boolean; servers: Array<{ name: string }> };
  radius_associations: Array<{ name: string; direct: boolean }>;
  ssh_keys: Array<Record<string, unknown>>;
  mfa: { totp_enabled: boolean; push_endpoints: Array<{ name: string }> };
};

describe('jumpcloud.user.backup', () => {
  it('writes the export (0600) under <store>/backups with names, paths and key fingerprints but no key material', async () => {
    const john = userId(emulator, 'john.smith');
    const ctx = emulatorContext(emulator, { runId: 'run-backup', initiatedBy: 'hr.admin@company.com', reason: 'Employee termination' });
    const result = await runStep(userBackupAction, ctx, { user_id: john, path: PATH, connection: 'jumpcloud' });
    const absolute = join(ctx.paths.store, 'backups', 'offboarding', '2026', 'john.smith', 'jumpcloud-export.json');
    const content = await readFile(absolute);
    expect(result).toEqual({
      changed: true,
      output: {
        backed_up: true,
        backup_location: PATH,
        absolute_path: absolute,
        includes: ['user_details', 'custom_attributes', 'group_memberships', 'system_bindings', 'application_associations', 'ldap_bindings', 'radius_associations', 'ssh_keys', 'mfa'],
        bytes: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
      },
      summary: `backed up to ${PATH}`,
    });
    expect((await stat(absolute)).mode & 0o777).toBe(0o600);
    expect(content.toString()).not.toContain(JOHNS_KEY_BLOB);
    expect(content.toString()).not.toContain(emulator.apiKey);

    const doc = JSON.parse(content.toString()) as Export;
    expect(doc).toMatchObject({
      format: 'idflow.jumpcloud.user-export/1',
      run: { id: 'run-backup', initiated_by: 'hr.admin@company.com', reason: 'Employee termination' },
      source: { base_url: emulator.url },
      includes: result.output?.includes,
      manager: { id: userId(emulator, 'jane.doe'), username: 'jane.doe', email: 'jane.doe@company.com' },
      custom_attributes: [{ name: 'costCenterCode', value: 'ENG-100' }, { name: 'badgeNumber', value: 'B-20417' }],
    });
    expect(doc.user_details).toMatchObject({ _id: john, username: 'john.smith', email: 'john.smith@company.com', state: 'ACTIVATED', manager: userId(emulator, 'jane.doe'), department: 'Engineering' });
    expect(doc.user_details).not.toHaveProperty('ssh_keys');
    expect(doc.group_memberships.map((g) => g.name).sort()).toEqual(['Backend Developers', 'Engineering', 'GitHub Admins', 'On-Call Rotation', 'VPN Users']);
    expect(doc.group_memberships.every((g) => g.membership_method === 'STATIC' || g.membership_method === 'NOTSET')).toBe(true);
    expect(doc.system_bindings.systems).toHaveLength(8);
    expect(doc.system_bindings.systems.find((s) => s.name === 'build-server-01')).toEqual({
      id: objectId(emulator, 'systems', 'build-server-01'),
      name: 'build-server-01',
      direct: true,
      paths: [['system "build-server-01"']],
      attributes: { sudo: { enabled: true, withoutPassword: false } },
    });
    expect(doc.application_associations.map((a) => a.name).sort()).toEqual(['AWS Console', 'Confluence', 'GitHub', 'Google Workspace', 'Jira', 'Slack']);
    expect(doc.ldap_bindings).toMatchObject({ ldap_binding_user: true, servers: [{ name: 'JumpCloud LDAP', direct: true }] });
    expect(doc.radius_associations).toMatchObject([{ name: 'Office Wi-Fi', direct: true }]);
    expect(doc.ssh_keys).toEqual([
      { id: emulator.state.user(john)?.ssh_keys[0]?._id, name: 'work-laptop', created: '2024-02-12T16:05:00Z', key_type: 'ssh-ed25519', fingerprint: 'SHA256:TdsjdpWKPt5xsQ5nLz+0W3Z7GkKWk60PnGZvq5mtmys' },
    ]);
    expect(doc.mfa).toMatchObject({ totp_enabled: true, push_endpoints: [{ name: "John's iPhone" }] });
    expect(ctx.recorded).toEqual([expect.objectContaining({ operation: 'write', target: `backup file "${PATH}" in ${join(ctx.paths.store, 'backups')}`, result: 'changed' })]);
    expect(mutatingRequests(emulator)).toEqual([]);
  });

  it('records access through groups with its path', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(userBackupAction, ctx, { user_id: userId(emulator, 'maria.garcia'), path: 'maria.json', connection: 'jumpcloud' });
    const doc = JSON.parse(await readFile(result.output?.absolute_path as string, 'utf8')) as Export;
    expect(doc.system_bindings.systems.find((s) => s.name === 'FIN-WS-01')).toMatchObject({
      direct: false,
      paths: [['user group "Finance Team"', 'system group "Finance Workstations"', 'system "FIN-WS-01"']],
    });
    expect(doc.application_associations.find((a) => a.name === 'NetSuite')).toMatchObject({ direct: false, paths: [['user group "Finance Team"', 'application "NetSuite"']] });
  });

  it('never overwrites an existing backup: a later run keeps the pre-offboarding state', async () => {
    const john = userId(emulator, 'john.smith');
    const dir = emulatorContext(emulator).paths.store;
    const first = await runStep(userBackupAction, emulatorContext(emulator, { dir }), { user_id: john, path: PATH, connection: 'jumpcloud' });
    const before = await readFile(first.output?.absolute_path as string);
    await runStep(groupsRemoveAllAction, emulatorContext(emulator), { user_id: john, connection: 'jumpcloud' });
    const ctx = emulatorContext(emulator, { dir });
    const second = await runStep(userBackupAction, ctx, { user_id: john, path: PATH, connection: 'jumpcloud' });
    expect(second).toEqual({ changed: false, output: first.output, summary: `kept the existing backup ${PATH}` });
    expect(await readFile(first.output?.absolute_path as string)).toEqual(before);
    expect(ctx.recorded).toEqual([]);
    // A retry of the step that wrote it still reports the write.
    const retry = emulatorContext(emulator, { dir, earlierChanges: [{ target: 'x', operation: 'write', result: 'changed' }], attempt: 2 });
    expect((await runStep(userBackupAction, retry, { user_id: john, path: PATH, connection: 'jumpcloud' })).changed).toBe(true);
    // The plan says it would keep it.
    const plan = await planStep(userBackupAction, emulatorContext(emulator, { dir, dryRun: true }), { user_id: john, path: PATH, connection: 'jumpcloud' });
    expect(plan.changes).toEqual([expect.objectContaining({ operation: 'write', result: 'unchanged' })]);
    expect(plan.output).toEqual(first.output);
  });

  it('keeps a file that is not an export, reporting what it can', async () => {
    const ctx = emulatorContext(emulator, { connection: { backup_root: 'exports' } });
    const absolute = join(ctx.paths.cwd, 'exports', 'john.json');
    await mkdir(join(ctx.paths.cwd, 'exports'), { recursive: true });
    await writeFile(absolute, 'not json');
    const result = await runStep(userBackupAction, ctx, { user_id: userId(emulator, 'john.smith'), path: 'john.json', connection: 'jumpcloud' });
    expect(result.output).toEqual({ backed_up: true, backup_location: 'john.json', absolute_path: absolute, includes: [], bytes: 8, sha256: createHash('sha256').update('not json').digest('hex') });
    expect(await readFile(absolute, 'utf8')).toBe('not json');
    expect(ctx.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('is not JSON') }));
  });

  it('writes under the root parameter, else the connection\'s backup_root, relative to the working directory', async () => {
    const ctx = emulatorContext(emulator, { connection: { backup_root: 'from-connection' } });
    const viaConnection = await runStep(userBackupAction, ctx, { user_id: userId(emulator, 'jane.doe'), path: './jane/export.json', connection: 'jumpcloud' });
    expect(viaConnection.output?.absolute_path).toBe(join(ctx.paths.cwd, 'from-connection', 'jane', 'export.json'));
    expect(viaConnection.output?.backup_location).toBe('jane/export.json');
    const viaParam = await runStep(userBackupAction, ctx, { user_id: userId(emulator, 'jane.doe'), path: 'jane/export.json', root: 'elsewhere', connection: 'jumpcloud' });
    expect(viaParam.output?.absolute_path).toBe(join(ctx.paths.cwd, 'elsewhere', 'jane', 'export.json'));
  });

  it('refuses a path that is absolute or climbs out of the root, before any request', async () => {
    const ctx = emulatorContext(emulator);
    for (const path of ['../escape.json', 'a/../../escape.json', '/etc/passwd', 'C:\\temp\\x.json', '   ']) {
      const error = await runStep(userBackupAction, ctx, { user_id: userId(emulator, 'john.smith'), path, connection: 'jumpcloud' }).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(PermanentError);
      expect((error as PermanentError).code, path).toBe('INVALID_PARAMS');
      expect((error as Error).message, path).toContain(`path "${path}" is not usable`);
    }
    expect(emulator.requests()).toEqual([]);
  });

  it('has a params schema that refuses the same paths, so a path known before the run is refused before its first step', () => {
    const validate = createAjv().compile(userBackupAction.params);
    const params = (path: string) => ({ user_id: 'a'.repeat(24), path });
    for (const path of ['../escape.json', 'a/../../escape.json', 'a/..', ' ../x', '/etc/passwd', ' /abs', 'C:\\temp\\x.json', '   ', 'tab\there.json']) {
      expect(validate(params(path)), JSON.stringify(path)).toBe(false);
    }
    for (const path of ['offboarding/2026/john.smith/jumpcloud-export.json', 'a..b/c.json', 'x/..y/z.json', 'dir\\file.json']) {
      expect(validate(params(path)), JSON.stringify(path)).toBe(true);
    }
  });

  it('plans without writing, and fails clearly for a user that does not exist', async () => {
    const ctx = emulatorContext(emulator, { dryRun: true });
    const plan = await planStep(userBackupAction, ctx, { user_id: userId(emulator, 'john.smith'), path: PATH, connection: 'jumpcloud' });
    expect(plan.changes).toEqual([expect.objectContaining({ operation: 'write', target: `backup file "${PATH}" in ${join(ctx.paths.store, 'backups')}` })]);
    expect(plan.output).toMatchObject({ backed_up: true, backup_location: PATH });
    expect(existsSync(join(ctx.paths.store, 'backups'))).toBe(false);
    const missing = await runStep(userBackupAction, emulatorContext(emulator), { user_id: '0123456789abcdef01234567', path: PATH, connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(mutatingRequests(emulator)).toEqual([]);
  });
});
