import { CancelledError } from '../errors/action-errors.js';
import { classifyError } from '../errors/classify.js';
import type { IdflowError } from '../errors/idflow-error.js';
import type { ServeLogger } from './serve-logger.js';

/** What a job gets when it starts. */
export interface JobContext {
  /** Aborted when the shutdown grace is over (or on a second signal): cancels the step in flight. */
  signal: AbortSignal;
  /** Aborted when shutdown begins: the run stops at its next step boundary. */
  drain: AbortSignal;
  /** Call with the run id as soon as the run record exists. */
  onRunCreated(runId: string): void;
}

/** One run to execute (an event's run, a schedule slot, a due timer). */
export interface RunJob {
  /** For the log, e.g. `jumpcloud-offboarding (event hr.employee.terminated evt-1)`. */
  label: string;
  /** Starts and drives the run; resolves when it ends. */
  start(context: JobContext): Promise<unknown>;
}

/** How a job's start went. */
export type JobStart =
  /** Its run exists (and is under way). */
  | { kind: 'started'; runId: string }
  /** It ended before any run existed (e.g. the subject is locked by another run). */
  | { kind: 'refused'; error: IdflowError }
  /** It ended without creating a run and without an error (e.g. a timer someone else fired). */
  | { kind: 'none' }
  /** It never started: serve shut down while it waited in the queue. */
  | { kind: 'dropped' };

/** What {@link RunDispatcher.submit} returns. */
export interface Submission {
  /** True when the job waits for a free slot. */
  queued: boolean;
  /** Resolves once the job's run exists, or the job ended or was dropped without one. */
  started: Promise<JobStart>;
  /** Resolves when the job has ended (never rejects). */
  done: Promise<void>;
}

interface Pending {
  job: RunJob;
  resolveStarted(start: JobStart): void;
  resolveDone(): void;
}

/**
 * Runs serve's jobs in the background, at most `concurrency` at once; more wait in a queue,
 * oldest first. Shutdown drops the queue (its jobs are durable elsewhere: an event's pending
 * runs in its record, a timer in the timer store) and drains the jobs in flight: their runs
 * stop at the next step boundary, and after the grace period the step in flight is cancelled.
 */
export class RunDispatcher {
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly drainController = new AbortController();
  private readonly stopController = new AbortController();
  private closed = false;

  constructor(private readonly concurrency: number, private readonly logger: ServeLogger) {}

  /** Jobs running now. */
  get running(): number {
    return this.inFlight.size;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Whether shutdown has begun. */
  get draining(): boolean {
    return this.closed;
  }

  /** Aborted when shutdown begins (for work serve retries in the background, which then stops). */
  get drainSignal(): AbortSignal {
    return this.drainController.signal;
  }

  /** Starts the job now when a slot is free, else queues it. After shutdown began, it is dropped at once. */
  submit(job: RunJob): Submission {
    let resolveStarted!: (start: JobStart) => void;
    let resolveDone!: () => void;
    const started = new Promise<JobStart>((resolve) => { resolveStarted = resolve; });
    const done = new Promise<void>((resolve) => { resolveDone = resolve; });
    const pending: Pending = { job, resolveStarted, resolveDone };
    if (this.closed) {
      resolveStarted({ kind: 'dropped' });
      resolveDone();
      return { queued: false, started, done };
    }
    if (this.inFlight.size < this.concurrency) {
      this.launch(pending);
      return { queued: false, started, done };
    }
    this.queue.push(pending);
    this.logger.info(`queued ${job.label} (${this.queue.length} waiting, ${this.inFlight.size} running)`);
    return { queued: true, started, done };
  }

  /**
   * Shuts down: drops the queue, asks every run in flight to stop at its next step boundary,
   * waits up to `graceMs`, then cancels the steps still in flight and waits for them to end
   * (steps honour their signal; after `stopWaitMs` more, it gives up waiting).
   *
   * @returns how many jobs were still running when the grace period ended.
   */
  async shutdown(graceMs: number, stopWaitMs = 10_000): Promise<{ dropped: number; cancelled: number }> {
    this.closed = true;
    const dropped = this.queue.splice(0);
    for (const pending of dropped) {
      pending.resolveStarted({ kind: 'dropped' });
      pending.resolveDone();
    }
    this.drainController.abort(new CancelledError('idflow serve is shutting down'));
    const settled = await waitAll([...this.inFlight], graceMs);
    let cancelled = 0;
    if (!settled) {
      cancelled = this.inFlight.size;
      this.logger.warn(`shutdown grace of ${graceMs}ms is over: cancelling ${cancelled} step${cancelled === 1 ? '' : 's'} still in flight`);
      this.stopNow();
      await waitAll([...this.inFlight], stopWaitMs);
    }
    return { dropped: dropped.length, cancelled };
  }

  /** Cancels the steps in flight at once (a second SIGTERM). */
  stopNow(): void {
    this.closed = true;
    this.drainController.abort(new CancelledError('idflow serve is shutting down'));
    this.stopController.abort(new CancelledError('idflow serve is stopping now'));
  }

  private launch(pending: Pending): void {
    const { job } = pending;
    let runId: string | undefined;
    const context: JobContext = {
      signal: this.stopController.signal,
      drain: this.drainController.signal,
      onRunCreated: (id) => {
        runId = id;
        pending.resolveStarted({ kind: 'started', runId: id });
      },
    };
    const run = (async () => {
      try {
        await job.start(context);
        if (runId === undefined) pending.resolveStarted({ kind: 'none' });
      } catch (error) {
        const classified = classifyError(error);
        if (runId === undefined) pending.resolveStarted({ kind: 'refused', error: classified });
        else this.logger.error(`${job.label}: run ${runId} ended with an error: ${classified.message}`);
      }
    })();
    const tracked: Promise<void> = run.finally(() => {
      this.inFlight.delete(tracked);
      pending.resolveDone();
      this.next();
    });
    this.inFlight.add(tracked);
  }

  private next(): void {
    while (!this.closed && this.inFlight.size < this.concurrency) {
      const pending = this.queue.shift();
      if (pending === undefined) return;
      this.launch(pending);
    }
  }
}

/** Waits for every promise, or until `ms` passed; true when all settled in time. */
async function waitAll(promises: Array<Promise<void>>, ms: number): Promise<boolean> {
  if (promises.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([Promise.all(promises).then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
