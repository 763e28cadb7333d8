import type { LoadedWorkflow } from '../runtime/runtime.js';
import { RunNotFoundError } from '../errors/usage-errors.js';
import type { RunStatus } from '../store/journal-events.js';
import type { EventInbox, EventRecord } from './event-inbox.js';
import type { JobStart, RunDispatcher } from './run-dispatcher.js';
import { startPlannedRun, type PlannedRunDeps } from './start-planned-run.js';
import { retryTransientStart, type StartRetryPolicy } from './transient-start.js';
import { matchEvent, type IncomingEvent, type MatchContext, type PlannedRun } from './trigger-matching.js';

/**
 * A run an event started, with its status now: `missing` when its folder was removed since,
 * `unreadable` when its record cannot be read (the answer to the sender must not fail for it).
 */
export interface EventRun {
  workflow: string;
  runId: string;
  status: RunStatus | 'missing' | 'unreadable';
}

/** What `GET /events/{source}/{id}` shows: the event's record with its runs' statuses now. */
export type EventView = Omit<EventRecord, 'runs'> & { runs: EventRun[] };

/** What a sender is told about an event (the body of the 202, or of the 200 for a repeat). */
export interface EventResponse {
  event: string;
  id: string;
  source: string;
  /** True when the id was accepted before: nothing new was started. */
  duplicate: boolean;
  /** The runs the event started (also before a restart), each with its status now. */
  runs: EventRun[];
  /** Runs waiting for a free slot (they start in order, also after a restart). */
  queued: Array<{ workflow: string }>;
  skipped: Array<{ workflow: string; reason: string }>;
  /** Why nothing ran, when nothing did. */
  reason?: string;
}

/** What {@link EventIntake} needs. */
export interface EventIntakeDeps extends PlannedRunDeps {
  inbox: EventInbox;
  dispatcher: RunDispatcher;
  workflows: readonly LoadedWorkflow[];
  /** The folder the workflows come from (for "nothing listens" answers). */
  workflowsDir: string;
  /** Matching context for an event from a source. */
  matchContext(source: string): MatchContext;
  now(): Date;
  /** How a run that cannot start for a transient reason (EMFILE, ENOSPC, …) is retried; see START_RETRY_DEFAULTS. */
  startRetry?: StartRetryPolicy;
}

/**
 * Takes events in, from webhooks and event sources alike: records each one durably and
 * exactly once (the {@link EventInbox}), finds the runs it starts, and hands them to the
 * {@link RunDispatcher}. The record is updated the moment each run exists, so after a restart
 * the runs an event matched but did not start yet are started ({@link EventIntake.recover}),
 * and the ones that did start are not started again.
 *
 * An accepted event ends in runs, or in a refusal by a stated rule (no trigger, workflow
 * disabled, `if` false, bad inputs, subject held by another run): a run that cannot start for
 * a transient reason (file descriptors or disk space running out, see isTransientStartError)
 * is tried again with backoff, its workflow staying `pending` in the record until it starts,
 * never turned into a skip.
 */
export class EventIntake {
  constructor(private readonly deps: EventIntakeDeps) {}

  /**
   * Accepts an event. A repeat (an id accepted before, also before a restart) is answered from
   * its record and starts nothing.
   *
   * @returns the answer for the sender; runs that could start at once have their ids in it.
   */
  async accept(event: IncomingEvent, via: EventRecord['via']): Promise<EventResponse> {
    const { deps } = this;
    const matched = matchEvent(event, deps.workflows, deps.matchContext(event.source));
    const reason = matched.listening === 0
      ? `no workflow in ${deps.workflowsDir} has a trigger for the event "${event.name}"`
      : matched.planned.length === 0 ? 'no trigger fired: see skipped' : undefined;
    if (via === 'event-source' && matched.listening === 0) {
      // A polled source reports every change in the directory, most of which no workflow wants;
      // its cursor already guarantees it is read once, so only events a workflow listens to are recorded.
      return { event: event.name, id: event.id, source: event.source, duplicate: false, runs: [], queued: [], skipped: [], ...(reason === undefined ? {} : { reason }) };
    }
    const created = deps.inbox.create({
      source: event.source,
      id: event.id,
      event: event.name,
      via,
      receivedAt: deps.now().toISOString(),
      payload: event.payload,
      runs: [],
      skipped: matched.skipped,
      pending: matched.planned.map((run) => run.loaded.workflow.id),
      ...(reason === undefined ? {} : { reason }),
    });
    if (!created.created) {
      const response = { ...this.responseOf(created.existing), duplicate: true };
      deps.logger.info(`event ${event.name} (${event.id}) from ${event.source} is a repeat: acknowledged, nothing started${response.runs.length > 0 ? `; its runs: ${response.runs.map((r) => `${r.runId} ${r.status}`).join(', ')}` : ''}`);
      return response;
    }
    await this.dispatchAll(created.record, matched.planned);
    // Runs that started are in the record now; the rest wait in the queue (and survive a restart).
    const response = this.responseOf(deps.inbox.get(event.source, event.id) ?? created.record);
    deps.logger.info(`event ${event.name} (${event.id}) from ${event.source}: ${describe(response)}`);
    return response;
  }

