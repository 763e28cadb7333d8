import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../actions/jumpcloud/emulator/index.js';
import { createJumpCloudClient } from '../../actions/jumpcloud/client/jumpcloud-client.js';
import { Runtime } from '../../engine/runtime/runtime.js';
import { startServe } from '../../engine/serve/serve-host.js';
import { idflow, repoRoot } from '../support/cli.js';
import { API_KEY, startExampleOrg } from './support/real-org.js';
import { serveWorkspace, writeServeConfig } from './support/serve-process.js';

/**
 * Deferred deletion end to end: `idflow run` of the offboarding with removal_mode disable and
 * jumpcloud_retention_days 30 records a durable timer per user; `idflow timers` lists and
 * cancels them; serve, with its clock 31 days ahead, fires the due ones as runs of
 * jumpcloud.user.delete_if_suspended, which deletes a still-suspended user and skips a
 * reactivated one.
 */

const DAY = 86_400_000;
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startExampleOrg();
});
afterAll(() => emulator.close());

describe('deferred deletion through durable timers', () => {
  it('schedules on offboarding, lists and cancels from the CLI, and fires when due: delete if still suspended, skip if reactivated', async () => {
    const ws = serveWorkspace({ JUMPCLOUD_API_KEY: API_KEY });
    const configFile = writeServeConfig(ws, [
      'vars:',
      '  jumpcloud_removal_mode: disable',
      '  jumpcloud_retention_days: 30',
      '  jumpcloud_notify_on_removal: false',
      'connections:',
      '  jumpcloud:',
      `    base_url: ${JSON.stringify(emulator.url)}`,
      '    api_key: { env: JUMPCLOUD_API_KEY }',
      '    protected_accounts: [admin@company.com]',
      '',
    ].join('\n'));
    const cli = (args: string[]) => idflow(args, { cwd: ws.dir, env: ws.env });
    const template = join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml');
    for (const user of ['john.smith', 'priya.patel', 'alex.nguyen']) {
      const run = await cli(['run', template, '--input', `user_identifier=${user}`, '--quiet']);
      expect(run.code, run.stderr).toBe(0);
    }
    const users = () => emulator.state.snapshot().users;
    const idOf = (name: string) => users().find((u) => u.username === name)?._id as string;
    expect(users().filter((u) => ['john.smith', 'priya.patel', 'alex.nguyen'].includes(u.username)).map((u) => u.state)).toEqual(['SUSPENDED', 'SUSPENDED', 'SUSPENDED']);

    const pending = JSON.parse((await cli(['timers', 'list', '--json'])).stdout) as Array<{ id: string; action: string; params: { user_id: string }; dueAt: string; state: string; scheduledBy: { workflowId: string } }>;
    expect(pending).toHaveLength(3);
    for (const timer of pending) {
      expect(timer).toMatchObject({ action: 'jumpcloud.user.delete_if_suspended', state: 'pending', scheduledBy: { workflowId: 'jumpcloud-offboarding' } });
      expect(Math.abs(Date.parse(timer.dueAt) - (Date.now() + 30 * DAY))).toBeLessThan(5 * 60_000);
    }
    const table = await cli(['timers', 'list']);
    expect(table.stdout).toMatch(/^ID\s+STATE\s+DUE\s+ACTION\s+DESCRIPTION\s+RUN/);
    expect(table.stdout).toContain('Delete john.smith after 30 days of retention');

    // By name, read now: a deleted user has no id to look up later.
    const timers = new Map(['john.smith', 'priya.patel', 'alex.nguyen'].map((name) => [name, pending.find((t) => t.params.user_id === idOf(name)) as (typeof pending)[number]]));
    const timerOf = (name: string) => timers.get(name) as (typeof pending)[number];
    const cancelled = await cli(['timers', 'cancel', timerOf('alex.nguyen').id, '--by', 'ops@x.com', '--reason', 'contract extended']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain(`Cancelled timer ${timerOf('alex.nguyen').id}`);
    expect((await cli(['timers', 'cancel', timerOf('alex.nguyen').id])).code).toBe(1);
    expect((await cli(['timers', 'cancel', 'tm-19990101-nothere'])).code).toBe(2);

    // Priya comes back before her retention ends.
    await createJumpCloudClient({ baseUrl: emulator.url, apiKey: API_KEY, retry: { attempts: 1 } }).activateUser(idOf('priya.patel'));

    // Nothing is due yet for a serve on today's clock.
    const log = new Writable({ write: (_c, _e, cb) => cb() });
    const start = async (offsetMs: number) => {
      const runtime = await Runtime.create({ cwd: ws.dir, env: ws.env, configFile });
      const serving = await startServe({ runtime, workflowsDir: join(repoRoot, 'templates'), cwd: ws.dir, env: ws.env, flags: { port: '0' }, log, now: () => new Date(Date.now() + offsetMs) });
      return { runtime, serving };
    };
    const today = await start(0);
    await new Promise((r) => setTimeout(r, 300));
    await today.serving.shutdown();
    await today.runtime.close();
    expect(JSON.parse((await cli(['timers', 'list', '--json'])).stdout)).toHaveLength(2);

    // 31 days later.
    const later = await start(31 * DAY);
    const deadline = Date.now() + 20_000;
    while ((JSON.parse((await cli(['timers', 'list', '--json'])).stdout) as unknown[]).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await later.serving.shutdown();
    await later.runtime.close();

    const all = JSON.parse((await cli(['timers', 'list', '--all', '--json'])).stdout) as Array<{ id: string; state: string; reason?: string; runId?: string }>;
    const byId = new Map(all.map((t) => [t.id, t]));
    expect(byId.get(timerOf('john.smith').id)).toMatchObject({ state: 'fired', runId: expect.any(String) });
    expect(byId.get(timerOf('priya.patel').id)).toMatchObject({ state: 'skipped', reason: 'kept: user was reactivated' });
    expect(byId.get(timerOf('alex.nguyen').id)).toMatchObject({ state: 'cancelled', reason: 'cancelled by ops@x.com: contract extended' });
    expect(users().find((u) => u.username === 'john.smith')).toBeUndefined();
    expect(users().find((u) => u.username === 'priya.patel')?.state).toBe('ACTIVATED');
    expect(users().find((u) => u.username === 'alex.nguyen')?.state).toBe('SUSPENDED');

    // The timer's run is an ordinary run: listed, shown, audited.
    const fired = byId.get(timerOf('john.smith').id)?.runId as string;
    const shown = JSON.parse((await cli(['runs', 'show', fired, '--json'])).stdout);
    expect(shown.meta).toMatchObject({ status: 'succeeded', trigger: { type: 'timer', source: timerOf('john.smith').id }, workflow: { id: 'timer-jumpcloud-user-delete-if-suspended' } });
    expect(shown.steps).toEqual([expect.objectContaining({ step: 'fire', status: 'succeeded', changed: true })]);
    expect((await cli(['audit', 'verify', fired])).code).toBe(0);
  });

  it('keeps a sandbox run\'s deferred deletion away from a serve without --sandbox, and fires it under serve --sandbox', async () => {
    const ws = serveWorkspace();
    const configFile = writeServeConfig(ws, ['vars:', '  jumpcloud_retention_days: 30', '  jumpcloud_notify_on_removal: false', ''].join('\n'));
    const cli = (args: string[]) => idflow(args, { cwd: ws.dir, env: ws.env });
    const template = join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml');
    const trial = await cli(['run', template, '--sandbox', '--input', 'user_identifier=john.smith', '--quiet']);
    expect(trial.code, trial.stderr).toBe(0);
    const [timer] = JSON.parse((await cli(['timers', 'list', '--json'])).stdout) as Array<{ id: string; sandbox?: boolean }>;
    expect(timer).toMatchObject({ sandbox: true });
    expect((await cli(['timers', 'list'])).stdout).toContain('[sandbox] Delete john.smith after 30 days of retention');

    const serveFor = async (sandbox: boolean) => {
      let text = '';
      const log = new Writable({ write: (c, _e, cb) => { text += String(c); cb(); } });
      const runtime = await Runtime.create({ cwd: ws.dir, env: ws.env, configFile, ...(sandbox ? { sandbox: true } : {}) });
      const serving = await startServe({ runtime, workflowsDir: join(repoRoot, 'templates'), cwd: ws.dir, env: ws.env, flags: { port: '0' }, log, now: () => new Date(Date.now() + 31 * DAY) });
      return { runtime, serving, log: () => text };
    };
    const stateOf = async () => (JSON.parse((await cli(['timers', 'list', '--all', '--json'])).stdout) as Array<{ state: string }>)[0]?.state;

    // A production serve (no --sandbox) on the same store, 31 days later: the timer stays pending.
    const production = await serveFor(false);
    await expect.poll(production.log, { timeout: 10_000 }).toContain(`timer ${timer?.id ?? ''} (jumpcloud.user.delete_if_suspended) stays pending: a sandbox run scheduled it; only "idflow serve --sandbox" fires it`);
    await production.serving.shutdown();
    await production.runtime.close();
    expect(await stateOf()).toBe('pending');

    // serve --sandbox fires it against the sandbox organisation the trial left.
    const sandboxed = await serveFor(true);
    await expect.poll(stateOf, { timeout: 20_000, interval: 100 }).toBe('fired');
    await sandboxed.serving.shutdown();
    await sandboxed.runtime.close();
    const [fired] = JSON.parse((await cli(['timers', 'list', '--all', '--json'])).stdout) as Array<{ runId: string }>;
    expect(JSON.parse((await cli(['runs', 'show', fired?.runId ?? '', '--json'])).stdout).meta).toMatchObject({ status: 'succeeded', sandbox: true });
  });
});
