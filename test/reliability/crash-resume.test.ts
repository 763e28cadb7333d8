import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idflow, spawnIdflow } from '../support/cli.js';
import { orgState, runIds, startOrg, TEMPLATE, workspace } from './support/offboarding-org.js';
import { FULL, pool, RELIABILITY_SEED, waitUntil } from './support/suite-settings.js';

/**
 * Crash and resume: the offboarding of john.smith, run by the built CLI against the emulator
 * with latency, killed with SIGKILL at seeded random points — after the n-th API request, or
 * after a random time (which also lands before the run exists, between steps, or after it
 * ended) — then resumed (or started again when the kill came before the run record existed).
 * Every run must end succeeded, with the organisation exactly as an uninterrupted run leaves
 * it, the same returned counts (exactly: no change JumpCloud made is lost from them, even one
 * made in the instant before the kill), every intent settled, and an audit trail that verifies.
 */

const POINTS = FULL ? 100 : 20;
const LATENCY_MS = 10;
const RUN_ARGS = ['run', TEMPLATE, '--input', 'user_identifier=john.smith@company.com', '--input', 'notify_manager=false', '--reason', 'Crash test', '--json'];

/** The parts of the returned data that do not name the run or the time. */
function comparable(output: Record<string, unknown>): Record<string, unknown> {
  const { audit_trail: _trail, ...rest } = output;
  return rest;
}

function parse(stdout: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${what}: stdout is not JSON:\n${stdout}`);
  }
}

/**
 * Every write-ahead intent (`started`) in the run's audit trail has its outcome after it (the
 * same step, operation and target): the resumed run settled what the killed session left open.
 * Also counts the changes the resumed run found made from an intent alone.
 */
function intentsOf(store: string, runId: string): { open: string[]; foundMade: number } {
  const entries = readFileSync(join(store, 'runs', runId, 'audit.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { step?: string; operation: string; target: string; result: string; note?: string });
  const open = new Map<string, number>();
  for (const entry of entries) {
    const key = `${entry.step ?? ''} ${entry.operation} ${entry.target}`;
    if (entry.result === 'started') open.set(key, (open.get(key) ?? 0) + 1);
    else if (open.has(key)) open.delete(key);
  }
  // Changes a killed session made without recording them, which the resumed run counted.
  const foundMade = entries.filter((entry) => entry.result === 'changed' && entry.note?.includes('made before the interruption') === true).length;
  return { open: [...open.keys()], foundMade };
}

interface KillPoint {
  by: 'requests' | 'time';
  /** Where in the uninterrupted run, as a fraction of its requests or of its wall time. */
  at: number;
}

describe(`SIGKILL at ${POINTS} random points, then resume (seed ${RELIABILITY_SEED})`, () => {
  it('ends every run succeeded, in the state of an uninterrupted run, with a verified audit trail', async () => {
    // The reference: one uninterrupted run.
    const reference = await startOrg({ latencyMs: LATENCY_MS });
    const ws = workspace(reference);
    const started = Date.now();
    const clean = await idflow(RUN_ARGS, { cwd: ws.dir, env: ws.env });
    const referenceMs = Date.now() - started;
    expect(clean.code, clean.stderr).toBe(0);
    const expectedOutput = comparable(parse(clean.stdout, 'the uninterrupted run'));
    const expectedState = orgState(reference);
    const referenceRequests = reference.requests().length;
    await reference.close();
    expect(expectedOutput).toMatchObject({ success: true, actions_taken: { groups_removed: 5, systems_unbound: 8, applications_revoked: 6 } });

    const points = fc.sample(fc.record<KillPoint>({ by: fc.constantFrom('requests', 'time'), at: fc.double({ min: 0, max: 1, noNaN: true }) }), { seed: RELIABILITY_SEED, numRuns: POINTS });
    const outcomes = await pool(points, 3, async (point, index) => {
      const emulator = await startOrg({ latencyMs: LATENCY_MS });
      const where = point.by === 'requests' ? `after request ${Math.max(1, Math.round(point.at * referenceRequests))} of ${referenceRequests}` : `after ${Math.round(point.at * referenceMs)} ms of ${referenceMs}`;
      const label = `kill point ${index} (${where}; seed ${RELIABILITY_SEED})`;
      try {
        const space = workspace(emulator);
        const child = spawnIdflow(RUN_ARGS, { cwd: space.dir, env: space.env });
        const spawned = Date.now();
        const threshold = Math.max(1, Math.round(point.at * referenceRequests));
        await waitUntil(() => child.exitCode !== null || (point.by === 'requests' ? emulator.requests().length >= threshold : Date.now() - spawned >= point.at * referenceMs), 60_000, label);
        const finishedOnItsOwn = child.exitCode !== null;
        child.kill('SIGKILL');
        await child.exited;

        const ids = runIds(space.store);
        expect(ids.length, `${label}: runs in the store`).toBeLessThanOrEqual(1);
        const runId = ids[0];
        // Killed before the run record existed: nothing was done under a run, so it starts again.
        const second = runId === undefined
          ? await idflow(RUN_ARGS, { cwd: space.dir, env: space.env })
          : await idflow(['resume', runId, '--json'], { cwd: space.dir, env: space.env });
        expect(second.code, `${label}: ${second.stderr}`).toBe(0);
        const finalId = runIds(space.store).at(-1) as string;
        expect(orgState(emulator), `${label}: the organisation`).toEqual(expectedState);
        // The counts are exactly the uninterrupted run's, also when the kill fell between a change
        // JumpCloud made and its journal entry: the step had recorded its intent first.
        expect(comparable(parse(second.stdout, label)), label).toEqual(expectedOutput);
        const intents = intentsOf(space.store, finalId);
        expect(intents.open, `${label}: intents without an outcome`).toEqual([]);

        const shown = await idflow(['runs', 'show', finalId, '--json'], { cwd: space.dir, env: space.env });
        expect(JSON.parse(shown.stdout), label).toMatchObject({ meta: { status: 'succeeded' } });
        const audit = await idflow(['audit', 'verify', finalId], { cwd: space.dir, env: space.env });
        expect(audit.code, `${label}: audit verify: ${audit.stdout}${audit.stderr}`).toBe(0);
        return { resumed: runId !== undefined, finishedOnItsOwn, sessions: (JSON.parse(shown.stdout) as { sessions: unknown[] }).sessions.length, foundMade: intents.foundMade };
      } finally {
        await emulator.close();
      }
    });
    const foundMade = outcomes.filter((o) => o.foundMade > 0).length;
    if (foundMade > 0) console.info(`${foundMade} kill(s) landed between a change and its outcome; the resumed run counted ${outcomes.reduce((sum, o) => sum + o.foundMade, 0)} change(s) from their intents`);
    // The points must really interrupt runs: many kills land inside a run, which is then resumed.
    expect(outcomes.filter((o) => o.resumed && !o.finishedOnItsOwn && o.sessions >= 2).length).toBeGreaterThanOrEqual(Math.floor(POINTS * 0.4));
  }, FULL ? 900_000 : 180_000);
});