  /**
   * Starts the runs that accepted events matched but never started (serve stopped first, or
   * they were queued), re-checking each workflow's trigger against the event.
   * @returns how many runs were handed to the dispatcher.
   */
  recover(): number {
    const { deps } = this;
    let count = 0;
    let started: Map<string, string> | undefined;
    for (const owing of deps.inbox.withPending((file, error) => deps.logger.warn(`cannot read the event record ${file}: ${error.message}`))) {
      // A run whose record exists but whose event record did not say so yet (serve was killed in
      // between) started: starting it again would offboard twice.
      started ??= this.eventRuns();
      const found = owing.pending.flatMap((workflow) => {
        const runId = started?.get(eventRunKey(owing.source, owing.id, workflow));
        return runId === undefined ? [] : [{ workflow, runId }];
      });
      const record = found.length === 0 ? owing : deps.inbox.update(owing.source, owing.id, (current) => ({
        ...current,
        runs: [...current.runs, ...found.filter((run) => !current.runs.some((known) => known.runId === run.runId))],
        pending: current.pending.filter((workflow) => !found.some((run) => run.workflow === workflow)),
      }));
      for (const run of found) deps.logger.info(`event ${record.event} (${record.id}): run ${run.runId} of ${run.workflow} had started before serve stopped; it is not started again`);
      if (record.pending.length === 0) continue;
      const event: IncomingEvent = { name: record.event, id: record.id, source: record.source, payload: record.payload };
      const workflows = deps.workflows.filter((loaded) => record.pending.includes(loaded.workflow.id));
      const matched = matchEvent(event, workflows, deps.matchContext(record.source));
      const gone = record.pending.filter((id) => !workflows.some((loaded) => loaded.workflow.id === id));
      deps.inbox.update(record.source, record.id, (current) => ({
        ...current,
        pending: matched.planned.map((run) => run.loaded.workflow.id),
        skipped: [...current.skipped, ...matched.skipped, ...gone.map((workflow) => ({ workflow, reason: `the workflow is no longer in ${deps.workflowsDir}` }))],
      }));
      deps.logger.info(`event ${record.event} (${record.id}) from ${record.source}: starting ${matched.planned.length} run${matched.planned.length === 1 ? '' : 's'} it matched before serve stopped`);
      this.dispatchAll({ ...record, pending: matched.planned.map((run) => run.loaded.workflow.id) }, matched.planned).catch((error: unknown) => {
        deps.logger.error(`event ${record.event} (${record.id}): could not record how its runs started: ${(error as Error).message}`);
      });
      count += matched.planned.length;
    }
    return count;
  }

  /**
   * The event's record with each run's status now (for `GET /events/{source}/{id}`).
   * @returns undefined when no event with that id was accepted from that source (or its record was pruned).
   */
  view(source: string, id: string): EventView | undefined {
    const record = this.deps.inbox.get(source, id);
    return record === undefined ? undefined : { ...record, runs: record.runs.map((run) => this.withStatus(run)) };
  }

  /** Submits each planned run; waits for those that start at once, and returns those that wait. */
  private async dispatchAll(record: EventRecord, planned: readonly PlannedRun[]): Promise<Array<{ workflow: string }>> {
    const { deps } = this;
    const queued: Array<{ workflow: string }> = [];
    const immediate: Array<Promise<unknown>> = [];
    for (const run of planned) {
      const workflowId = run.loaded.workflow.id;
      const label = `${workflowId} (event ${record.event} ${record.id})`;
      // Set when serve stopped while the start was being retried: the workflow stays pending.
      let deferred = false;
      // A start that is being retried is answered as queued: the sender is not kept waiting.
      let retrying!: () => void;
      const firstRetry = new Promise<void>((resolve) => { retrying = resolve; });
      const submission = deps.dispatcher.submit({
        label,
        start: async (job) => {
          let created = false;
          const attempt = await retryTransientStart(() => startPlannedRun(run, {
            event: record.payload,
            trigger: { type: 'event', event: record.event, eventId: record.id, source: record.source },
            initiatedBy: initiatedByFor(record.source),
            reason: typeof run.inputs['reason'] === 'string' && run.inputs['reason'].trim() !== '' ? run.inputs['reason'].trim() : `event ${record.event} (${record.id})`,
            onRunCreated: (runId) => {
              created = true;
              this.recordRun(record, workflowId, runId);
            },
          }, job, deps), { label, stop: job.drain, logger: deps.logger, ...(deps.startRetry === undefined ? {} : { policy: deps.startRetry }), retryable: () => !created, onRetry: () => retrying() });
          if (attempt.kind === 'stopped') deferred = true;
        },
      });
      const settled = submission.started.then((start) => (deferred ? this.deferred(record, workflowId) : this.settle(record, workflowId, start))).catch((error: unknown) => {
        deps.logger.error(`event ${record.event} (${record.id}): could not record how ${workflowId} started: ${(error as Error).message}`);
      });
      if (submission.queued) queued.push({ workflow: workflowId });
      else immediate.push(Promise.race([settled, firstRetry]));
    }
    await Promise.all(immediate);
    return queued;
  }

