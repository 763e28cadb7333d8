import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningEmulator } from '../../../actions/jumpcloud/emulator/index.js';
import { figure, type Figure } from '../figure.js';
import { round } from '../stats.js';
import { benchRoot } from '../paths.js';
import { timeProcess } from '../support/time-process.js';
import { admin, benchWorkspace, startBenchEmulator } from '../offboarding/bench-org.js';
import { callsByEndpoint, isChange, lowerBoundMs } from '../offboarding/minimum-calls.js';
import { HIRE_SHAPE, onboardingMinimumCalls } from './minimum-calls.js';

/** Settings of the onboarding throughput benchmark. */
export interface OnboardingOptions {
  /** New hires onboarded in one bulk run (as many as the offboarding throughput's leavers). */
  hires: number;
  /** Latency the emulator adds to every request. */
  latencyMs: number;
  /** The emulator's rate limit, requests per second. */
  rateLimit: number;
  /** Runs in flight (`--concurrency`). */
  bulkConcurrency: number;
  /** The client's cap on requests in flight per organisation. */
  maxConcurrency: number;
}

/** The offboarding throughput's settings, for new hires. */
export const ONBOARDING_DEFAULTS: OnboardingOptions = { hires: 100, latencyMs: 20, rateLimit: 300, bulkConcurrency: 10, maxConcurrency: 5 };

/** The raw figures, for the JSON output. */
export interface OnboardingResult {
  options: OnboardingOptions;
  wallMs: number;
  calls: number;
  rateLimited: number;
  changes: number;
  minimumCalls: number;
  minimumPerHire: ReturnType<typeof onboardingMinimumCalls>;
  boundMs: number;
  perHireByEndpoint: Array<{ endpoint: string; calls: number }>;
}

/** The department the hires join, and the user groups `department_groups` maps it to. */
const DEPARTMENT = 'Engineering';
const DEPARTMENT_GROUPS = ['Bench Engineering', 'Bench VPN'];

/**
 * Onboarding throughput: `hires` new hires onboarded by one bulk run of the built CLI
 * (`idflow run templates/jumpcloud-onboarding.yaml --inputs-file hires.csv`) against the emulator
 * with `latencyMs` per request: each created with a manager, department and title, added to the
 * department's two user groups (the `department_groups` variable), bound to a laptop of its own
 * and activated (the start date has come); no email (the manager's is turned off, the IT team has
 * none). Calls are counted from the emulator's request log and compared with the fewest a new
 * hire needs (see minimum-calls.ts); every hire must end activated, in both groups, bound.
 */
