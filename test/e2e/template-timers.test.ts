import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../engine/runtime/runtime.js';
import { startServe } from '../../engine/serve/serve-host.js';
import { idflow, repoRoot } from '../support/cli.js';
import { serveWorkspace, writeServeConfig } from './support/serve-process.js';

/**
 * A timer a template schedules with timer.schedule, end to end: `idflow run --sandbox` of the
 * onboarding with a start date ahead creates the user STAGED and schedules the activation; the
 * same hire run again keeps the one timer; `idflow serve --sandbox`, its clock past the start
 * date, fires it as a run of jumpcloud.user.set_state against the sandbox organisation the trial
 * left, which activates the account, and the onboarding run afterwards finds it active.
 */

const DAY = 86_400_000;

describe('a durable timer scheduled by a template', () => {
  it('activates the staged new hire on the start date through serve --sandbox', async () => {
    const ws = serveWorkspace();
    const configFile = writeServeConfig(ws, ['vars:', '  it_team_emails: [it-team@company.com]', ''].join('\n'));
    const cli = (args: string[]) => idflow(args, { cwd: ws.dir, env: ws.env });
    const template = join(repoRoot, 'templates', 'jumpcloud-onboarding.yaml');
    const startDate = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10);
    const onboard = () => cli(['run', template, '--sandbox', '--json',
      '--input', 'username=amy.new', '--input', 'email=amy.new@company.com', '--input', 'first_name=Amy', '--input', 'last_name=New',
      '--input', 'department=Engineering', '--input', 'manager=jane.doe', '--input', `start_date=${startDate}`]);

    const first = await onboard();
    expect(first.code, first.stderr).toBe(0);
    const scheduled = JSON.parse(first.stdout) as { account: { state: string; activation_pending: boolean; activation_timer: string; activation_due: string } };
    expect(scheduled.account).toMatchObject({ state: 'STAGED', activation_pending: true, activation_due: `${startDate}T00:00:00.000Z` });
    const timerId = scheduled.account.activation_timer;

    // The same hire again: one timer, kept.
    const again = await onboard();
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as typeof scheduled).account.activation_timer).toBe(timerId);
    const pending = JSON.parse((await cli(['timers', 'list', '--json'])).stdout) as Array<{ id: string; action: string; params: Record<string, unknown>; dueAt: string; sandbox?: boolean; scheduledBy: { workflowId: string } }>;
    expect(pending).toEqual([expect.objectContaining({ id: timerId, action: 'jumpcloud.user.set_state', params: expect.objectContaining({ state: 'activated' }), dueAt: `${startDate}T00:00:00.000Z`, sandbox: true, scheduledBy: expect.objectContaining({ workflowId: 'jumpcloud-onboarding' }) })]);
    expect((await cli(['timers', 'list'])).stdout).toContain(`[sandbox] Activate amy.new on their start date ${startDate}`);

    // serve --sandbox, three days later: the timer fires and activates the account.
    let served = '';
    const log = new Writable({ write: (c, _e, cb) => { served += String(c); cb(); } });
    const runtime = await Runtime.create({ cwd: ws.dir, env: ws.env, configFile, sandbox: true });
    const serving = await startServe({ runtime, workflowsDir: join(repoRoot, 'templates'), cwd: ws.dir, env: ws.env, flags: { port: '0' }, log, now: () => new Date(Date.now() + 3 * DAY) });
    const stateOf = async () => (JSON.parse((await cli(['timers', 'list', '--all', '--json'])).stdout) as Array<{ id: string; state: string }>).find((t) => t.id === timerId)?.state;
    try {
      await expect.poll(stateOf, { timeout: 60_000, interval: 250 }).toBe('fired');
    } catch (error) {
      throw new Error(`the activation timer did not fire; serve said:\n${served}`, { cause: error });
    } finally {
      await serving.shutdown();
      await runtime.close();
    }
    const [fired] = (JSON.parse((await cli(['timers', 'list', '--all', '--json'])).stdout) as Array<{ id: string; runId: string }>).filter((t) => t.id === timerId);
    const shown = JSON.parse((await cli(['runs', 'show', fired?.runId ?? '', '--json'])).stdout);
    expect(shown.meta).toMatchObject({ status: 'succeeded', sandbox: true, trigger: { type: 'timer', source: timerId }, workflow: { id: 'timer-jumpcloud-user-set-state' } });
    expect(shown.steps).toEqual([expect.objectContaining({ step: 'fire', status: 'succeeded', changed: true })]);

    // The sandbox organisation now holds the account active: the onboarding finds it so.
    const after = await onboard();
    expect(after.code, after.stderr).toBe(0);
    expect((JSON.parse(after.stdout) as { account: { outcome: string; state: string; activation_timer: string | null } }).account).toMatchObject({ outcome: 'unchanged', state: 'ACTIVATED', activation_timer: null });
    // An account already active gets no second timer.
    expect(JSON.parse((await cli(['timers', 'list', '--json'])).stdout)).toEqual([]);
  }, 180_000);

  it('suspends a warned user at the end of the grace period through a shipped sub-template run by the timer', async () => {
    const ws = serveWorkspace();
    const configFile = writeServeConfig(ws, '');
    const cli = (args: string[]) => idflow(args, { cwd: ws.dir, env: ws.env });
    const run = await cli(['run', join(repoRoot, 'templates', 'jumpcloud-inactive-users.yaml'), '--sandbox', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const output = JSON.parse(run.stdout) as { warned: { users: string[] }; suspension_timers: string[] };
    expect(output.warned.users).toEqual(['zoe.mitchell']);
    const [timerId] = output.suspension_timers;
    const [timer] = JSON.parse((await cli(['timers', 'list', '--json'])).stdout) as Array<{ id: string; action: string; params: { workflow: string }; dueAt: string }>;
    expect(timer).toMatchObject({ id: timerId, action: 'workflow.run', params: { workflow: 'jumpcloud-inactive-users-suspend' } });
    expect(Math.abs(Date.parse(timer?.dueAt ?? '') - (Date.now() + 14 * DAY))).toBeLessThan(10 * 60_000);

    // serve --sandbox, 15 days on: the timer's run starts the shipped sub-template, which finds
    // zoe.mitchell still inactive in the sandbox organisation and suspends her.
    let served = '';
    const log = new Writable({ write: (c, _e, cb) => { served += String(c); cb(); } });
    const runtime = await Runtime.create({ cwd: ws.dir, env: ws.env, configFile, sandbox: true });
    const serving = await startServe({ runtime, workflowsDir: join(repoRoot, 'templates'), cwd: ws.dir, env: ws.env, flags: { port: '0' }, log, now: () => new Date(Date.now() + 15 * DAY) });
    const stateOf = async () => (JSON.parse((await cli(['timers', 'list', '--all', '--json'])).stdout) as Array<{ id: string; state: string }>).find((t) => t.id === timerId)?.state;
    try {
      await expect.poll(stateOf, { timeout: 60_000, interval: 250 }).toBe('fired');
    } catch (error) {
      throw new Error(`the suspension timer did not fire; serve said:\n${served}`, { cause: error });
    } finally {
      await serving.shutdown();
      await runtime.close();
    }
    const [fired] = (JSON.parse((await cli(['timers', 'list', '--all', '--json'])).stdout) as Array<{ id: string; runId: string }>).filter((t) => t.id === timerId);
    const shown = JSON.parse((await cli(['runs', 'show', fired?.runId ?? '', '--json'])).stdout);
    expect(shown.meta).toMatchObject({ status: 'succeeded', trigger: { type: 'timer', source: timerId }, childRunIds: [expect.any(String)] });
    const child = JSON.parse((await cli(['runs', 'show', shown.meta.childRunIds[0], '--json'])).stdout);
    expect(child.meta).toMatchObject({ status: 'succeeded', workflow: { id: 'jumpcloud-inactive-users-suspend' } });
    expect(child.output).toMatchObject({ outcome: 'suspended' });
  }, 180_000);
});
