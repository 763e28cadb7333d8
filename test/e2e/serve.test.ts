import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../actions/jumpcloud/emulator/index.js';
import { createJumpCloudClient } from '../../actions/jumpcloud/client/jumpcloud-client.js';
import { idflow, repoRoot, waitFor } from '../support/cli.js';
import { API_KEY, startExampleOrg } from './support/real-org.js';
import { offboardingServeConfig, SERVE_ENV, serveWorkspace, startServeProcess, writeServeConfig, type ServeWorkspace } from './support/serve-process.js';

/**
 * `idflow serve` as users run it: the built CLI in its own process, real HTTP on loopback, the
 * JumpCloud emulator as the organisation (reached like a real one, through the config), SIGTERM.
 */

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startExampleOrg();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const plugin = join(repoRoot, 'test', 'fixtures', 'plugins', 'file-state.mjs');

function config(extra: string[] = []): string {
  return offboardingServeConfig(emulator.url, extra);
}

/**
 * A template whose `remove` step (the file-state plugin's) waits at `gate` until the test
 * creates it, then a `log` step: a run is in flight for as long as the test wants.
 */
function writeSlowLeaver(ws: ServeWorkspace, state: string, gate: string): void {
  writeFileSync(join(ws.dir, 'templates', 'slow.yaml'), [
    'id: slow-leaver',
    'name: Slow leaver',
    'subject: "{{inputs.email}}"',
    'inputs: { email: { type: string, required: true } }',
    'triggers: [{ type: event, event: hr.employee.terminated, inputs: { email: "{{event.email}}" } }]',
    'steps:',
    `  - { id: remove, action: fixture.members.remove, with: { file: ${JSON.stringify(state)}, members: ["{{inputs.email}}"], wait_for: ${JSON.stringify(gate)} } }`,
    '  - { id: announce, action: log, with: { message: "removed {{inputs.email}}" } }',
    '',
  ].join('\n'));
}

function userState(username: string): string | undefined {
  return emulator.state.snapshot().users.find((u) => u.username === username)?.state;
}

function cli(args: string[], ws: ServeWorkspace) {
  return idflow(args, { cwd: ws.dir, env: ws.env });
}