  /**
   * Records in the event's record that its run exists, before the run takes a step, so that a
   * restart never starts it again. When the record cannot be written now (the same shortage
   * the run may have survived), it is tried again in the background; a restart in between finds
   * the run by its trigger instead (see {@link EventIntake.recover}).
   */
  private recordRun(record: EventRecord, workflowId: string, runId: string): void {
    const { deps } = this;
    const write = (): void => {
      deps.inbox.update(record.source, record.id, (current) => ({
        ...current,
        runs: current.runs.some((known) => known.runId === runId) ? current.runs : [...current.runs, { workflow: workflowId, runId }],
        pending: current.pending.filter((id) => id !== workflowId),
      }));
    };
    deps.logger.info(`run ${runId} started: ${workflowId} for event ${record.event} (${record.id})`);
    try {
      write();
    } catch (error) {
      deps.logger.warn(`event ${record.event} (${record.id}): cannot record its run ${runId} yet: ${(error as Error).message}; trying again`);
      const never = new AbortController().signal;
      retryTransientStart(async () => write(), { label: `the record of event ${record.event} (${record.id})`, stop: never, logger: deps.logger, ...(deps.startRetry === undefined ? {} : { policy: deps.startRetry }) }).catch((failure: unknown) => {
        deps.logger.error(`event ${record.event} (${record.id}): cannot record its run ${runId}: ${(failure as Error).message}; serve finds the run by its trigger at the next start`);
      });
    }
  }

  /** Serve stopped while a start was being retried: the workflow stays pending for the next start. */
  private deferred(record: EventRecord, workflowId: string): void {
    this.deps.logger.warn(`${workflowId} for event ${record.event} (${record.id}) did not start before serve stopped; it stays pending and starts when serve is back`);
  }

  /** The runs of events that exist in the store, by source, event id and workflow. */
  private eventRuns(): Map<string, string> {
    const runs = new Map<string, string>();
    for (const meta of this.deps.services.store.listRuns({ onUnreadable: (runId, error) => this.deps.logger.warn(`cannot read run ${runId}: ${error.message}`) })) {
      const { trigger } = meta;
      if (trigger.type !== 'event' || trigger.eventId === undefined || trigger.source === undefined || meta.parentRunId !== undefined) continue;
      runs.set(eventRunKey(trigger.source, trigger.eventId, meta.workflow.id), meta.id);
    }
    return runs;
  }

  private responseOf(record: EventRecord): EventResponse {
    return {
      event: record.event,
      id: record.id,
      source: record.source,
      duplicate: false,
      runs: record.runs.map((run) => this.withStatus(run)),
      queued: record.pending.map((workflow) => ({ workflow })),
      skipped: record.skipped,
      ...(record.reason === undefined ? {} : { reason: record.reason }),
    };
  }

  private withStatus(run: { workflow: string; runId: string }): EventRun {
    try {
      return { ...run, status: this.deps.services.store.openRun(run.runId).meta().status };
    } catch (error) {
      if (error instanceof RunNotFoundError) return { ...run, status: 'missing' };
      this.deps.logger.warn(`cannot read run ${run.runId}: ${(error as Error).message}`);
      return { ...run, status: 'unreadable' };
    }
  }

  /** Records how a run's start went, unless its run already recorded itself. */
  private settle(record: EventRecord, workflowId: string, start: JobStart): void {
    if (start.kind === 'started' || start.kind === 'dropped') return; // recorded by onRunCreated / stays pending for the next start
    const reason = start.kind === 'refused' ? start.error.message : 'it ended before starting a run';
    this.deps.inbox.update(record.source, record.id, (current) => ({
      ...current,
      pending: current.pending.filter((id) => id !== workflowId),
      skipped: [...current.skipped, { workflow: workflowId, reason }],
    }));
    this.deps.logger.warn(`${workflowId} did not start for event ${record.event} (${record.id}): ${reason}`);
  }
}

/** Who event runs are recorded as started by. */
export function initiatedByFor(source: string): string {
  return `idflow serve (${source})`;
}

function eventRunKey(source: string, eventId: string, workflow: string): string {
  return JSON.stringify([source, eventId, workflow]);
}

function describe(response: EventResponse): string {
  const parts = [`${response.runs.length} run${response.runs.length === 1 ? '' : 's'} started`];
  if (response.queued.length > 0) parts.push(`${response.queued.length} queued`);
  if (response.skipped.length > 0) parts.push(`skipped ${response.skipped.map((s) => `${s.workflow} (${s.reason})`).join(', ')}`);
  if (response.reason !== undefined && response.runs.length === 0) parts.push(response.reason);
  return parts.join('; ');
}