export async function benchOnboarding(options: OnboardingOptions = ONBOARDING_DEFAULTS): Promise<{ figures: Figure[]; result: OnboardingResult }> {
  const emulator = await startBenchEmulator();
  const ws = benchWorkspace(emulator, { maxConcurrency: options.maxConcurrency });
  try {
    await seedOrganisation(emulator, options.hires);
    writeFileSync(ws.config, `vars:\n  department_groups: ${JSON.stringify({ [DEPARTMENT]: DEPARTMENT_GROUPS })}\n  it_team_emails: []\n`, { flag: 'a' });
    const csv = join(ws.dir, 'hires.csv');
    const rows = Array.from({ length: options.hires }, (_, i) => hire(i));
    writeFileSync(csv, ['username,email,first_name,last_name,department,job_title,manager,start_date,systems,notify_manager', ...rows.map((h) => `${h.username},${h.email},New,${h.n},${DEPARTMENT},Engineer,bench.manager,2020-01-06,${h.laptop},false`)].join('\n') + '\n');
    const setupCalls = emulator.requests().length;
    emulator.setFaults({ latencyMs: options.latencyMs, rateLimit: options.rateLimit });
    const timing = await timeProcess([
      join(benchRoot(), 'dist', 'engine', 'cli', 'main.js'), 'run', join(benchRoot(), 'templates', 'jumpcloud-onboarding.yaml'),
      '--inputs-file', csv, '--yes', '--concurrency', String(options.bulkConcurrency), '--json', '--quiet', '--config', ws.config,
    ], ws.dir, ws.env);
    emulator.setFaults({ latencyMs: 0, rateLimit: 0 });

    const results = JSON.parse(timing.stdout) as Array<{ subject: string; status: string; error?: string }>;
    const failed = results.filter((r) => r.status !== 'succeeded');
    if (results.length !== options.hires || failed.length > 0) throw new Error(`${failed.length} of ${results.length} onboardings did not succeed: ${failed.slice(0, 3).map((r) => `${r.subject}: ${r.error ?? r.status}`).join('; ')}`);
    checkEndState(emulator, rows);

    const requests = emulator.requests().slice(setupCalls);
    const rateLimited = requests.filter((r) => r.fault === 'rate_limit').length;
    const calls = requests.length - requests.filter((r) => r.fault !== undefined).length;
    const perHire = onboardingMinimumCalls(HIRE_SHAPE);
    const minimum = perHire.total * options.hires;
    const boundMs = lowerBoundMs(minimum, options.latencyMs, options.maxConcurrency, options.rateLimit);
    const result: OnboardingResult = {
      options,
      wallMs: timing.wallMs,
      calls,
      rateLimited,
      changes: requests.filter((r) => r.fault === undefined && isChange(r)).length,
      minimumCalls: minimum,
      minimumPerHire: perHire,
      boundMs,
      perHireByEndpoint: callsByEndpoint(requests.filter((r) => r.fault === undefined)).map((e) => ({ endpoint: e.endpoint, calls: round(e.calls / options.hires, 2) })),
    };
    const group = `onboarding throughput (${options.hires} new hires)`;
    const figures = [
      figure(group, 'bulk run wall time (whole process)', round(timing.wallMs / 1000, 2), 's', undefined, `${options.latencyMs} ms per request, ${options.maxConcurrency} in flight, ${options.bulkConcurrency} runs at a time`),
      figure(group, 'wall time / lower bound', round(timing.wallMs / boundMs, 2), '×', undefined, `lower bound: ceil(${minimum} calls / ${options.maxConcurrency}) × ${options.latencyMs} ms`),
      figure(group, 'API calls made (excluding 429s and injected faults)', calls, 'calls', { op: '=', value: minimum }, `the fewest needed: ${minimum} (${perHire.total} per new hire: ${describe(perHire)}); made: ${round(calls / options.hires, 1)} per new hire`),
      figure(group, 'changing calls made', result.changes, 'calls', { op: '=', value: perHire.change * options.hires }, 'creations, memberships, bindings'),
    ];
    return { figures, result };
  } finally {
    await emulator.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
}

function describe(parts: ReturnType<typeof onboardingMinimumCalls>): string {
  return `find ${parts.find}, name ${parts.name}, change ${parts.change}`;
}

/** New hire `i`: its username, email and laptop. */
function hire(i: number): { n: string; username: string; email: string; laptop: string } {
  const n = String(i + 1).padStart(5, '0');
  return { n, username: `hire.${n}`, email: `hire.${n}@bench.example`, laptop: `bench-laptop-${n}` };
}

/** The manager, the department's user groups and a laptop per new hire. */
async function seedOrganisation(emulator: RunningEmulator, hires: number): Promise<void> {
  await admin(emulator, '/__sandbox/seed', {
    users: [{ username: 'bench.manager', email: 'bench.manager@bench.example', firstname: 'Bench', lastname: 'Manager' }],
    usergroups: DEPARTMENT_GROUPS.map((name) => ({ name, members: [] })),
    systems: Array.from({ length: hires }, (_, i) => ({ displayName: hire(i).laptop })),
  });
}

/** Every hire activated, with its manager, in both groups and bound to its laptop. */
function checkEndState(emulator: RunningEmulator, hires: ReadonlyArray<ReturnType<typeof hire>>): void {
  const snapshot = emulator.state.snapshot();
  const manager = snapshot.users.find((u) => u.username === 'bench.manager');
  const groups = snapshot.usergroups.filter((g) => DEPARTMENT_GROUPS.includes(g.name));
  const wrong: string[] = [];
  for (const h of hires) {
    const user = snapshot.users.find((u) => u.username === h.username);
    if (user === undefined) {
      wrong.push(`${h.username}: not created`);
      continue;
    }
    if (user.state !== 'ACTIVATED' || user.manager !== manager?._id) wrong.push(`${h.username}: ${user.state}, manager ${String(user.manager)}`);
    if (groups.some((g) => !g.members.includes(user._id))) wrong.push(`${h.username}: not in both groups`);
    const laptop = snapshot.systems.find((s) => s.displayName === h.laptop);
    if (!snapshot.associations.some((a) => a.fromType === 'user' && a.fromId === user._id && a.toId === laptop?._id)) wrong.push(`${h.username}: not bound to ${h.laptop}`);
  }
  if (wrong.length > 0) throw new Error(`the bulk onboarding left ${wrong.length} problems: ${wrong.slice(0, 5).join('; ')}`);
}