describe('idflow serve (built CLI)', () => {
  it('a signed hr.employee.terminated event runs the wider offboarding, whose JumpCloud sub-workflow suspends the user', async () => {
    const ws = serveWorkspace({ JUMPCLOUD_API_KEY: API_KEY });
    writeServeConfig(ws, config());
    const serve = await startServeProcess(['--workflows', join(repoRoot, 'examples', 'serve')], ws);
    try {
      expect((await serve.get('/api/workflows')).status).toBe(401);
      const payload = JSON.parse(readFileSync(join(repoRoot, 'examples', 'serve', 'hr-employee-terminated.json'), 'utf8')) as Record<string, unknown>;
      const answer = await serve.post('hr.employee.terminated', payload);
      expect(answer.status).toBe(202);
      expect(answer.body).toMatchObject({ id: 'hris-evt-2026-03-04-0001', runs: [{ workflow: 'employee-offboarding' }], skipped: [] });
      const runId = answer.body.runs[0].runId as string;
      let report: any;
      const deadline = Date.now() + 20_000;
      for (;;) {
        report = (await serve.get(`/api/runs/${runId}`, SERVE_ENV.IDFLOW_SERVE_TOKEN)).body;
        if (report.meta.status !== 'running' || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(report.meta).toMatchObject({ status: 'succeeded', trigger: { type: 'event', event: 'hr.employee.terminated', eventId: 'hris-evt-2026-03-04-0001', source: 'hr' } });
      const childId = report.meta.childRunIds[0] as string;
      const child = (await serve.get(`/api/runs/${childId}`, SERVE_ENV.IDFLOW_SERVE_TOKEN)).body;
      expect(child.meta).toMatchObject({ status: 'succeeded', parentRunId: runId, workflow: { id: 'jumpcloud-offboarding' }, subject: 'john.smith@company.com', reason: 'Employee termination' });
      expect(report.output).toMatchObject({ email: 'john.smith@company.com', jumpcloud_run: childId, jumpcloud: { actions_taken: { account_status: 'disabled' } }, devices_locked: false });
      expect(userState('john.smith')).toBe('SUSPENDED');

      const runs = await cli(['runs', '--json'], ws);
      expect((JSON.parse(runs.stdout) as Array<{ id: string }>).map((r) => r.id).sort()).toEqual([childId, runId].sort());
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('SIGTERM drains the run in flight to a step boundary, exits 0, and idflow resume finishes the run', async () => {
    const ws = serveWorkspace();
    mkdirSync(join(ws.dir, 'templates'));
    const state = join(ws.dir, 'members.json');
    writeFileSync(state, JSON.stringify({ members: ['ann@x.com'] }));
    // The remove step waits at this gate: it is in flight until the test opens it, however slow the machine.
    const gate = join(ws.dir, 'gate.open');
    writeSlowLeaver(ws, state, gate);
    writeServeConfig(ws, config());
    const serve = await startServeProcess(['--plugin', plugin], ws);
    const answer = await serve.post('hr.employee.terminated', { id: 'slow-1', email: 'ann@x.com' });
    const runId = answer.body.runs[0].runId as string;
    await waitFor(() => readFileSync(join(ws.store, 'runs', runId, 'journal.jsonl'), 'utf8').includes('"step.started"'), 10_000, 'the first step to start');
    const stopping = serve.stop();
    await waitFor(() => /SIGTERM: shutting down/.test(serve.stderr()), 10_000, 'serve to begin shutting down');
    writeFileSync(gate, '');
    expect(await stopping).toBe(0);
    // The step in flight finished; the run stopped before the next one, resumable.
    expect(JSON.parse(readFileSync(state, 'utf8')).members).toEqual([]);
    const shown = JSON.parse((await cli(['runs', 'show', runId, '--json'], ws)).stdout);
    expect(shown.meta.status).toBe('interrupted');
    expect(shown.steps.map((s: { step: string; status: string }) => [s.step, s.status])).toEqual([['remove', 'succeeded']]);

    const resumed = await cli(['resume', runId, '--plugin', plugin], ws);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = JSON.parse((await cli(['runs', 'show', runId, '--json'], ws)).stdout);
    expect(after.meta.status).toBe('succeeded');
    expect(after.steps.map((s: { step: string; status: string; attempts: number }) => [s.step, s.status, s.attempts])).toEqual([['remove', 'succeeded', 1], ['announce', 'succeeded', 1]]);
  });

  it('after kill -9 mid-run, the restarted serve resumes the run it left running; a retry of the event is told the run and its status', async () => {
    const ws = serveWorkspace();
    mkdirSync(join(ws.dir, 'templates'));
    const state = join(ws.dir, 'members.json');
    writeFileSync(state, JSON.stringify({ members: ['ann@x.com', 'bob@x.com'] }));
    const gate = join(ws.dir, 'gate.open');
    writeSlowLeaver(ws, state, gate);
    writeServeConfig(ws, config());
    const first = await startServeProcess(['--plugin', plugin], ws);
    const answer = await first.post('hr.employee.terminated', { id: 'crash-1', email: 'ann@x.com' });
    expect(answer.status).toBe(202);
    const runId = answer.body.runs[0].runId as string;
    await waitFor(() => readFileSync(join(ws.store, 'runs', runId, 'journal.jsonl'), 'utf8').includes('"step.started"'), 10_000, 'the first step to start');
    first.kill();
    await first.exited();
    // Left as serve died: recorded running, its process gone, its subject lock still on disk.
    expect(JSON.parse(readFileSync(join(ws.store, 'runs', runId, 'run.json'), 'utf8')).status).toBe('running');
    writeFileSync(gate, '');

    const second = await startServeProcess(['--plugin', plugin], ws);
    try {
      expect(second.stderr()).toContain(`run ${runId} (slow-leaver for ann@x.com, event hr.employee.terminated crash-1 from hr) was interrupted when serve stopped: resuming it`);
      // The sender retries (it never trusts one answer): told the run and how it stands, not "nothing started".
      const retry = await second.post('hr.employee.terminated', { id: 'crash-1', email: 'ann@x.com' });
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ duplicate: true, runs: [{ workflow: 'slow-leaver', runId, status: expect.stringMatching(/^(running|succeeded)$/) }] });
      await waitFor(() => /succeeded after resuming/.test(second.stderr()), 15_000, 'the resumed run to end');
      const view = await second.get('/api/events/hr/crash-1', SERVE_ENV.IDFLOW_SERVE_TOKEN);
      expect(view.body).toMatchObject({ id: 'crash-1', runs: [{ runId, status: 'succeeded' }], pending: [], skipped: [] });
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(JSON.parse(readFileSync(state, 'utf8')).members).toEqual(['bob@x.com']);
    const shown = JSON.parse((await cli(['runs', 'show', runId, '--json'], ws)).stdout);
    expect(shown.meta.status).toBe('succeeded');
    expect(shown.steps.map((s: { step: string; status: string }) => [s.step, s.status])).toEqual([['remove', 'succeeded'], ['announce', 'succeeded']]);
    expect(readdirSync(join(ws.store, 'locks')).filter((name) => name.endsWith('.lock'))).toEqual([]);
  });

  it('a Directory Insights event starts its workflow exactly once across a restart, and one that happens while serve is down is not missed', async () => {
    const ws = serveWorkspace({ JUMPCLOUD_API_KEY: API_KEY });
    mkdirSync(join(ws.dir, 'templates'));
    writeFileSync(join(ws.dir, 'templates', 'watch.yaml'), [
      'id: suspension-watch',
      'name: Suspension watch',
      'inputs: { username: { type: string, required: true } }',
      'triggers: [{ type: event, event: jumpcloud.user.suspended, inputs: { username: "{{event.user.username}}" } }]',
      'steps:',
      '  - { id: note, action: log, with: { message: "{{inputs.username}} was suspended" } }',
      'output: { username: "{{inputs.username}}" }',
      '',
    ].join('\n'));
    writeServeConfig(ws, config(['event_sources:', '  - { type: jumpcloud.directory_insights, connection: jumpcloud, interval: 200ms }']));
    const client = createJumpCloudClient({ baseUrl: emulator.url, apiKey: API_KEY, retry: { attempts: 1 } });
    const suspended = async () => {
      const list = await cli(['runs', '--workflow', 'suspension-watch', '--json'], ws);
      return (JSON.parse(list.stdout) as Array<{ id: string; trigger: { eventId: string } }>);
    };
    const userId = (name: string) => emulator.state.snapshot().users.find((u) => u.username === name)?._id as string;

    const first = await startServeProcess([], ws);
    await waitFor(() => first.stderr().includes('reading Directory Insights events from'), 10_000, 'the event source');
    await client.suspendUser(userId('jane.doe'));
    await waitFor(() => /run \S+ succeeded: suspension-watch/.test(first.stderr()), 15_000, 'the run for jane.doe');
    expect(await first.stop()).toBe(0);

    // While serve is down.
    await client.suspendUser(userId('alex.nguyen'));

    const second = await startServeProcess([], ws);
    await waitFor(() => /run \S+ succeeded: suspension-watch/.test(second.stderr()), 15_000, 'the run for alex.nguyen');
    await new Promise((r) => setTimeout(r, 600)); // a few more polls: nothing may start twice
    expect(await second.stop()).toBe(0);

    const runs = await suspended();
    expect(runs).toHaveLength(2);
    expect(new Set(runs.map((r) => r.trigger.eventId)).size).toBe(2);
    const outputs = runs.map((r) => JSON.parse(readFileSync(join(ws.store, 'runs', r.id, 'output.json'), 'utf8')).username).sort();
    expect(outputs).toEqual(['alex.nguyen', 'jane.doe']);
  });

  it('does not fire a disabled workflow (the answer says so), and a manual run of it warns but runs', async () => {
    const ws = serveWorkspace();
    mkdirSync(join(ws.dir, 'templates'));
    writeFileSync(join(ws.dir, 'templates', 'greet.yaml'), 'id: greet\nname: Greet\ninputs: { who: { type: string, required: true } }\ntriggers:\n  - { type: manual }\n  - { type: event, event: hr.employee.hired, inputs: { who: "{{event.name}}" } }\n  - { type: schedule, cron: "0 9 * * 1-5", timezone: Europe/Berlin }\nsteps:\n  - { id: hello, action: log, with: { message: "hello {{inputs.who}}" } }\n');
    writeServeConfig(ws, config());
    const disabled = await cli(['workflows', 'disable', 'greet', '--by', 'ops@x.com', '--reason', 'onboarding paused'], ws);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toContain('greet is now disabled');
    expect((await cli(['workflows', 'disable', 'greet'], ws)).stdout).toContain('greet was already disabled');
    const unknown = await cli(['workflows', 'enable', 'gret'], ws);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No workflow "gret"');
    expect(unknown.stderr).toContain('Did you mean "greet"?');

    const listed = JSON.parse((await cli(['workflows', 'list', '--json'], ws)).stdout);
    expect(listed).toEqual([expect.objectContaining({ id: 'greet', enabled: false, changedBy: 'ops@x.com', nextScheduled: null })]);
    expect((await cli(['workflows', 'list'], ws)).stdout).toMatch(/greet\s+disabled\s+manual, event hr.employee.hired, schedule "0 9 \* \* 1-5" Europe\/Berlin/);

    const serve = await startServeProcess([], ws);
    try {
      const answer = await serve.post('hr.employee.hired', { id: 'h-1', name: 'Ann' });
      expect(answer.body).toMatchObject({ runs: [], skipped: [{ workflow: 'greet', reason: expect.stringContaining('the workflow is disabled') }] });
    } finally {
      expect(await serve.stop()).toBe(0);
    }
    const manual = await cli(['run', 'templates/greet.yaml', '--input', 'who=Bob'], ws);
    expect(manual.code, manual.stderr).toBe(0);
    expect(manual.stderr).toContain('idflow: warning: greet is disabled by ops@x.com');
    expect((await cli(['workflows', 'enable', 'greet'], ws)).stdout).toContain('greet is now enabled');
    const quiet = await cli(['run', 'templates/greet.yaml', '--input', 'who=Bob'], ws);
    expect(quiet.stderr).not.toContain('is disabled');
  });

  it('refuses to start, listing every problem, when a template or the serve settings are wrong (exit 2)', async () => {
    const ws = serveWorkspace({ HR_WEBHOOK_SECRET: undefined });
    mkdirSync(join(ws.dir, 'templates'));
    writeFileSync(join(ws.dir, 'templates', 'bad.yaml'), 'id: bad\nname: Bad\ntriggers: [{ type: schedule, cron: "0 2 * * *", timezone: Europe/Berln }]\nsteps:\n  - { id: a, action: lgo }\n');
    writeServeConfig(ws, config());
    const result = await idflow(['serve', '--port', '0'], { cwd: ws.dir, env: ws.env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('idflow serve did not start: 3 problems to fix first');
    expect(result.stderr).toMatch(/bad\.yaml:5:\d+: error: .*lgo/);
    expect(result.stderr).toContain('"Europe/Berln" is not an IANA time zone');
    expect(result.stderr).toContain('the shared secret of source "hr" reads the environment variable HR_WEBHOOK_SECRET, which is not set');
  });
});
