import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadSandboxData, startEmulator } from '../../../actions/jumpcloud/emulator/index.js';
import { Runtime } from '../../../engine/runtime/runtime.js';
import { startRun } from '../../../engine/runner/start-run.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { figure, type Figure } from '../figure.js';
import { relativeFigure } from '../relative.js';
import { plainLoopStep } from '../engine/plain-loop.js';
import { REFERENCE_MACHINE_LOOP_STEP_US } from '../engine/engine-overhead.js';
import { median, round } from '../stats.js';
import { benchRoot } from '../paths.js';
import { BENCH_API_KEY, benchWorkspace } from './bench-org.js';
import { benchStartRequest } from '../engine/bench-services.js';
import { minimumCalls } from './minimum-calls.js';

/**
 * What john.smith of the example organisation has (examples/sandbox/org.json): 5 groups, 8
 * systems, 6 applications, LDAP and RADIUS, an SSH key, MFA with a push endpoint, the LDAP bind
 * DN flag, and a manager.
 */
const JOHN = { groups: 5, systems: 8, applications: 6, ldapServers: 1, radiusServers: 1, sshKeys: 1, pushEndpoints: 1, ldapBindingUser: true, mfaConfigured: true, hasManager: true } as const;

/** Issue 14's goal for offboarding john.smith, with the verification kept. */
export const JOHN_CALLS_TARGET = 50;

/** Sizes of the engine-share benchmark. */
export interface EngineShareOptions {
  /** Offboardings measured (the emulator is reset before each); the median is reported. */
  runs: number;
  /** Latency the emulator adds to every request, in milliseconds. */
  latencyMs: number;
}

/** What issue 7 asks for: a realistic latency. */
export const ENGINE_SHARE_DEFAULTS: EngineShareOptions = { runs: 5, latencyMs: 20 };

/** The share of an offboarding's wall time the engine may take, in percent. */
export const ENGINE_SHARE_TARGET_PERCENT = 2;

/**
 * Engine time of a whole offboarding: john.smith of the example organisation (5 groups, 8
 * systems, 6 applications, LDAP, RADIUS, MFA, an SSH key) offboarded by the real runner, in
 * this process, against the emulator with `latencyMs` per request.
 *
 * Engine time = the run's wall time minus the time during which at least one action `run()`
 * was in progress (the union of their intervals, so that concurrent calls are not counted
 * twice). What remains is the engine alone: loading nothing (the template and runtime are
 * ready), but rendering, validating, journaling, auditing and logging every step, and the
 * run's start and end (run folder, record, lock).
 */
