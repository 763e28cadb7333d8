import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../actions/jumpcloud/emulator/index.js';
import { EventInbox } from '../../engine/serve/event-inbox.js';
import type { RunMeta } from '../../engine/store/journal-events.js';
import { RunStore } from '../../engine/store/run-store.js';
import { offboardingServeConfig, SERVE_ENV, serveWorkspace, startServeProcess, writeServeConfig, type ServeProcess, type ServeWorkspace } from '../e2e/support/serve-process.js';
import { API_KEY, TEMPLATE } from './support/offboarding-org.js';
import { startLeaversOrg } from './support/leavers-org.js';
import { FULL, pool, RELIABILITY_SEED } from './support/suite-settings.js';

/**
 * Crashes of `idflow serve` under a burst of signed offboarding events: the built CLI serves the
 * offboarding template against the emulator (with latency); senders post one event per leaver,
 * concurrently, and keep retrying every event not yet answered 2xx, as an HR system does; serve
 * is killed with SIGKILL at seeded random points during the burst and started again each time.
 * In the end every event answered 2xx has exactly one run, succeeded, and its user is
 * offboarded in the organisation; no subject lock is left, no run is interrupted or running,
 * and no event record still owes a run.
 */

const LEAVERS = FULL ? 60 : 16;
const KILLS = FULL ? 30 : 10;
const LATENCY_MS = 5;
const SENDERS = 6;

/** A small seeded generator (mulberry32): the kill points replay from IDFLOW_RELIABILITY_SEED. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The statuses a run ends in. `interrupted` is not one: a run left `running` by a killed serve
 * shows as interrupted until the next serve, which may still have it queued, resumes it.
 */
const ENDED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'skipped']);

function config(emulator: RunningEmulator): string {
  return offboardingServeConfig(emulator.url, ['  concurrency: 4', '  shutdown_grace: 5s']);
}

/** The serve process of the moment: the senders post to whichever is up. */
interface Current {
  serve: ServeProcess | undefined;
}

/** What the senders saw. */
interface Sent {
  /** The first 2xx answer for each event id. */
  accepted: Map<string, { status: number; body: { runs: Array<{ runId: string }> } }>;
  /** Attempts that got no 2xx (connection refused or reset by a kill, 5xx, 503 while starting). */
  failedAttempts: number;
}

