import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { figure, type Figure } from '../figure.js';
import { round } from '../stats.js';
import { benchRoot } from '../paths.js';
import { timeProcess } from '../support/time-process.js';
import { benchWorkspace, LEAVER_SHAPE, seedLeavers, startBenchEmulator } from './bench-org.js';
import { callsByEndpoint, isChange, lowerBoundMs, minimumCalls } from './minimum-calls.js';

/** Settings of the offboarding throughput benchmark. */
export interface ThroughputOptions {
  /** Users offboarded in one bulk run (issue 7: 100 by default, 1,000 with --users 1000). */
  users: number;
  /** Latency the emulator adds to every request (issue 7: 20 ms). */
  latencyMs: number;
  /** The emulator's rate limit, requests per second (429 with Retry-After beyond it). */
  rateLimit: number;
  /** Runs in flight (`--concurrency`). */
  bulkConcurrency: number;
  /** The client's cap on requests in flight per organisation (`max_concurrency`; its default is 5). */
  maxConcurrency: number;
}

/**
 * The defaults: the client's own default cap of 5 requests in flight per organisation, enough
 * runs in flight to keep it busy, and a rate limit above what 5 requests of 20 ms can reach
 * (250 per second), so that a well-behaved client never meets it; 429s are counted apart.
 */
export const THROUGHPUT_DEFAULTS: ThroughputOptions = { users: 100, latencyMs: 20, rateLimit: 300, bulkConcurrency: 10, maxConcurrency: 5 };

/** Targets from issue 7. */
export const THROUGHPUT_TARGETS = { boundRatio: 1.15, peakMemoryMb: 250 } as const;

/** The raw figures, for the JSON output. */
export interface ThroughputResult {
  options: ThroughputOptions;
  wallMs: number;
  cpuMs: number;
  peakMemoryMb: number;
  calls: number;
  rateLimited: number;
  otherFaults: number;
  changes: number;
  minimumCalls: number;
  minimumPerUser: ReturnType<typeof minimumCalls>;
  boundMs: number;
  boundFromCallsMadeMs: number;
  perUserByEndpoint: Array<{ endpoint: string; calls: number }>;
}

/**
 * Offboarding throughput: `users` leavers (seeded through `/__sandbox/seed`, each with 2
 * groups, a system, an application and an SSH key) offboarded by one bulk run of the built CLI
 * (`idflow run templates/jumpcloud-offboarding.yaml --inputs-file leavers.csv`) against the
 * emulator with `latencyMs` per request and a rate limit; compared with the lower bound for
 * the fewest calls that offboarding needs (see minimum-calls.ts). Calls are counted from the
 * emulator's request log; every leaver must end suspended with nothing left.
 */
export async function benchThroughput(options: ThroughputOptions = THROUGHPUT_DEFAULTS): Promise<{ figures: Figure[]; result: ThroughputResult }> {
  const { result, timing } = await measureBulk(options);
  const { minimumCalls: minimum, minimumPerUser: perUser, boundMs, boundFromCallsMadeMs, calls, rateLimited } = result;
  const group = `offboarding throughput (${options.users} users)`;
  const setting = `${options.latencyMs} ms per request, ${options.maxConcurrency} in flight, rate limit ${options.rateLimit}/s, ${options.bulkConcurrency} runs at a time`;
  const figures = [
    figure(group, 'bulk run wall time (whole process)', round(timing.wallMs / 1000, 2), 's', undefined, setting),
    figure(group, 'lower bound for the fewest calls needed', round(boundMs / 1000, 2), 's', undefined, `ceil(${minimum} calls / ${options.maxConcurrency}) × ${options.latencyMs} ms`),
    figure(group, 'wall time / lower bound', round(timing.wallMs / boundMs, 2), '×', { op: '<=', value: THROUGHPUT_TARGETS.boundRatio }),
    figure(group, 'wall time / lower bound for the calls actually made', round(timing.wallMs / boundFromCallsMadeMs, 2), '×', undefined, 'how well the calls made are scheduled, apart from how many there are'),
    figure(group, 'API calls made (excluding 429s and injected faults)', calls, 'calls', { op: '=', value: minimum }, `the fewest needed: ${minimum} (${perUser.total} per user: ${describeMinimum(perUser)}); made: ${round(calls / options.users, 1)} per user`),
    figure(group, 'changing calls made', result.changes, 'calls', { op: '=', value: perUser.change * options.users }, 'memberships, associations, SSH keys, suspensions'),
    figure(group, '429 answers (rate limited)', rateLimited, 'calls', { op: '=', value: 0 }),
    figure(group, 'peak memory of the idflow process', round(result.peakMemoryMb, 0), 'MB', { op: '<', value: THROUGHPUT_TARGETS.peakMemoryMb }, options.users === 1000 ? undefined : 'the target is for 1,000 users (npm run bench -- --users 1000)'),
  ];
  return { figures, result };
}