export async function benchEngineShare(options: EngineShareOptions = ENGINE_SHARE_DEFAULTS): Promise<{ figures: Figure[]; samples: Array<{ wallMs: number; actionMs: number; engineMs: number; requests: number }> }> {
  const root = benchRoot();
  const data = await loadSandboxData(join(root, 'examples', 'sandbox', 'org.json'));
  const emulator = await startEmulator({ data, apiKey: BENCH_API_KEY, seed: 7 });
  const ws = benchWorkspace(emulator);
  const runtime = await Runtime.create({ cwd: ws.dir, env: { ...process.env, ...ws.env }, configFile: ws.config });
  try {
    const clock = wrapActions(runtime);
    const loaded = await runtime.loadWorkflow(join(root, 'templates', 'jumpcloud-offboarding.yaml'));
    const inputs = runtime.resolveInputs(loaded.workflow, { pairs: { user_identifier: 'john.smith@company.com', notify_manager: 'false' } });
    const vars = runtime.resolveVars(loaded.workflow);
    const sink = new Writable({ write(_chunk, _encoding, callback) { callback(); } });
    const once = async (): Promise<{ wallMs: number; actionMs: number; engineMs: number; requests: number }> => {
      // Each run starts as the first would: the organisation as it was, and no backup from an
      // earlier run (the backup step finds an existing export and does not read it all again).
      emulator.reset();
      rmSync(join(runtime.services.store.root, 'backups'), { recursive: true, force: true });
      emulator.setFaults({ latencyMs: options.latencyMs });
      clock.reset();
      const started = performance.now();
      const outcome = await startRun(benchStartRequest(loaded, { stream: sink, mode: 'silent' }, inputs, vars), runtime.services);
      const wallMs = performance.now() - started;
      if (outcome.status !== 'succeeded') throw new Error(`the offboarding ended ${outcome.status}: ${outcome.error?.message ?? ''}`);
      const actionMs = clock.busyMs();
      return { wallMs, actionMs, engineMs: wallMs - actionMs, requests: emulator.requests().length };
    };
    await once(); // warm-up: JIT, schema compiles, the client's first connections
    const loopSteps = [(await plainLoopStep()).wallUs];
    const samples = [];
    for (let i = 0; i < options.runs; i++) samples.push(await once());
    loopSteps.push((await plainLoopStep()).wallUs);
    const loopStepUs = median(loopSteps);
    const wall = median(samples.map((s) => s.wallMs));
    const engine = median(samples.map((s) => s.engineMs));
    const share = median(samples.map((s) => (s.engineMs / s.wallMs) * 100));
    // The same run on the machine of issue 7's targets: the engine's time scaled by the speed of
    // a plain-loop step there and here, the actions' time (the emulator's latency) unchanged.
    const scale = REFERENCE_MACHINE_LOOP_STEP_US / loopStepUs;
    const scaledShare = median(samples.map((s) => ((s.engineMs * scale) / (s.wallMs - s.engineMs + s.engineMs * scale)) * 100));
    const group = 'engine share of an offboarding';
    const fewest = minimumCalls(JOHN);
    const calls = samples[0]?.requests ?? 0;
    return {
      figures: [
        figure(group, `john.smith (${samples[0]?.requests ?? 0} API calls, ${options.latencyMs} ms latency): wall time`, round(wall, 0), 'ms', undefined, `median of ${options.runs} runs in one process`),
        relativeFigure(group, 'engine time (wall time with no action run() in progress)', round(engine, 1), 'ms', { name: 'plain-loop steps', value: loopStepUs / 1000, unit: 'ms' }, undefined, `a plain-loop step took ${round(loopStepUs, 3)} µs in this run (${REFERENCE_MACHINE_LOOP_STEP_US} µs on the machine of issue 7's targets)`),
        figure(group, 'engine share of the wall time', round(share, 2), '%', { op: '<', value: ENGINE_SHARE_TARGET_PERCENT }),
        figure(group, 'API calls made for john.smith', calls, 'calls', { op: '=', value: fewest.total },
          `the fewest needed: ${fewest.total} (find ${fewest.find}, read ${fewest.read}, name ${fewest.name}, change ${fewest.change}, verify ${fewest.verify}); issue 14's goal: at most ${JOHN_CALLS_TARGET}`),
        figure(group, 'engine share at the plain-loop speed of the reference machine', round(scaledShare, 2), '%', undefined, 'engine time × (reference plain-loop step / this run\'s), latency unchanged: what the share would be on the machine the targets were set on'),
      ],
      samples,
    };
  } finally {
    await runtime.close();
    await emulator.close();
  }
}

/**
 * Wraps every registered action's `run()` to measure the time during which at least one was
 * in progress. The definitions are the packs' own objects; this process only runs benchmarks.
 */
function wrapActions(runtime: Runtime): { reset(): void; busyMs(): number } {
  let inFlight = 0;
  let busySince = 0;
  let busy = 0;
  for (const registered of runtime.services.registry.list()) {
    const definition = registered.definition;
    const run = definition.run.bind(definition);
    definition.run = async (ctx: ActionContext, params: Record<string, unknown>) => {
      if (inFlight++ === 0) busySince = performance.now();
      try {
        return await run(ctx, params);
      } finally {
        if (--inFlight === 0) busy += performance.now() - busySince;
      }
    };
  }
  return {
    reset: () => {
      busy = 0;
    },
    busyMs: () => busy,
  };
}
