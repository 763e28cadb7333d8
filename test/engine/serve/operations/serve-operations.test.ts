import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../../engine/serve/auth/principal.js';
import type { RunProgressEvent } from '../../../../engine/serve/operations/serve-operations.js';
import { Runtime } from '../../../../engine/runtime/runtime.js';
import { startServe, type RunningServe } from '../../../../engine/serve/serve-host.js';
import { journalListenerCount } from '../../../../engine/store/journal-notices.js';
import { RunStore } from '../../../../engine/store/run-store.js';
import { sampleNewRun } from '../../store/run-fixture.js';
import { eventually } from '../support/serve-fixture.js';

const HOLD = `id: hold-file
name: Hold a file
inputs:
  file: { type: string, required: true }
  gate: { type: string, required: true }
steps:
  - id: remove
    action: fixture.members.remove
    with: { file: "{{inputs.file}}", members: [ann@x.com], wait_for: "{{inputs.gate}}" }
`;

/** Follows a run until its end; the events in order. */
function followToEnd(serving: RunningServe, runId: string, afterSeq?: number): Promise<RunProgressEvent[]> {
  return new Promise((resolveEvents) => {
    const events: RunProgressEvent[] = [];
    serving.operations.follow(runId, (event) => {
      events.push(event);
      if (event.type === 'end') resolveEvents(events);
    }, afterSeq);
  });
}

/**
 * The operations of a serve running the shipped JumpCloud offboarding against the emulator
 * (`--sandbox`), with one run slot, so that a second run waits in the queue.
 */
