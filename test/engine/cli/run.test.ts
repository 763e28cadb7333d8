import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idflow, repoRoot, spawnIdflow, waitFor } from '../../support/cli.js';

/**
 * `idflow run`, `plan` and `resume` through the built CLI, with a test plugin whose actions
 * keep their state in a file (test/fixtures/plugins/file-state.mjs).
 */

const plugin = join(repoRoot, 'test', 'fixtures', 'plugins', 'file-state.mjs');
const MEMBERS = Array.from({ length: 12 }, (_, i) => `member-${String(i).padStart(2, '0')}`);

function workspace(): { dir: string; state: string; template: string } {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-run-'));
  const state = join(dir, 'state.json');
  writeFileSync(state, JSON.stringify({ members: MEMBERS }));
  const template = join(dir, 'remove.yaml');
  writeFileSync(template, [
    'id: remove-members',
    'name: Remove members',
    'subject: "{{inputs.team}}"',
    'plugins: [' + JSON.stringify(plugin) + ']',
    'inputs:',
    '  team: { type: string, required: true }',
    '  delay: { type: integer, default: 0 }',
    'steps:',
    '  - id: first_half',
    '    action: fixture.members.remove',
    '    with: { file: ' + JSON.stringify(state) + ', members: ' + JSON.stringify(MEMBERS.slice(0, 6)) + ', delay_ms: "{{inputs.delay}}" }',
    '  - id: second_half',
    '    action: fixture.members.remove',
    '    with: { file: ' + JSON.stringify(state) + ', members: ' + JSON.stringify(MEMBERS.slice(6)) + ', delay_ms: "{{inputs.delay}}" }',
    'output:',
    '  removed: "{{steps.first_half.output.removed}}"',
    '  removed_later: "{{steps.second_half.output.removed}}"',
    '',
  ].join('\n'));
  return { dir, state, template };
}

const env = (dir: string) => ({ IDFLOW_HOME: join(dir, 'store') });

