import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../actions/jumpcloud/emulator/index.js';
import { createJumpCloudClient } from '../../actions/jumpcloud/client/jumpcloud-client.js';
import { idflow, waitFor } from '../support/cli.js';
import { API_KEY, startExampleOrg } from './support/real-org.js';
import { offboardingServeConfig, serveWorkspace, startServeProcess, writeServeConfig, type ServeProcess, type ServeWorkspace } from './support/serve-process.js';

/**
 * The directory triggers JumpCloud Workflows offers, end to end: `idflow serve` (the built CLI)
 * with a `jumpcloud.directory_insights` source polling the emulator, which records the events of
 * the changes made through its API (and of a device enrolling, as the agent would). Each
 * workflow must run once per event it wants, with the payload it tests, and never again after
 * the source's cursor has moved on or serve restarts; an event from while serve was down is not
 * missed. The example organisation: john.smith is in Engineering; chris.taylor and marcus.hall
 * are in "VPN Users", priya.patel in "Backend Developers".
 */

const TEMPLATES: Record<string, string[]> = {
  'device-added.yaml': [
    'id: device-added',
    'name: A device was added',
    'inputs:',
    '  system_id: { type: string, required: true }',
    '  name: { type: string, required: true }',
    '  hostname: { type: string }',
    '  os: { type: string }',
    '  version: { type: string }',
    'triggers:',
    '  - type: event',
    '    event: jumpcloud.system.created',
    '    inputs: { system_id: "{{event.system.id}}", name: "{{event.system.displayName}}", hostname: "{{event.system.hostname}}", os: "{{event.system.os}}", version: "{{event.system.version}}" }',
    'steps:',
    '  - { id: note, action: log, with: { message: "{{inputs.name}} ({{inputs.os}} {{inputs.version}}) was added" } }',
    'output: { system_id: "{{inputs.system_id}}", name: "{{inputs.name}}", hostname: "{{inputs.hostname}}", os: "{{inputs.os}}", version: "{{inputs.version}}" }',
  ],
  'department-change.yaml': [
    'id: department-change',
    'name: A user changed department',
    'inputs:',
    '  username: { type: string, required: true }',
    '  from: { type: string }',
    '  to: { type: string }',
    '  fields: { type: array }',
    'triggers:',
    '  - type: event',
    '    event: jumpcloud.user.updated',
    '    if: { "in": ["department", { "var": "event.changed_fields" }] }',
    '    inputs: { username: "{{event.user.username}}", from: "{{event.changed.department.from}}", to: "{{event.changed.department.to}}", fields: "{{event.changed_fields}}" }',
    'steps:',
    '  - { id: note, action: log, with: { message: "{{inputs.username}} moved from {{inputs.from}} to {{inputs.to}}" } }',
    'output: { username: "{{inputs.username}}", from: "{{inputs.from}}", to: "{{inputs.to}}", fields: "{{inputs.fields}}" }',
  ],
  'left-vpn.yaml': [
    'id: left-vpn',
    'name: A user left the VPN group',
    'inputs:',
    '  username: { type: string, required: true }',
    '  user_id: { type: string, required: true }',
    '  group: { type: string, required: true }',
    'triggers:',
    '  - type: event',
    '    event: jumpcloud.group.member_removed',
    '    if: { "==": [{ "var": "event.group.name" }, "VPN Users"] }',
    '    inputs: { username: "{{event.user.username}}", user_id: "{{event.user.id}}", group: "{{event.group.name}}" }',
    'steps:',
    '  - { id: note, action: log, with: { message: "{{inputs.username}} left {{inputs.group}}" } }',
    'output: { username: "{{inputs.username}}", user_id: "{{inputs.user_id}}", group: "{{inputs.group}}" }',
  ],
};

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startExampleOrg();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

interface RunRow {
  id: string;
  status: string;
  trigger: { type: string; event: string; eventId: string; source: string };
}

function setup(): ServeWorkspace {
  const ws = serveWorkspace({ JUMPCLOUD_API_KEY: API_KEY });
  mkdirSync(join(ws.dir, 'templates'));
  for (const [file, lines] of Object.entries(TEMPLATES)) writeFileSync(join(ws.dir, 'templates', file), [...lines, ''].join('\n'));
  writeServeConfig(ws, offboardingServeConfig(emulator.url, ['event_sources:', '  - { type: jumpcloud.directory_insights, connection: jumpcloud, interval: 200ms }']));
  return ws;
}

