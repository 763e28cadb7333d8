import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunMeta } from '../../../engine/store/journal-events.js';
import { buildRunReport } from '../../../engine/store/run-report.js';
import { RunStore } from '../../../engine/store/run-store.js';
import type { RunHandle } from '../../../engine/store/run-handle.js';
import { deadPid } from '../store/child-process-helpers.js';
import { recordFailedRun, sampleNewRun } from '../store/run-fixture.js';

const execute = promisify(execFile);
/** The CLI as built by the global setup, run with plain node as npm's bin would. */
const IDFLOW = resolve(import.meta.dirname, '../../../dist/engine/cli/main.js');

async function idflow(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
  if (options.env?.['IDFLOW_HOME'] === undefined) delete env['IDFLOW_HOME'];
  try {
    const { stdout, stderr } = await execute(process.execPath, [IDFLOW, ...args], { cwd: options.cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('idflow runs (the built CLI)', () => {
  let dir: string;
  let storeDir: string;
  let failed: RunHandle;
  let interrupted: RunHandle;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idflow-runs-cli-'));
    storeDir = join(dir, 'store');
    const store = new RunStore(storeDir);
    failed = recordFailedRun(store);
    interrupted = store.createRun(sampleNewRun({ workflow: { id: 'welcome', name: 'Welcome' }, subject: 'jane@example.com' }));
    interrupted.append({ type: 'run.started', at: new Date().toISOString(), runId: interrupted.id, workflowId: 'welcome', session: 1, pid: process.pid });
    interrupted.updateMeta({ pid: await deadPid(), startedAt: '2099-01-01T00:00:00.000Z' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists runs newest first as a table', async () => {
    const result = await idflow(['runs', '--store', storeDir], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+WORKFLOW\s+SUBJECT\s+STATUS\s+STARTED\s+DURATION$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/).slice(0, 4))).toEqual([
      [interrupted.id, 'welcome', 'jane@example.com', 'interrupted'],
      [failed.id, 'offboard', 'john@example.com', 'failed'],
    ]);
  });

  it('filters by workflow and status, limits, and prints JSON', async () => {
    const byWorkflow = await idflow(['runs', '--store', storeDir, '--workflow', 'offboard', '--json'], { cwd: dir });
    expect(byWorkflow.code).toBe(0);
    expect((JSON.parse(byWorkflow.stdout) as RunMeta[]).map((meta) => meta.id)).toEqual([failed.id]);
    const byStatus = await idflow(['runs', '--store', storeDir, '--status', 'interrupted', '--json'], { cwd: dir });
    const metas = JSON.parse(byStatus.stdout) as RunMeta[];
    expect(metas.map((meta) => [meta.id, meta.status])).toEqual([[interrupted.id, 'interrupted']]);
    const limited = await idflow(['runs', '--store', storeDir, '--limit', '1', '--json'], { cwd: dir });
    expect((JSON.parse(limited.stdout) as RunMeta[]).map((meta) => meta.id)).toEqual([interrupted.id]);
    const none = await idflow(['runs', '--store', storeDir, '--status', 'running'], { cwd: dir });
    expect(none).toMatchObject({ code: 0, stdout: `No runs match (store: ${storeDir}).\n` });
  });

  it('refuses a bad --status or --limit with exit code 2', async () => {
    const status = await idflow(['runs', '--store', storeDir, '--status', 'faild'], { cwd: dir });
    expect(status.code).toBe(2);
    expect(status.stderr).toBe('idflow: error: Unknown status "faild" for --status; use one of running, succeeded, failed, interrupted, cancelled, skipped. Did you mean "failed"?\n');
    const limit = await idflow(['runs', '--store', storeDir, '--limit', 'ten'], { cwd: dir });
    expect(limit).toMatchObject({ code: 2, stderr: 'idflow: error: --limit must be a positive whole number (got "ten")\n' });
  });

  it('shows one run step by step, by a unique prefix of its id', async () => {
    const result = await idflow(['runs', 'show', failed.id.slice(0, 16), '--store', storeDir], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`Run ${failed.id}  failed`);
    expect(lines).toContain('  3. backup  skipped (if: false)');
    expect(lines).toContain('       attempt 1 failed: HTTP 503 Service Unavailable [TRANSIENT]  (retried after 1.0s)');
    expect(lines).toContain('  {"user":"john@example.com","groups_removed":2}');
  });

  it('shows one run as JSON, whichever side of "show" the options are on', async () => {
    const expected = JSON.parse(JSON.stringify(buildRunReport(failed.meta(), failed.events(), failed.output()))) as unknown;
    for (const args of [['runs', 'show', failed.id, '--json', '--store', storeDir], ['runs', '--store', storeDir, '--json', 'show', failed.id]]) {
      const result = await idflow(args, { cwd: dir });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(expected);
    }
  });

  it('says clearly when no run matches, with exit code 2', async () => {
    const result = await idflow(['runs', 'show', '19990101', '--store', storeDir], { cwd: dir });
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: `idflow: error: No run with id "19990101" in the store ${storeDir}; "idflow runs" lists them\n` });
  });

  it('finds the store through IDFLOW_HOME, then the config\'s store:, then ./.idflow; --store wins', async () => {
    const project = join(dir, 'project');
    mkdirSync(project, { recursive: true });
    const viaHome = await idflow(['runs', '--json'], { cwd: project, env: { IDFLOW_HOME: storeDir } });
    expect((JSON.parse(viaHome.stdout) as RunMeta[]).length).toBe(2);
    writeFileSync(join(project, 'idflow.config.yaml'), `store: ${join('..', 'store')}\n`);
    const viaConfig = await idflow(['runs', '--json'], { cwd: project });
    expect((JSON.parse(viaConfig.stdout) as RunMeta[]).length).toBe(2);
    rmSync(join(project, 'idflow.config.yaml'));
    const viaDefault = await idflow(['runs'], { cwd: project });
    expect(viaDefault).toMatchObject({ code: 0, stdout: `No runs yet (store: ${join(project, '.idflow')}).\n` });
    const storeWins = await idflow(['runs', '--store', join(dir, 'elsewhere')], { cwd: project, env: { IDFLOW_HOME: storeDir } });
    expect(storeWins.stdout).toBe(`No runs yet (store: ${join(dir, 'elsewhere')}).\n`);
  });

  it('refuses to guess the store from a broken config file (exit 2, problems shown)', async () => {
    const project = join(dir, 'broken');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'idflow.config.yaml'), 'store: [1, 2\n');
    const result = await idflow(['runs'], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has problems, so the store it names is unknown');
  });
});