describe('idflow run', () => {
  it('runs a template, prints only the returned data with --json, and reports a second run as unchanged', async () => {
    const ws = workspace();
    const first = await idflow(['run', ws.template, '--input', 'team=blue', '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(first.stderr).toContain('Remove members');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ removed: 6, removed_later: 6 });
    const second = await idflow(['run', ws.template, '--input', 'team=blue', '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(JSON.parse(second.stdout)).toEqual({ removed: 0, removed_later: 0 });
    expect(second.stderr).toMatch(/first_half\s+unchanged/);
  });

  it('refuses bad inputs with exit code 2 before anything runs', async () => {
    const ws = workspace();
    const result = await idflow(['run', ws.template, '--input', 'team=blue', '--input', 'delay=soon', '--input', 'tema=x'], { cwd: ws.dir, env: env(ws.dir) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('input "delay" must be a whole number; got "soon"');
    expect(result.stderr).toContain('unknown input "tema"');
    expect(result.stderr).toContain('Did you mean "team"?');
    expect(JSON.parse(readFileSync(ws.state, 'utf8')).members).toHaveLength(12);
    expect(existsSync(join(ws.dir, 'store', 'runs'))).toBe(false);
  });

  it('resumes a run killed with SIGKILL mid-step to the same end state as an uninterrupted run', async () => {
    const ws = workspace();
    const child = spawnIdflow(['run', ws.template, '--input', 'team=red', '--input', 'delay=60'], { cwd: ws.dir, env: env(ws.dir) });
    // Kill it once the first step has removed some members but not all.
    await waitFor(() => JSON.parse(readFileSync(ws.state, 'utf8')).members.length <= 9, 15_000, 'some members removed');
    child.kill('SIGKILL');
    await child.exited;
    const remaining = JSON.parse(readFileSync(ws.state, 'utf8')).members.length;
    expect(remaining).toBeGreaterThan(0);
    const [runId] = readdirSync(join(ws.dir, 'store', 'runs'));
    const listed = await idflow(['runs', '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ id: runId, status: 'interrupted' });

    const resumed = await idflow(['resume', runId as string, '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(resumed.code).toBe(0);
    // Counts cover the whole run, including what the killed session removed.
    expect(JSON.parse(resumed.stdout)).toEqual({ removed: 6, removed_later: 6 });
    expect(JSON.parse(readFileSync(ws.state, 'utf8')).members).toEqual([]);
    const audit = await idflow(['audit', 'verify', runId as string], { cwd: ws.dir, env: env(ws.dir) });
    expect(audit.code).toBe(0);
    const shown = await idflow(['runs', 'show', runId as string, '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(JSON.parse(shown.stdout)).toMatchObject({ meta: { status: 'succeeded' }, sessions: [{}, {}] });
  });

  it('counts a change the kill cut off between making it and recording it, once resumed', async () => {
    const ws = workspace();
    const hold = join(ws.dir, 'hold');
    writeFileSync(hold, '');
    const template = join(ws.dir, 'held.yaml');
    writeFileSync(template, [
      'id: remove-held',
      'name: Remove held',
      'plugins: [' + JSON.stringify(plugin) + ']',
      'steps:',
      '  - id: remove',
      '    action: fixture.members.remove',
      '    with: { file: ' + JSON.stringify(ws.state) + ', members: ' + JSON.stringify(MEMBERS.slice(0, 3)) + ', hold_while: ' + JSON.stringify(hold) + ' }',
      'output:',
      '  removed: "{{steps.remove.output.removed}}"',
      '',
    ].join('\n'));
    const child = spawnIdflow(['run', template], { cwd: ws.dir, env: env(ws.dir) });
    // The first member is gone from the state, and its outcome is not yet in the run's journal.
    await waitFor(() => JSON.parse(readFileSync(ws.state, 'utf8')).members.length === 11, 15_000, 'the first removal');
    child.kill('SIGKILL');
    await child.exited;
    rmSync(hold);
    const [runId] = readdirSync(join(ws.dir, 'store', 'runs'));
    const resumed = await idflow(['resume', runId as string, '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual({ removed: 3 });
    const shown = await idflow(['runs', 'show', runId as string, '--json'], { cwd: ws.dir, env: env(ws.dir) });
    const [step] = JSON.parse(shown.stdout).steps as { changes: { target: string; result?: string; note?: string }[] }[];
    // Each member once as made, the first with the note that says how it was counted.
    const made = step?.changes.filter((change) => change.result !== 'started');
    expect(made?.map((change) => change.target)).toEqual(['member-00', 'member-01', 'member-02']);
    expect(made?.[0]?.note).toBe('made before the interruption');
  });

  it('stops cleanly on SIGINT with exit code 130, resumable', async () => {
    const ws = workspace();
    const child = spawnIdflow(['run', ws.template, '--input', 'team=green', '--input', 'delay=200'], { cwd: ws.dir, env: env(ws.dir) });
    await waitFor(() => child.output().stderr.includes('first_half'), 15_000, 'the first step to start');
    child.kill('SIGINT');
    expect(await child.exited).toBe(130);
    expect(child.output().stderr).toContain('idflow resume');
    const [runId] = readdirSync(join(ws.dir, 'store', 'runs'));
    const resumed = await idflow(['resume', runId as string, '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(readFileSync(ws.state, 'utf8')).members).toEqual([]);
  });
});

describe('idflow plan', () => {
  let server: Server;
  let url: string;
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.method ?? '');
      res.end('current');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/resource`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('makes no mutating call (counted by the server) and lists the changes', async () => {
    const ws = workspace();
    const template = join(ws.dir, 'touch.yaml');
    writeFileSync(template, `id: touch\nname: Touch\nplugins: [${JSON.stringify(plugin)}]\nsteps:\n  - id: touch\n    action: fixture.http.touch\n    with: { url: ${JSON.stringify(url)} }\n  - id: members\n    action: fixture.members.remove\n    with: { file: ${JSON.stringify(ws.state)}, members: ["member-00", "member-01", "nobody"] }\n`);
    requests.length = 0;
    const plan = await idflow(['plan', template], { cwd: ws.dir, env: env(ws.dir) });
    expect(plan.code).toBe(0);
    expect(requests).toEqual(['GET']);
    expect(plan.stdout).toContain('~ update ' + url);
    expect(plan.stdout).toContain('- remove member-00');
    expect(plan.stdout).toContain('3 changes in 2 steps. Nothing was changed.');
    const json = await idflow(['run', template, '--dry-run', '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(requests).toEqual(['GET', 'GET']);
    expect(JSON.parse(json.stdout)).toMatchObject({ workflow: { id: 'touch' }, totalChanges: 3, steps: [{ id: 'touch', status: 'would_run' }, { id: 'members', status: 'would_run' }] });
    expect(JSON.parse(readFileSync(ws.state, 'utf8')).members).toHaveLength(12);
    expect(existsSync(join(ws.dir, 'store', 'runs'))).toBe(false);
  });
});

describe('bulk runs', () => {
  it('starts one run per CSV row, refuses more subjects than the blast radius without --yes, and summarises', async () => {
    const ws = workspace();
    const csv = join(ws.dir, 'teams.csv');
    writeFileSync(csv, ['team,delay', ...Array.from({ length: 11 }, (_, i) => `team-${i},0`)].join('\n'));
    const refused = await idflow(['run', ws.template, '--inputs-file', csv], { cwd: ws.dir, env: env(ws.dir) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('This would start 11 runs of "Remove members", more than the blast radius of 10; add --yes to confirm');
    const bulk = await idflow(['run', ws.template, '--inputs-file', csv, '--yes', '--concurrency', '3'], { cwd: ws.dir, env: env(ws.dir) });
    expect(bulk.code).toBe(0);
    expect(bulk.stdout).toContain('11 runs: 11 succeeded, 0 failed');
    expect(bulk.stderr).toContain('[11/11]');
  });

  it('checks every row before anything runs, and reports failing rows per run', async () => {
    const ws = workspace();
    const bad = join(ws.dir, 'bad.jsonl');
    writeFileSync(bad, '{"team":"a"}\n{"team":"b","delay":"x"}\n{"team":"a"}\nnot json\n');
    const refused = await idflow(['run', ws.template, '--inputs-file', bad], { cwd: ws.dir, env: env(ws.dir) });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('line 4: not valid JSON');
    const bad2 = join(ws.dir, 'bad2.jsonl');
    writeFileSync(bad2, '{"team":"a"}\n{"team":"b","delay":"x"}\n{"team":"A"}\n');
    const refused2 = await idflow(['run', ws.template, '--inputs-file', bad2], { cwd: ws.dir, env: env(ws.dir) });
    expect(refused2.code).toBe(2);
    expect(refused2.stderr).toContain('row at line 2: input "delay" must be a whole number');
    expect(refused2.stderr).toContain('row at line 3: is for "A" again (first at line 1); one run per subject');
    expect(existsSync(join(ws.dir, 'store', 'runs'))).toBe(false);

    // A row whose values make a step parameter invalid (delay_ms has minimum 0) refuses the batch too.
    const failing = join(ws.dir, 'failing.csv');
    writeFileSync(failing, 'team,delay\nok-1,0\nslow,-5\nok-2,0\n');
    const refused3 = await idflow(['run', ws.template, '--inputs-file', failing, '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(refused3.code).toBe(2);
    expect(refused3.stderr).toContain('row at line 3: step "first_half" (fixture.members.remove): parameter "delay_ms" must be >= 0, got -5');
    expect(existsSync(join(ws.dir, 'store', 'runs'))).toBe(false);

    // A row whose run fails does not stop the others; the summary lists it. (Here the delay
    // passes through a step's output, so only the step itself can find it wrong.)
    const indirect = join(ws.dir, 'indirect.yaml');
    writeFileSync(indirect, readFileSync(ws.template, 'utf8')
      .replace('steps:\n', 'steps:\n  - id: pick\n    action: data.set\n    with: { values: { delay: "{{inputs.delay}}" } }\n')
      .replaceAll('delay_ms: "{{inputs.delay}}"', 'delay_ms: "{{steps.pick.output.delay}}"'));
    const mixed = await idflow(['run', indirect, '--inputs-file', failing, '--json'], { cwd: ws.dir, env: env(ws.dir) });
    expect(mixed.code).toBe(1);
    const rows = JSON.parse(mixed.stdout) as Array<{ subject: string; status: string; runId?: string }>;
    expect(rows.map((r) => [r.subject, r.status])).toEqual([['ok-1', 'succeeded'], ['slow', 'failed'], ['ok-2', 'succeeded']]);
    expect(rows.every((r) => typeof r.runId === 'string')).toBe(true);
  });
});