async function send(current: Current, leaver: string, sent: Sent, deadline: number): Promise<void> {
  const id = `term-${leaver}`;
  const body = { id, employee: { email: `${leaver}@company.com`, status: 'terminated' }, reason: 'Crash test' };
  while (Date.now() < deadline) {
    const serve = current.serve;
    if (serve !== undefined) {
      try {
        const answer = await serve.post('hr.employee.terminated', body);
        if (answer.status >= 200 && answer.status < 300) {
          if (!sent.accepted.has(id)) sent.accepted.set(id, answer);
          return;
        }
      } catch {
        // refused or reset: serve was killed under the request; send it again
      }
      sent.failedAttempts++;
    }
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error(`event ${id} was never answered 2xx`);
}

function topLevelRunsOf(runs: readonly RunMeta[], eventId: string): RunMeta[] {
  return runs.filter((run) => run.trigger.type === 'event' && run.trigger.eventId === eventId && run.parentRunId === undefined);
}

describe(`idflow serve killed with SIGKILL at ${KILLS} random points during a burst of ${LEAVERS} events (seed ${RELIABILITY_SEED})`, () => {
  it('ends every accepted event in exactly one succeeded run with its user offboarded; no lock, interrupted run or owed event is left', async () => {
    const { emulator, leavers } = await startLeaversOrg(LEAVERS, { latencyMs: LATENCY_MS, seed: RELIABILITY_SEED });
    const ws: ServeWorkspace = serveWorkspace({ JUMPCLOUD_API_KEY: API_KEY });
    writeServeConfig(ws, config(emulator));
    const workflows = join(ws.dir, 'workflows');
    mkdirSync(workflows);
    copyFileSync(TEMPLATE, join(workflows, 'jumpcloud-offboarding.yaml'));
    const args = ['--workflows', workflows];
    const next = random(RELIABILITY_SEED);
    const label = `seed ${RELIABILITY_SEED}; replay with IDFLOW_RELIABILITY_SEED=${RELIABILITY_SEED}`;
    const current: Current = { serve: await startServeProcess(args, ws) };
    const sent: Sent = { accepted: new Map(), failedAttempts: 0 };
    const started = Date.now();
    let killed = 0;
    const logs: string[] = [];
    try {
      const burst = pool(leavers, SENDERS, (leaver) => send(current, leaver, sent, started + 120_000));
      // The kill points: a random pause (20 to 600 ms) after each start, so kills land while
      // events are being accepted, runs are being created and steps are in flight.
      for (let point = 0; point < KILLS; point++) {
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(next() * 580)));
        const serve = current.serve as ServeProcess;
        current.serve = undefined;
        serve.kill();
        await serve.exited();
        logs.push(serve.stderr());
        killed++;
        current.serve = await startServeProcess(args, ws);
      }
      await burst;
      const serve = current.serve as ServeProcess;
      // Every accepted event's runs end (the last serve resumes what the kills interrupted).
      const deadline = Date.now() + 90_000;
      for (const leaver of leavers) {
        const id = `term-${leaver}`;
        for (;;) {
          const view = await serve.get(`/api/events/hr/${encodeURIComponent(id)}`, SERVE_ENV.IDFLOW_SERVE_TOKEN);
          const done = view.status === 200 && view.body.pending.length === 0 && view.body.runs.length > 0 && view.body.runs.every((run: { status: string }) => ENDED.has(run.status));
          if (done) break;
          if (Date.now() > deadline) throw new Error(`event ${id} did not end (${label}): ${JSON.stringify(view.body)}\n${serve.stderr().slice(-4000)}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      expect(await serve.stop(), label).toBe(0);
      logs.push(serve.stderr());
      current.serve = undefined;
    } finally {
      current.serve?.kill();
      await emulator.close();
    }

    const store = new RunStore(ws.store);
    const runs = store.listRuns();
    const snapshot = emulator.state.snapshot();
    const problems: string[] = [];
    const lost = new Set<string>();
    for (const leaver of leavers) {
      const id = `term-${leaver}`;
      const before = problems.length;
      if (!sent.accepted.has(id)) problems.push(`${id} was never answered 2xx`);
      const own = topLevelRunsOf(runs, id);
      if (own.length !== 1) problems.push(`${id} has ${own.length} runs (${own.map((run) => `${run.id} ${run.status}`).join(', ')})`);
      else if (own[0]?.status !== 'succeeded') problems.push(`${id}: run ${own[0]?.id ?? ''} is ${own[0]?.status ?? ''}`);
      const user = snapshot.users.find((candidate) => candidate.username === leaver);
      if (user?.state !== 'SUSPENDED') problems.push(`${leaver} is ${user?.state ?? 'missing'}, not SUSPENDED`);
      if (user !== undefined && snapshot.usergroups.some((group) => group.members.includes(user._id))) problems.push(`${leaver} is still in a group`);
      if (user !== undefined && snapshot.associations.some((association) => association.fromType === 'user' && association.fromId === user._id)) problems.push(`${leaver} still has an application, system or directory association`);
      if (problems.length > before) lost.add(id);
    }
    const unfinished = runs.filter((run) => run.status !== 'succeeded');
    if (unfinished.length > 0) problems.push(`runs not succeeded: ${unfinished.map((run) => `${run.id} ${run.status}`).join(', ')}`);
    const locks = readdirSync(join(ws.store, 'locks')).filter((name) => name.endsWith('.lock'));
    if (locks.length > 0) problems.push(`locks left: ${locks.join(', ')}`);
    const owed = new EventInbox(ws.store).withPending();
    if (owed.length > 0) problems.push(`event records still pending: ${owed.map((record) => record.id).join(', ')}`);
    const resumed = logs.join('').split('\n').filter((line) => /was interrupted when serve stopped: resuming it/.test(line)).length;
    const summary = `serve-crash reliability (${label}): ${LEAVERS} events sent, ${sent.accepted.size} accepted (2xx), ${lost.size} lost (not exactly one succeeded run with the user offboarded), ${killed} SIGKILL points survived, ${resumed} interrupted runs resumed by serve, ${sent.failedAttempts} deliveries refused or cut by a kill and retried, ${Math.round((Date.now() - started) / 1000)} s`;
    process.stdout.write(`${summary}\n`);
    expect(problems, `${summary}\n${problems.join('\n')}`).toEqual([]);
    expect(killed).toBe(KILLS);
  }, FULL ? 600_000 : 240_000);
});
