import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, PermanentError, TransientError } from '../../../../engine/errors/index.js';
import { createEnvironment } from '../../../../engine/cli/environment.js';
import { loadWorkflowSource } from '../../../../engine/loader/load-workflow.js';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/server.js';
import { MAYBE_SENT, systemCommandAction } from '../../../../actions/jumpcloud/actions/system-command.js';
import { emulatorContext, loadExampleOrg, mutatingRequests, objectId, planStep, runStep } from './support/emulator-context.js';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadExampleOrg(), seed: 'system-command' });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.reset();
  emulator.setFaultRules([]);
});

const system = (name: string) => ({ id: objectId(emulator, 'systems', name), name });
const target = (name: string) => `system "${name}" (${objectId(emulator, 'systems', name)})`;
const lockPath = (name: string) => `POST /api/systems/${objectId(emulator, 'systems', name)}/command/builtin/lock`;
const sentCommands = () => emulator.state.commands().map((c) => [c.command, emulator.state.snapshot().systems.find((s) => s._id === c.systemId)?.displayName]);
/** A Windows laptop by name and a Linux server by id. */
const lockParams = () => ({ systems: ['SALES-LT-07', objectId(emulator, 'systems', 'build-server-01')], command: 'lock' as const, connection: 'jumpcloud' });