/** Settings of the rate-limited throughput benchmark (issue 14). */
export const RATE_LIMITED_DEFAULTS: ThroughputOptions = { users: 40, latencyMs: 20, rateLimit: 60, bulkConcurrency: 10, maxConcurrency: 5 };

/** Targets from issue 14: under a binding limit, close to calls ÷ limit, with few 429s. */
export const RATE_LIMITED_TARGETS = { boundRatio: 1.25, rateLimitedPercent: 2 } as const;

/**
 * Offboarding throughput under a binding rate limit (issue 14): as {@link benchThroughput}, with
 * an emulator limit (60/s by default) well below what 5 requests of 20 ms in flight reach (250/s),
 * so the limit decides the time. The client must learn the rate and send just under it: the
 * bound is `(calls − limit) / limit` seconds for the fewest calls, and the 429s are counted
 * against all answers.
 */
export async function benchRateLimited(options: ThroughputOptions = RATE_LIMITED_DEFAULTS): Promise<{ figures: Figure[]; result: ThroughputResult }> {
  const { result, timing } = await measureBulk(options);
  const group = `offboarding throughput (${options.users} users, rate limited)`;
  const answers = result.calls + result.rateLimited + result.otherFaults;
  const figures = [
    figure(group, 'bulk run wall time (whole process)', round(timing.wallMs / 1000, 2), 's', undefined, `emulator limit ${options.rateLimit}/s, ${options.latencyMs} ms per request, ${options.maxConcurrency} in flight, ${options.bulkConcurrency} runs at a time`),
    figure(group, 'lower bound for the fewest calls needed', round(result.boundMs / 1000, 2), 's', undefined, `(${result.minimumCalls} calls − ${options.rateLimit}) / ${options.rateLimit} per second`),
    figure(group, 'wall time / lower bound', round(timing.wallMs / result.boundMs, 2), '×', { op: '<=', value: RATE_LIMITED_TARGETS.boundRatio }),
    figure(group, 'API calls made (excluding 429s)', result.calls, 'calls', { op: '=', value: result.minimumCalls }),
    figure(group, 'share of answers that were 429', round((result.rateLimited / answers) * 100, 2), '%', { op: '<=', value: RATE_LIMITED_TARGETS.rateLimitedPercent }, `${result.rateLimited} of ${answers}`),
  ];
  return { figures, result };
}

