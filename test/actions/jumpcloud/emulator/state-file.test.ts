import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../engine/errors/index.js';
import { STATE_FORMAT, startEmulator, type RunningEmulator, type SandboxData } from '../../../../actions/jumpcloud/emulator/index.js';
import { apiFor } from './support/api.js';

/**
 * The emulator's `stateFile`: successive emulators started with the same file continue the same
 * organisation (what `run --sandbox` twice, and a resumed sandbox run, rely on).
 */

const DATA: SandboxData = {
  organization: { name: 'Persisted Inc.' },
  users: [
    { username: 'ann', email: 'ann@example.com', groups: ['Staff'], sshKeys: [{ name: 'laptop', public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAnn ann@laptop' }] },
    { username: 'bob', email: 'bob@example.com', groups: ['Staff'] },
  ],
  userGroups: [{ name: 'Staff' }],
  vars: { it_team_emails: ['it@example.com'] },
};

const started: RunningEmulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});

async function start(stateFile: string, data: SandboxData = DATA): Promise<RunningEmulator> {
  const emulator = await startEmulator({ data, stateFile });
  started.push(emulator);
  return emulator;
}

/** Closes an emulator before the test ends (the next one continues from its state file). */
async function stop(emulator: RunningEmulator): Promise<void> {
  started.splice(started.indexOf(emulator), 1);
  await emulator.close();
}

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'idflow-emulator-state-')), 'nested', 'state.json');
}

describe('emulator state file', () => {
  it('is written only once something changes, then continues where the last emulator left off', async () => {
    const file = tempFile();
    const first = await start(file);
    expect(first.stateFile).toEqual({ file, origin: 'new' });
    const api = apiFor(first);
    const ann = first.state.user('ann')!;
    const staff = first.state.groupsOf(ann._id)[0]!;
    // Reading changes nothing, so nothing is written.
    expect((await api('GET', '/api/systemusers')).status).toBe(200);
    expect(existsSync(file)).toBe(false);

    expect((await api('POST', `/api/v2/usergroups/${staff}/members`, { body: { op: 'remove', type: 'user', id: ann._id } })).status).toBe(204);
    // Written before the response was sent.
    expect(existsSync(file)).toBe(true);
    const key = ann.ssh_keys[0]!._id;
    expect((await api('DELETE', `/api/systemusers/${ann._id}/sshkeys/${key}`)).status).toBe(200);
    const created = await api('POST', '/api/systemusers', { body: { username: 'cat', email: 'cat@example.com' } });
    expect(created.status).toBe(200);
    const bob = first.state.user('bob')!;
    expect((await api('DELETE', `/api/systemusers/${bob._id}`)).status).toBe(200);
    const eventsBefore = first.state.events();
    await stop(first);

    const second = await start(file);
    expect(second.stateFile).toMatchObject({ file, origin: 'restored', savedAt: expect.any(String) });
    expect(second.state.groupsOf(ann._id)).toEqual([]);
    expect(second.state.user('ann')!.ssh_keys).toEqual([]);
    expect(second.state.user('cat')).toMatchObject({ _id: created.body._id, email: 'cat@example.com' });
    expect(second.state.user('bob')).toBeUndefined();
    expect(second.state.events()).toEqual(eventsBefore);
    // Uniqueness survives the restart (the index is rebuilt), and ids of deleted objects are never handed out again.
    const api2 = apiFor(second);
    expect((await api2('POST', '/api/systemusers', { body: { username: 'CAT', email: 'other@example.com' } })).status).toBe(409);
    const seeded = await api2('POST', '/__sandbox/seed', { body: { systems: [{ _id: bob._id, displayName: 'srv-reuse' }] } });
    expect(seeded.status).toBe(409);
  });

  it('keeps seeds and resets', async () => {
    const file = tempFile();
    const first = await start(file);
    const api = apiFor(first);
    expect((await api('POST', '/__sandbox/seed', { body: { systems: [{ displayName: 'srv-9' }] } })).status).toBe(200);
    await stop(first);
    const second = await start(file);
    expect(second.state.snapshot().systems.map((s) => s.displayName)).toEqual(['srv-9']);
    second.reset();
    await stop(second);
    const third = await start(file);
    expect(third.state.snapshot().systems).toEqual([]);
    expect(third.stateFile?.origin).toBe('restored');
  });

  it('keeps an enrolled device and its system_create event, and a deleted group stays deleted', async () => {
    const file = tempFile();
    const first = await start(file);
    const api = apiFor(first);
    const enrolled = await api('POST', '/__sandbox/systems', { body: { hostname: 'ann-mbp.local', os: 'Mac OS X' } });
    expect(enrolled.status).toBe(201);
    const staff = first.state.groupsOf(first.state.user('ann')!._id)[0]!;
    expect((await api('DELETE', `/api/v2/usergroups/${staff}`)).status).toBe(200);
    await stop(first);
    const second = await start(file);
    expect(second.state.snapshot().systems).toEqual([enrolled.body]);
    expect(second.state.snapshot().usergroups).toEqual([]);
    expect(second.state.events().map((e) => e.event_type)).toEqual(['system_create', 'association_change', 'association_change', 'group_delete']);
  });

  it('starts again from the data when the org file changed since the state was saved', async () => {
    const file = tempFile();
    const first = await start(file);
    const ann = first.state.user('ann')!;
    await apiFor(first)('PUT', `/api/systemusers/${ann._id}`, { body: { suspended: true } });
    await stop(first);
    // Variables are idflow's, not the organisation's: changing them keeps the saved state.
    const sameOrg = await start(file, { ...DATA, vars: { it_team_emails: ['other@example.com'] } });
    expect(sameOrg.stateFile?.origin).toBe('restored');
    expect(sameOrg.state.user('ann')!.suspended).toBe(true);
    await stop(sameOrg);
    const edited = await start(file, { ...DATA, users: [...DATA.users!, { username: 'dan', email: 'dan@example.com' }] });
    expect(edited.stateFile).toMatchObject({ origin: 'stale', savedAt: expect.any(String) });
    expect(edited.state.user('ann')!.suspended).toBe(false);
    expect(edited.state.user('dan')).toBeDefined();
  });

  it('refuses a damaged file, saying how to start afresh', async () => {
    const file = tempFile();
    const first = await start(file);
    first.reset();
    await stop(first);
    writeFileSync(file, '{"format": "something else"}');
    const error = await startEmulator({ data: DATA, stateFile: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(`The sandbox state file ${file} cannot be used: it is not an emulator state file (no "format": "${STATE_FORMAT}"). Delete it (or run with --sandbox-reset) to start again from the org file`);
    writeFileSync(file, '{"format": ');
    await expect(startEmulator({ data: DATA, stateFile: file })).rejects.toThrow(/is not valid JSON/);
    rmSync(file);
    expect((await start(file)).stateFile?.origin).toBe('new');
  });

  it('writes plain JSON with the format marker and the starting data\'s fingerprint', async () => {
    const file = tempFile();
    const first = await start(file);
    const ann = first.state.user('ann')!;
    await apiFor(first)('POST', `/api/systemusers/${ann._id}/resetmfa`, { body: {} });
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ format: STATE_FORMAT, version: 1, source: expect.stringMatching(/^[0-9a-f]{64}$/), org: { organization: { name: 'Persisted Inc.' } } });
  });
});