async function runsOf(ws: ServeWorkspace, workflow: string): Promise<Array<RunRow & { output: Record<string, unknown> }>> {
  const list = await idflow(['runs', '--workflow', workflow, '--json'], { cwd: ws.dir, env: ws.env });
  expect(list.code, list.stderr).toBe(0);
  return (JSON.parse(list.stdout) as RunRow[]).map((run) => ({ ...run, output: JSON.parse(readFileSync(join(ws.store, 'runs', run.id, 'output.json'), 'utf8')) as Record<string, unknown> }));
}

/** How many runs of `workflow` this serve has logged as succeeded. */
function succeeded(serve: ServeProcess, workflow: string): number {
  return serve.stderr().match(new RegExp(`run \\S+ succeeded: ${workflow}\\b`, 'g'))?.length ?? 0;
}

/** Enrols a device the way the JumpCloud agent does (the API cannot create systems). */
async function enrolDevice(body: Record<string, unknown>): Promise<{ _id: string }> {
  const response = await fetch(`${emulator.url}/__sandbox/systems`, { method: 'POST', headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as { _id: string };
}

describe('directory triggers through idflow serve (built CLI)', () => {
  it('a device added, a department changed and a member leaving a group each run their workflow once, with the payload; none runs again after a restart, and a removal while serve was down is read', async () => {
    const ws = setup();
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: API_KEY, retry: { attempts: 1 } });
    const id = (name: string): string => emulator.state.user(name)?._id as string;
    const group = (name: string): string => emulator.state.snapshot().usergroups.find((g) => g.name === name)?.id as string;

    const first = await startServeProcess([], ws);
    let device: { _id: string } | undefined;
    try {
      await waitFor(() => first.stderr().includes('reading Directory Insights events from'), 10_000, 'the event source');
      device = await enrolDevice({ hostname: 'ann-mbp.local', displayName: 'ANN-MBP', os: 'Mac OS X', osFamily: 'darwin', version: '14.4.1', fde: { active: false, keyPresent: false } });
      // A change of title only: jumpcloud.user.updated, but not the department.
      await client.updateUser(id('john.smith'), { jobTitle: 'Staff Engineer' });
      await client.updateUser(id('john.smith'), { department: 'Platform' });
      // Leaving another group: jumpcloud.group.member_removed, but not VPN Users.
      await client.removeUserFromGroup(group('Backend Developers'), id('priya.patel'));
      await client.removeUserFromGroup(group('VPN Users'), id('chris.taylor'));
      await waitFor(() => succeeded(first, 'device-added') === 1 && succeeded(first, 'department-change') === 1 && succeeded(first, 'left-vpn') === 1, 20_000, 'the three runs');
      await new Promise((r) => setTimeout(r, 800)); // a few more polls: nothing may start twice
      expect([succeeded(first, 'device-added'), succeeded(first, 'department-change'), succeeded(first, 'left-vpn')]).toEqual([1, 1, 1]);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    // While serve is down: marcus.hall is deleted, which takes him out of Sales Team and VPN Users.
    await client.deleteUser(id('marcus.hall'));
    const marcus = emulator.state.events().find((e) => e.event_type === 'user_delete')?.resource.id;

    const second = await startServeProcess([], ws);
    try {
      await waitFor(() => succeeded(second, 'left-vpn') === 1, 20_000, 'the run for marcus.hall');
      await new Promise((r) => setTimeout(r, 800));
      expect([succeeded(second, 'device-added'), succeeded(second, 'department-change'), succeeded(second, 'left-vpn')]).toEqual([0, 0, 1]);
    } finally {
      expect(await second.stop()).toBe(0);
    }

    const added = await runsOf(ws, 'device-added');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      status: 'succeeded',
      trigger: { type: 'event', event: 'jumpcloud.system.created', source: 'jumpcloud.directory_insights' },
      output: { system_id: device?._id, name: 'ANN-MBP', hostname: 'ann-mbp.local', os: 'Mac OS X', version: '14.4.1' },
    });

    const moved = await runsOf(ws, 'department-change');
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ status: 'succeeded', trigger: { event: 'jumpcloud.user.updated' }, output: { username: 'john.smith', from: 'Engineering', to: 'Platform', fields: ['department'] } });

    const left = await runsOf(ws, 'left-vpn');
    expect(left.map((r) => r.output).sort((a, b) => String(a['username']).localeCompare(String(b['username'])))).toEqual([
      { username: 'chris.taylor', user_id: id('chris.taylor'), group: 'VPN Users' },
      { username: 'marcus.hall', user_id: marcus, group: 'VPN Users' },
    ]);
    expect(left.every((r) => r.status === 'succeeded' && r.trigger.event === 'jumpcloud.group.member_removed')).toBe(true);
    expect(new Set([...added, ...moved, ...left].map((r) => r.trigger.eventId)).size).toBe(4);
  });
});
