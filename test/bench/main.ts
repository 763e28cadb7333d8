import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchEngineOverhead, ENGINE_OVERHEAD_DEFAULTS, type EngineOverheadOptions } from './engine/engine-overhead.js';
import { benchEngineShare, ENGINE_SHARE_DEFAULTS, type EngineShareOptions } from './offboarding/engine-share.js';
import { benchThroughput, THROUGHPUT_DEFAULTS, type ThroughputOptions, benchRateLimited, RATE_LIMITED_DEFAULTS } from './offboarding/throughput.js';
import { benchStartup, STARTUP_DEFAULTS, type StartupOptions } from './startup/startup.js';
import { benchOnboarding, ONBOARDING_DEFAULTS, type OnboardingOptions } from './onboarding/onboarding.js';
import { currentLoad, describeMachine, type MachineInfo } from './machine.js';
import { benchRoot } from './paths.js';
import { renderMarkdown, renderTable, RESULTS_END, RESULTS_START } from './report.js';
import type { Figure } from './figure.js';

/** The benchmark groups, in the order they run. */
export const GROUPS = ['engine', 'share', 'throughput', 'onboarding', 'startup'] as const;
type Group = (typeof GROUPS)[number];

/** The command line of `npm run bench`. */
export interface BenchArgs {
  json: boolean;
  write: boolean;
  quick: boolean;
  users: number;
  only: Group[];
}

const USAGE = `usage: npm run bench -- [--json] [--users N] [--only ${GROUPS.join(',')}] [--quick] [--write]

  --json        print the results as JSON instead of a table
  --users N     users offboarded by the throughput benchmark, and new hires onboarded by the
                onboarding one (default ${THROUGHPUT_DEFAULTS.users})
  --only LIST   run only these groups (comma-separated): ${GROUPS.join(', ')}
  --quick       small sizes, for checking that the benchmarks work (figures are not representative)
  --write       also write the results and the machine into BENCHMARKS.md`;

/** Parses the command line; throws an Error with the usage for anything unknown. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { json: false, write: false, quick: false, users: THROUGHPUT_DEFAULTS.users, only: [...GROUPS] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n\n${USAGE}`);
      return next;
    };
    if (arg === '--json') args.json = true;
    else if (arg === '--write') args.write = true;
    else if (arg === '--quick') args.quick = true;
    else if (arg === '--users') {
      const text = value();
      const users = Number(text);
      if (!Number.isInteger(users) || users < 1 || users > 100_000) throw new Error(`--users must be a whole number from 1 to 100000, got "${text}"\n\n${USAGE}`);
      args.users = users;
    } else if (arg === '--only') {
      const names = value().split(',').map((s) => s.trim()).filter((s) => s !== '');
      const unknown = names.filter((n) => !(GROUPS as readonly string[]).includes(n));
      if (unknown.length > 0 || names.length === 0) throw new Error(`--only takes ${GROUPS.join(', ')}; got "${unknown.join(', ') || '(nothing)'}"\n\n${USAGE}`);
      args.only = names as Group[];
    } else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else throw new Error(`unknown option "${arg}"\n\n${USAGE}`);
  }
  return args;
}

/** Everything one `npm run bench` measured. */
export interface BenchReport {
  machine: MachineInfo;
  args: BenchArgs;
  figures: Figure[];
  details: Record<string, unknown>;
}

/** `npm run bench`: runs the chosen groups one after the other and prints or writes the results. */
export async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return argv.includes('--help') || argv.includes('-h') ? 0 : 2;
  }
  const machine = describeMachine();
  const report: BenchReport = { machine, args, figures: [], details: {} };
  const progress = (line: string): void => {
    if (!args.json) process.stderr.write(`${line}\n`);
  };
  const sizes = benchSizes(args);
  for (const group of args.only) {
    progress(`bench: ${group}…`);
    const started = performance.now();
    if (group === 'engine') {
      const { figures, timings } = await benchEngineOverhead(sizes.engine);
      report.figures.push(...figures);
      report.details['engine'] = timings;
    } else if (group === 'share') {
      const { figures, samples } = await benchEngineShare(sizes.share);
      report.figures.push(...figures);
      report.details['share'] = samples;
    } else if (group === 'throughput') {
      const { figures, result } = await benchThroughput(sizes.throughput);
      report.figures.push(...figures);
      report.details['throughput'] = result;
      // The same bulk run under a binding rate limit (issue 14): the client must learn it.
      const limited = await benchRateLimited(sizes.rateLimited);
      report.figures.push(...limited.figures);
      report.details['rateLimited'] = limited.result;
    } else if (group === 'onboarding') {
      const { figures, result } = await benchOnboarding(sizes.onboarding);
      report.figures.push(...figures);
      report.details['onboarding'] = result;
    } else {
      const { figures, samples } = await benchStartup(sizes.startup);
      report.figures.push(...figures);
      report.details['startup'] = samples;
    }
    progress(`bench: ${group} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  machine.loadAfter = currentLoad();
  if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${renderTable(report)}\n`);
  if (args.write) {
    const file = join(benchRoot(), 'BENCHMARKS.md');
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf(RESULTS_START);
    const end = text.indexOf(RESULTS_END);
    if (start < 0 || end < start) throw new Error(`${file} has no ${RESULTS_START} … ${RESULTS_END} section to write the results into`);
    writeFileSync(file, `${text.slice(0, start + RESULTS_START.length)}\n${renderMarkdown(report)}\n${text.slice(end)}`);
    progress(`bench: results written to ${file}`);
  }
  return 0;
}

/** The sizes each group runs with: issue 7's, or small ones with --quick. */
export function benchSizes(args: BenchArgs): { engine: EngineOverheadOptions; share: EngineShareOptions; throughput: ThroughputOptions; rateLimited: ThroughputOptions; onboarding: OnboardingOptions; startup: StartupOptions } {
  if (args.quick) {
    return {
      engine: { longSteps: 100, shortRuns: 20, shortSteps: 10, repeats: 1 },
      share: { runs: 1, latencyMs: ENGINE_SHARE_DEFAULTS.latencyMs },
      throughput: { ...THROUGHPUT_DEFAULTS, users: Math.min(args.users, 5) },
      rateLimited: { ...RATE_LIMITED_DEFAULTS, users: 3, rateLimit: 30 },
      onboarding: { ...ONBOARDING_DEFAULTS, hires: Math.min(args.users, 3) },
      startup: { runs: 1, templateSteps: 50 },
    };
  }
  return { engine: ENGINE_OVERHEAD_DEFAULTS, share: ENGINE_SHARE_DEFAULTS, throughput: { ...THROUGHPUT_DEFAULTS, users: args.users }, rateLimited: RATE_LIMITED_DEFAULTS, onboarding: { ...ONBOARDING_DEFAULTS, hires: args.users }, startup: STARTUP_DEFAULTS };
}