/** One bulk offboarding of `options.users` seeded leavers by the built CLI, measured. */
async function measureBulk(options: ThroughputOptions): Promise<{ result: ThroughputResult; timing: Awaited<ReturnType<typeof timeProcess>> }> {
  const emulator = await startBenchEmulator();
  const ws = benchWorkspace(emulator, { maxConcurrency: options.maxConcurrency });
  try {
    const leavers = await seedLeavers(emulator, options.users);
    const csv = join(ws.dir, 'leavers.csv');
    writeFileSync(csv, ['user_identifier,notify_manager,reason', ...leavers.map((l) => `${l.email},false,Benchmark`)].join('\n') + '\n');
    const setupCalls = emulator.requests().length;
    emulator.setFaults({ latencyMs: options.latencyMs, rateLimit: options.rateLimit });

    const root = benchRoot();
    const timing = await timeProcess([
      join(root, 'dist', 'engine', 'cli', 'main.js'), 'run', join(root, 'templates', 'jumpcloud-offboarding.yaml'),
      '--inputs-file', csv, '--yes', '--concurrency', String(options.bulkConcurrency), '--json', '--quiet', '--config', ws.config,
    ], ws.dir, ws.env);
    emulator.setFaults({ latencyMs: 0, rateLimit: 0 });

    const rows = JSON.parse(timing.stdout) as Array<{ subject: string; status: string; error?: string }>;
    const failed = rows.filter((r) => r.status !== 'succeeded');
    if (rows.length !== options.users || failed.length > 0) throw new Error(`${failed.length} of ${rows.length} offboardings did not succeed: ${failed.slice(0, 3).map((r) => `${r.subject}: ${r.error ?? r.status}`).join('; ')}`);
    checkEndState(emulator, leavers.map((l) => l.id));

    const requests = emulator.requests().slice(setupCalls);
    const rateLimited = requests.filter((r) => r.fault === 'rate_limit').length;
    const otherFaults = requests.filter((r) => r.fault !== undefined && r.fault !== 'rate_limit').length;
    const calls = requests.length - rateLimited - otherFaults;
    const perUser = minimumCalls({ groups: LEAVER_SHAPE.groups, systems: LEAVER_SHAPE.systems, applications: LEAVER_SHAPE.applications, ldapServers: 0, radiusServers: 0, sshKeys: LEAVER_SHAPE.sshKeys, pushEndpoints: 0, ldapBindingUser: false, mfaConfigured: false });
    const minimum = perUser.total * options.users;
    const boundMs = lowerBoundMs(minimum, options.latencyMs, options.maxConcurrency, options.rateLimit);
    const boundFromCallsMadeMs = lowerBoundMs(calls, options.latencyMs, options.maxConcurrency, options.rateLimit);
    const result: ThroughputResult = {
      options,
      wallMs: timing.wallMs,
      cpuMs: timing.cpuMs,
      peakMemoryMb: timing.maxRssKb / 1024,
      calls,
      rateLimited,
      otherFaults,
      changes: requests.filter((r) => r.fault === undefined && isChange(r)).length,
      minimumCalls: minimum,
      minimumPerUser: perUser,
      boundMs,
      boundFromCallsMadeMs,
      perUserByEndpoint: callsByEndpoint(requests.filter((r) => r.fault === undefined)).map((e) => ({ endpoint: e.endpoint, calls: round(e.calls / options.users, 2) })),
    };
    return { result, timing };
  } finally {
    await emulator.close();
    rmSync(ws.dir, { recursive: true, force: true });
  }
}

function describeMinimum(parts: ReturnType<typeof minimumCalls>): string {
  return `find ${parts.find}, read ${parts.read}, name ${parts.name}, change ${parts.change}, verify ${parts.verify}`;
}

/** Every leaver suspended, in no group, with no direct association and no SSH key. */
function checkEndState(emulator: Awaited<ReturnType<typeof startBenchEmulator>>, ids: readonly string[]): void {
  const snapshot = emulator.state.snapshot();
  const wrong: string[] = [];
  for (const id of ids) {
    const user = snapshot.users.find((u) => u._id === id);
    if (user === undefined) wrong.push(`${id}: gone`);
    else if (user.state !== 'SUSPENDED' || user.ssh_keys.length > 0) wrong.push(`${user.username}: ${user.state}, ${user.ssh_keys.length} SSH keys`);
    if (snapshot.usergroups.some((g) => g.members.includes(id))) wrong.push(`${id}: still in a group`);
    if (snapshot.associations.some((a) => a.fromType === 'user' && a.fromId === id)) wrong.push(`${id}: still associated`);
  }
  if (wrong.length > 0) throw new Error(`the bulk run left ${wrong.length} problems: ${wrong.slice(0, 5).join('; ')}`);
}