describe('serve operations against the JumpCloud emulator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-serve-ops-'));
  const alice: Principal = { name: 'alice', role: 'operator', via: 'oidc' };
  let runtime: Runtime;
  let serving: RunningServe;
  let log = '';

  beforeAll(async () => {
    mkdirSync(join(dir, 'templates'));
    copyFileSync(resolve('templates/jumpcloud-offboarding.yaml'), join(dir, 'templates', 'jumpcloud-offboarding.yaml'));
    writeFileSync(join(dir, 'templates', 'hold.yaml'), HOLD);
    writeFileSync(join(dir, 'idflow.config.yaml'), 'serve:\n  concurrency: 1\n  shutdown_grace: 5s\n');
    writeFileSync(join(dir, 'members.json'), JSON.stringify({ members: ['ann@x.com'] }));
    runtime = await Runtime.create({ cwd: dir, env: {}, store: join(dir, 'store'), sandbox: true, plugins: [resolve('test/fixtures/plugins/file-state.mjs')] });
    runtime.services.retryDelayScale = 0.001;
    const stream = new Writable({ write(chunk, _e, cb) { log += String(chunk); cb(); } });
    serving = await startServe({ runtime, workflowsDir: 'templates', cwd: dir, env: {}, flags: { port: '0', host: '127.0.0.1' }, log: stream });
  }, 60_000);
  afterAll(async () => {
    await serving?.shutdown();
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans an offboarding by name, runs it through serve, and follows it to the end', async () => {
    const plan = await serving.operations.plan('jumpcloud-offboarding', { user_identifier: 'john.smith', removal_mode: 'disable' }, alice);
    expect(plan.subject).toBe('john.smith');
    const groups = plan.steps.find((step) => step.id === 'remove_groups');
    expect(groups?.status).toBe('would_run');
    expect(plan.totalChanges).toBeGreaterThan(0);

    const { runId } = await serving.operations.start('jumpcloud-offboarding', { user_identifier: 'john.smith', removal_mode: 'disable', revoke_all_access: 'true' }, alice);
    const events = await followToEnd(serving, runId);
    expect(events.at(-1)).toEqual({ type: 'end', status: 'succeeded' });
    const finished = events.find((event) => event.type === 'journal' && event.event['type'] === 'run.finished');
    expect(finished).toMatchObject({ event: { status: 'succeeded', output: { actions_taken: { account_status: 'disabled', groups_removed: 5 } } } });
    const meta = runtime.services.store.openRun(runId).meta();
    expect(meta).toMatchObject({ initiatedBy: 'alice (operator via oidc)', sandbox: true, subject: 'john.smith' });
    // The same changes the plan named, made by the run.
    const changed = runtime.services.store.openRun(runId).audit.entries().filter((entry) => entry.result === 'changed' && entry.step === 'remove_groups' && entry.operation !== 'step').map((entry) => entry.target).sort();
    expect(changed).toEqual(groups?.changes.map((change) => change.target).sort());
    expect(journalListenerCount()).toBe(0);
  }, 120_000);

  it('cancels a run still waiting in the queue: it never starts', async () => {
    const gate = join(dir, 'gate.open');
    const first = await serving.operations.start('hold-file', { file: join(dir, 'members.json'), gate }, alice);
    expect(first.queued).toBeUndefined();
    const second = await serving.operations.start('jumpcloud-offboarding', { user_identifier: 'jane.doe' }, alice);
    expect(second.queued).toBe(true);
    const following = followToEnd(serving, second.runId);
    expect(await serving.operations.cancel(second.runId, alice)).toEqual({ runId: second.runId, status: 'cancelled' });
    writeFileSync(gate, '');
    await eventually(() => runtime.services.store.openRun(first.runId).meta().status === 'succeeded', 'the first run to end');
    expect(await following).toEqual([{ type: 'end', status: 'cancelled' }]);
    expect(() => runtime.services.store.openRun(second.runId)).toThrow(expect.objectContaining({ code: 'RUN_NOT_FOUND' }));
    expect(log).toContain(`run ${second.runId} of jumpcloud-offboarding was cancelled by alice (operator via oidc) before it started`);
  }, 120_000);

  it('follows a run from a given line', async () => {
    const { runId } = await serving.operations.start('hold-file', { file: join(dir, 'members.json'), gate: join(dir, 'gate.open') }, alice);
    const all = await followToEnd(serving, runId);
    const lines = all.filter((event) => event.type === 'journal');
    const tail = await followToEnd(serving, runId, lines.length - 1);
    expect(tail).toEqual([lines.at(-1), { type: 'end', status: 'succeeded' }]);
  }, 60_000);

  it('follows a run whose journal another process writes, by reading the file, whole lines only', async () => {
    const handle = new RunStore(runtime.services.store.root).createRun(sampleNewRun());
    handle.close();
    const journal = join(handle.dir, 'journal.jsonl');
    const seen: RunProgressEvent[] = [];
    const ended = new Promise<void>((resolveEnd) => {
      serving.operations.follow(handle.id, (event) => {
        seen.push(event);
        if (event.type === 'end') resolveEnd();
      });
    });
    // Written with plain file appends, as another process would: no in-process notice.
    appendFileSync(journal, `${JSON.stringify({ type: 'run.started', at: new Date().toISOString(), runId: handle.id, workflowId: 'offboard', session: 1, pid: 1 })}\n`);
    await eventually(() => seen.length === 1, 'the first line');
    appendFileSync(journal, '{"type":"step.started","step":"lookup",');
    await new Promise((r) => setTimeout(r, 400));
    expect(seen).toHaveLength(1);
    appendFileSync(journal, '"attempt":1,"phase":"steps"}\n');
    await eventually(() => seen.length === 2, 'the second line, once whole');
    handle.updateMeta({ status: 'failed', error: 'stopped by the test' });
    await ended;
    expect(seen).toEqual([
      { type: 'journal', seq: 1, event: expect.objectContaining({ type: 'run.started' }) },
      { type: 'journal', seq: 2, event: { type: 'step.started', step: 'lookup', attempt: 1, phase: 'steps' } },
      { type: 'end', status: 'failed' },
    ]);
  }, 60_000);
});