describe('jumpcloud.system.command', () => {
  it('plans each system and the command it would get, and sends nothing', async () => {
    const plan = await planStep(systemCommandAction, emulatorContext(emulator, { dryRun: true }), lockParams());
    expect(plan.changes).toEqual(['build-server-01', 'SALES-LT-07'].map((name) => ({
      target: target(name),
      operation: 'send_command',
      before: { ...system(name), type: 'system', command: 'lock', sent: false },
      after: { ...system(name), type: 'system', command: 'lock', sent: true },
      note: 'locks the device',
    })));
    expect(plan.summary).toBe('would send lock to 2 systems');
    expect(mutatingRequests(emulator)).toEqual([]);
    expect(emulator.state.commands()).toEqual([]);
  });

  it('sends the command once to each system, after recording its intent, and names what JumpCloud answered; a rerun of the finished step sends nothing', async () => {
    const ctx = emulatorContext(emulator);
    const result = await runStep(systemCommandAction, ctx, lockParams());
    expect(result).toEqual({
      changed: true,
      output: { command: 'lock', sent: [{ system: system('build-server-01'), response: null }, { system: system('SALES-LT-07'), response: null }], uncertain: [] },
      summary: 'lock sent to 2 systems',
    });
    expect(mutatingRequests(emulator).map((r) => `${r.method} ${r.path}`).sort()).toEqual([lockPath('build-server-01'), lockPath('SALES-LT-07')].sort());
    expect(sentCommands().sort()).toEqual([['lock', 'SALES-LT-07'], ['lock', 'build-server-01']]);
    const recorded = ctx.recorded.map((c) => [c.target, c.result]);
    for (const name of ['build-server-01', 'SALES-LT-07']) {
      expect(recorded.findIndex(([t, r]) => t === target(name) && r === 'started')).toBeLessThan(recorded.findIndex(([t, r]) => t === target(name) && r === 'changed'));
    }

    const from = emulator.requests().length;
    const again = await runStep(systemCommandAction, emulatorContext(emulator, { earlierChanges: ctx.recorded, attempt: 2 }), lockParams());
    expect(again.output).toEqual(result.output);
    expect(mutatingRequests(emulator, from)).toEqual([]);
    expect(emulator.state.commands()).toHaveLength(2);
  });

  it('never sends again a command an attempt killed before recording the answer may have sent: it is reported as uncertain', async () => {
    const first = emulatorContext(emulator);
    await runStep(systemCommandAction, first, lockParams());
    const intents = first.recorded.filter((c) => c.result === 'started');
    const resumed = emulatorContext(emulator, { earlierChanges: intents, attempt: 2 });
    const from = emulator.requests().length;
    const result = await runStep(systemCommandAction, resumed, lockParams());
    expect(result).toEqual({
      changed: false,
      output: { command: 'lock', sent: [], uncertain: [system('build-server-01'), system('SALES-LT-07')] },
      summary: 'lock sent to 0 systems; 2 systems may have had it from an interrupted attempt (not sent again)',
    });
    expect(resumed.recorded.map((c) => [c.target, c.result, c.note])).toEqual([
      [target('build-server-01'), 'reported', MAYBE_SENT],
      [target('SALES-LT-07'), 'reported', MAYBE_SENT],
    ]);
    expect(mutatingRequests(emulator, from)).toEqual([]);
    expect(emulator.state.commands()).toHaveLength(2);

    // A third attempt still sends nothing, and says so again.
    const third = await runStep(systemCommandAction, emulatorContext(emulator, { earlierChanges: [...intents, ...resumed.recorded], attempt: 3 }), lockParams());
    expect(third.output?.uncertain).toHaveLength(2);
    expect(mutatingRequests(emulator, from)).toEqual([]);
  });

  it('sends on retry a command JumpCloud refused with 429 (not sent), but not one whose answer was a 500 (maybe sent)', async () => {
    emulator.setFaultRules([
      { method: 'POST', path: `/api/systems/${objectId(emulator, 'systems', 'SALES-LT-07')}/command/builtin/restart`, status: 429, times: 1 },
      { method: 'POST', path: `/api/systems/${objectId(emulator, 'systems', 'build-server-01')}/command/builtin/restart`, status: 500, times: 1 },
    ]);
    const p = { ...lockParams(), command: 'restart' as const };
    const first = emulatorContext(emulator);
    const failed = await runStep(systemCommandAction, first, p).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TransientError);
    expect(first.recorded.filter((c) => c.result !== 'started').map((c) => [c.target, c.result])).toEqual([[target('SALES-LT-07'), 'failed']]);
    expect(emulator.state.commands()).toEqual([]);

    const retry = emulatorContext(emulator, { earlierChanges: first.recorded, attempt: 2 });
    const result = await runStep(systemCommandAction, retry, p);
    expect(result.output).toEqual({ command: 'restart', sent: [{ system: system('SALES-LT-07'), response: null }], uncertain: [system('build-server-01')] });
    expect(sentCommands()).toEqual([['restart', 'SALES-LT-07']]);
  });

  it('refuses erase without confirm: erase when the template is loaded, and in run and plan before any request; with it, erases', async () => {
    const { registry } = await createEnvironment({ cwd: mkdtempSync(join(tmpdir(), 'idflow-command-')) });
    const template = (withConfirm: boolean) => JSON.stringify({
      id: 'wipe', name: 'Wipe', steps: [{ id: 'wipe', action: 'jumpcloud.system.command', with: { systems: ['FIN-WS-02'], command: 'erase', ...(withConfirm ? { confirm: 'erase' } : {}) } }],
    });
    const refused = await loadWorkflowSource(template(false), 'wipe.json', { registry });
    expect(refused.workflow).toBeUndefined();
    expect(refused.problems.filter((p) => p.severity === 'error').map((p) => [p.path, p.message]).join('\n')).toMatch(/steps\/0\/with.*confirm/s);
    const accepted = await loadWorkflowSource(template(true), 'wipe.json', { registry });
    expect(accepted.problems.filter((p) => p.severity === 'error')).toEqual([]);

    const p = { systems: ['FIN-WS-02'], command: 'erase' as const, connection: 'jumpcloud' };
    const message = 'jumpcloud.system.command: command erase wipes the device and cannot be undone; the step must also set confirm: erase';
    await expect(runStep(systemCommandAction, emulatorContext(emulator), p)).rejects.toMatchObject({ code: 'INVALID_PARAMS', message });
    await expect(planStep(systemCommandAction, emulatorContext(emulator, { dryRun: true }), p)).rejects.toMatchObject({ code: 'INVALID_PARAMS', message });
    expect(emulator.requests()).toEqual([]);

    const plan = await planStep(systemCommandAction, emulatorContext(emulator, { dryRun: true }), { ...p, confirm: 'erase' });
    expect(plan.changes.map((c) => c.note)).toEqual(['erases the device: everything on it is lost']);
    expect(emulator.state.commands()).toEqual([]);
    const erased = await runStep(systemCommandAction, emulatorContext(emulator), { ...p, confirm: 'erase' });
    expect(erased.summary).toBe('erase sent to 1 system');
    expect(sentCommands()).toEqual([['erase', 'FIN-WS-02']]);
  });

  it('refuses, before sending any, a list with a macOS device, and one with an unknown system', async () => {
    const mac = await runStep(systemCommandAction, emulatorContext(emulator), { systems: ['FIN-WS-01', 'JDOE-MBP'], command: 'shutdown', connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(mac).toBeInstanceOf(PermanentError);
    expect(mac).toMatchObject({
      code: 'JUMPCLOUD_COMMAND_UNSUPPORTED',
      message: `jumpcloud.system.command: JumpCloud runs the built-in shutdown command on Linux and Windows devices only; "JDOE-MBP" (${objectId(emulator, 'systems', 'JDOE-MBP')}, Mac OS X) cannot take it (use Apple MDM security commands for macOS devices); nothing was sent`,
    });
    await expect(planStep(systemCommandAction, emulatorContext(emulator, { dryRun: true }), { systems: ['JDOE-MBP'], command: 'lock', connection: 'jumpcloud' })).rejects.toMatchObject({ code: 'JUMPCLOUD_COMMAND_UNSUPPORTED' });
    const unknown = await runStep(systemCommandAction, emulatorContext(emulator), { systems: ['FIN-WS-01', 'FIN-WS-09'], command: 'lock', connection: 'jumpcloud' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as Error).message).toBe('jumpcloud.system.command: systems[1] "FIN-WS-09": no JumpCloud system has this id, display name or hostname');
    expect(mutatingRequests(emulator)).toEqual([]);
    expect(emulator.state.commands()).toEqual([]);
  });
});
