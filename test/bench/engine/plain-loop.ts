import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { median } from '../stats.js';
import { noopAction, type NoopParams } from './noop-pack.js';

/**
 * The plain loop: the engine benchmarks' workflow-free baseline. The no-op action's handler is
 * called with the same parameters and awaited as the engine awaits it, with no engine around it.
 */
export async function plainLoop(ctx: ActionContext, runs: number, steps: number, n: number): Promise<number> {
  const params: NoopParams[] = Array.from({ length: steps }, (_, index) => ({ value: n, index }));
  const started = performance.now();
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    for (const p of params) {
      const result = await noopAction.run(ctx, p);
      if (result.changed) sink++;
    }
  }
  const elapsed = performance.now() - started;
  if (sink !== 0) throw new Error('the no-op action reported a change');
  return elapsed;
}

/** Steps of one measurement of {@link plainLoopStep}: long enough (tens of ms) for the timer and the JIT not to matter. */
const REFERENCE_STEPS = 200_000;

/** One plain-loop step's time, wall and CPU. */
export interface PlainLoopStep {
  /** Wall time, in µs. */
  wallUs: number;
  /** This process's CPU time (user + system), in µs: less sensitive to other load on the machine. */
  cpuUs: number;
}

/**
 * The time of one plain-loop step on this machine, now: the reference the engine figures are
 * divided by, so that a figure measured on a slower or busier machine is compared with a target
 * that slows down with it. The medians of `repeats` measurements of 200,000 steps each, after a
 * warm-up (a 1,000-step loop, the baseline of the overhead figures, lasts about 0.1 ms: too short
 * to be a reference on its own).
 */
export async function plainLoopStep(repeats = 5): Promise<PlainLoopStep> {
  const ctx = createMockActionContext();
  await plainLoop(ctx, 20, 1000, 7);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const before = process.cpuUsage();
    wall.push(((await plainLoop(ctx, REFERENCE_STEPS / 1000, 1000, 7)) * 1000) / REFERENCE_STEPS);
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / REFERENCE_STEPS);
  }
  return { wallUs: median(wall), cpuUs: median(cpu) };
}
