import type { ConsoleOptions } from '../runner/run-services.js';
import { fireTimer, sandboxMismatch, type TimerRuntime } from '../timers/fire-timer.js';
import type { TimerStore } from '../timers/timer-store.js';
import type { RunDispatcher } from './run-dispatcher.js';
import type { ServeLogger } from './serve-logger.js';

/** What {@link TimerLoop} needs. */
export interface TimerLoopDeps {
  timers: TimerStore;
  runtime: TimerRuntime;
  dispatcher: RunDispatcher;
  intervalMs: number;
  console(label: string): ConsoleOptions;
  logger: ServeLogger;
  /** The clock due times are compared with (tests move it forward). */
  now(): Date;
}

/**
 * Serve's timer check: at start and every `intervalMs`, each pending timer that is due is
 * fired through the dispatcher (so timers share the concurrency cap and the shutdown drain with
 * every other run). A timer already being fired by this serve is not submitted again; one that
 * cannot fire yet (its action is not loaded here) is logged once and retried at each check.
 */
export class TimerLoop {
  private handle: NodeJS.Timeout | undefined;
  private readonly firing = new Set<string>();
  private readonly warned = new Set<string>();
  private stopped = false;

  constructor(private readonly deps: TimerLoopDeps) {}

  /** Checks now, then every `intervalMs` until {@link stop}. */
  start(): void {
    this.check();
  }

  /** Stops checking; timers already submitted finish (or drain) with the dispatcher. */
  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) clearTimeout(this.handle);
  }

  /** Submits every due timer not already being fired; returns how many were submitted. */
  check(): number {
    if (this.stopped) return 0;
    const { deps } = this;
    let submitted = 0;
    try {
      for (const timer of deps.timers.due(deps.now())) {
        if (this.firing.has(timer.id) || deps.dispatcher.draining) continue;
        const mismatch = sandboxMismatch(timer, deps.runtime.services.sandbox);
        if (mismatch !== undefined) {
          if (!this.warned.has(timer.id)) deps.logger.warn(`timer ${timer.id} (${timer.action}) stays pending: ${mismatch}`);
          this.warned.add(timer.id);
          continue;
        }
        this.firing.add(timer.id);
        submitted++;
        const submission = deps.dispatcher.submit({
          label: `timer ${timer.id} (${timer.action})`,
          start: async (job) => {
            const firing = await fireTimer(timer, { runtime: deps.runtime, timers: deps.timers, signal: job.signal, drain: job.drain, console: deps.console(`timer ${timer.id}`), onRunCreated: (runId) => job.onRunCreated(runId) });
            if (firing.kind === 'finished') {
              this.warned.delete(timer.id);
              deps.logger.info(`timer ${timer.id} ${firing.timer.state}${firing.runId === undefined ? ' before its run started' : ` by run ${firing.runId}`}: ${firing.timer.reason ?? ''}`);
            } else if (firing.kind === 'pending' && !this.warned.has(timer.id)) {
              this.warned.add(timer.id);
              deps.logger.warn(`timer ${timer.id} (${timer.action}) stays pending: ${firing.reason}`);
            }
          },
        });
        void submission.done.then(() => this.firing.delete(timer.id));
      }
    } catch (error) {
      deps.logger.error(`cannot check the timers: ${(error as Error).message}`);
    }
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = setTimeout(() => this.check(), deps.intervalMs);
    return submitted;
  }
}
