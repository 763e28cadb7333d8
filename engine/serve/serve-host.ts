import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Problem } from '../diagnostics/problem.js';
import type { Environment } from '../config/index.js';
import { ConflictError } from '../errors/action-errors.js';
import { SubjectLockedError, ValidationError } from '../errors/usage-errors.js';
import { isLoopbackHost } from '../plugin-api/loopback-host.js';
import type { EventSourceProvider } from '../plugin-api/pack.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ConsoleOptions } from '../runner/run-services.js';
import { acquireSubjectLock, removeStaleSubjectLocks, type SubjectLock } from '../store/subject-lock.js';
import { TimerStore } from '../timers/timer-store.js';
import { loadWorkflowFolder } from '../workflows/workflow-folder.js';
import { WorkflowStateStore } from '../workflows/workflow-state.js';
import { describeWorkflow, type WorkflowDetail } from '../workflows/workflow-detail.js';
import { summariseWorkflows } from '../workflows/workflow-summary.js';
import { EventInbox } from './event-inbox.js';
import { EventIntake, initiatedByFor } from './event-intake.js';
import { CursorStore, EventSourceHost, resolveEventSources } from './event-source-host.js';
import { connectionCaps, readFdUsage } from './fd-budget.js';
import { consolePages } from '../console/console-pages.js';
import { consoleAuthPlugin } from './auth/console-auth-plugin.js';
import { refuseWithoutCsrf } from './auth/csrf-hook.js';
import { csrfToken } from './auth/request-session.js';
import { registered } from './http/serve-app.js';
import { startHttpServer, type RunningHttpServer } from './http/start-http-server.js';
import { writeRoutes } from './http/write-routes.js';
import { RunDispatcher } from './run-dispatcher.js';
import { recoverInterruptedRuns, resumeStrandedRun, type RunRecoveryDeps } from './run-recovery.js';
import { ScheduleRunner, type ScheduleClock } from './schedule-runner.js';
import { ScheduleStateStore } from './schedule-state.js';
import { dispatchScheduledRun, SCHEDULE_INITIATOR } from './scheduled-run.js';
import { createServeLogger, type ServeLogger } from './serve-logger.js';
import { resolveServeSettings, type ServeFlags, type ServeSettings } from './serve-settings.js';
import { TimerLoop } from './timer-loop.js';
import { createServeOperations } from './operations/create-serve-operations.js';
import type { ServeOperations } from './operations/serve-operations.js';
import type { MatchContext } from './trigger-matching.js';

/** How often accepted events' records past `serve.event_retention` are removed (besides at start). */
const EVENT_PRUNE_INTERVAL_MS = 60 * 60_000;

/** What {@link startServe} needs. */
export interface ServeOptions {
  /** The runtime (config, plugins, store, services), built by the caller. */
  runtime: Runtime;
  /** The folder of templates, relative to `cwd`. */
  workflowsDir: string;
  cwd: string;
  env: Environment;
  flags: ServeFlags;
  /** Where serve's log and the runs' warnings go (stderr). */
  log: NodeJS.WritableStream;
  /** The clock for webhook timestamps, matching and due timers (tests move it forward). */
  now?: () => Date;
  /** The clock schedules run on (tests pass a fake one). */
  scheduleClock?: ScheduleClock;
}

/** A running `idflow serve`. */
export interface RunningServe {
  /** `http://host:port`. */
  url: string;
  port: number;
  settings: ServeSettings;
  logger: ServeLogger;
  /**
   * What the console and the API's write routes do (plan, start, resume, cancel, enable and
   * disable, cancel timers, follow a run), through this serve's own dispatcher, recovery and stores.
   */
  operations: ServeOperations;
  /**
   * Stops accepting work (requests get 503), stops schedules, timers and event sources, lets
   * the runs in flight reach a step boundary (cancelling their steps after the grace period),
   * and closes the server. Idempotent: later calls return the first call's promise.
   */
  shutdown(): Promise<{ dropped: number; cancelled: number }>;
  /** Cancels the steps in flight at once (a second signal); `shutdown` still finishes the rest. */
  stopNow(): void;
}

/**
 * Starts `idflow serve`: loads and checks every template of the folder, the `serve:` settings
 * and the `event_sources:`; refuses to start, listing every problem, when anything is wrong
 * (`ValidationError`, exit 2). Then listens, removes the records of events older than
 * `serve.event_retention` (and again every hour), starts the runs accepted events still owe
 * (from before a restart) and resumes the runs it started that were interrupted (see
 * recoverInterruptedRuns; `serve.recover: report` only logs them), arms the schedules, checks due timers, and starts the event sources.
 *
 * @throws ValidationError listing every problem; ConflictError `SERVE_RUNNING` when another serve uses the store.
 */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const { runtime } = options;
  const services = runtime.services;
  const now = options.now ?? (() => new Date());
  const loadedConfig = runtime.environment.loadedConfig;
  const configFile = loadedConfig.file ?? 'idflow.config.yaml';
  const locate = loadedConfig.locate === undefined ? undefined : (pointer: string) => loadedConfig.locate?.(pointer);
  const where = { file: configFile, baseDir: runtime.environment.config.baseDir, ...(locate === undefined ? {} : { locate }) };

  const folder = await loadWorkflowFolder(runtime, options.workflowsDir, options.cwd, loadedConfig.file === undefined ? {} : { exclude: [resolve(options.cwd, loadedConfig.file)] });
  const { settings, problems: settingProblems } = resolveServeSettings(runtime.environment.config.serve, options.env, options.flags, where);
  // Serve's own secrets are redacted like every other: a sender may echo one in an event, and it
  // would then reach the event record, the run's journal, its audit trail and this log.
  for (const value of [settings.token, ...settings.apiTokens.map((entry) => entry.token), ...[...settings.sources.values()].map((source) => source.secret)]) if (value !== undefined) services.redactor.add(value);
  const providers: EventSourceProvider[] = services.registry.listPacks().flatMap(({ pack }) => pack.eventSources ?? []);
  const { sources, problems: sourceProblems } = resolveEventSources(runtime.environment.config.event_sources ?? [], providers, where);
  const problems: Problem[] = [...folder.problems, ...settingProblems, ...sourceProblems];
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const inTemplates = folder.problems.some((p) => p.severity === 'error');
    throw new ValidationError(inTemplates ? 'INVALID_TEMPLATE' : 'INVALID_CONFIG', `idflow serve did not start: ${errors.length} problem${errors.length === 1 ? '' : 's'} to fix first`, problems);
  }

  const logger = createServeLogger(options.log, services.redactor, now);
  for (const warning of problems) logger.warn(`${warning.file}:${warning.line}:${warning.column}: ${warning.message}`);
  const serveLock = takeServeLock(services.store.locksDir(), services.store.root);
  let http: RunningHttpServer | undefined;
  let pruning: NodeJS.Timeout | undefined;
  try {
    const states = new WorkflowStateStore(services.store.root);
    const dispatcher = new RunDispatcher(settings.concurrency, logger);
    const inbox = new EventInbox(services.store.root, services.redactor);
    const runConsole = (label: string): ConsoleOptions => ({ stream: options.log, mode: 'quiet', prefix: label });
    const isEnabled = (workflowId: string): boolean => {
      try {
        return states.isEnabled(workflowId);
      } catch (error) {
        logger.error(`${(error as Error).message}; treating ${workflowId} as disabled`);
        return false;
      }
    };
    const matchContext = (initiatedBy: string): MatchContext => ({ templates: services.templates, isEnabled, varsFor: (workflow) => runtime.resolveVars(workflow), initiatedBy, now: now() });
    const recoveryDeps: RunRecoveryDeps = { runtime, dispatcher, mode: settings.recover, console: runConsole, logger };
    const onStranded = (runId: string, error: unknown): void => resumeStrandedRun(runId, error, recoveryDeps);
    const intake = new EventIntake({
      inbox,
      dispatcher,
      services,
      onStranded,
      workflows: folder.workflows,
      workflowsDir: folder.dir,
      matchContext: (source) => matchContext(initiatedByFor(source)),
      console: runConsole,
      logger,
      now,
    });
    const schedules = new ScheduleRunner({
      workflows: folder.workflows,
      states: new ScheduleStateStore(services.store.root),
      isEnabled,
      missedWindowMs: settings.missedScheduleWindowMs,
      fire: (loaded, index, slot) => dispatchScheduledRun(loaded, index, slot, { dispatcher, services, matchContext: matchContext(SCHEDULE_INITIATOR), console: runConsole, logger, onStranded }),
      logger,
      ...(options.scheduleClock === undefined ? {} : { clock: options.scheduleClock }),
    });
    const timers = new TimerStore(services.store.root, { now });
    const timerLoop = new TimerLoop({ timers, runtime, dispatcher, intervalMs: settings.timerIntervalMs, console: runConsole, logger, now });
    const operations = createServeOperations({
      runtime,
      workflows: folder.workflows,
      states,
      timers,
      dispatcher,
      recovery: recoveryDeps,
      planned: { services, console: runConsole, logger, onStranded },
      logger,
      now,
    });
    const sourceHost = new EventSourceHost({ sources, connections: services.connections, sandbox: services.sandbox, cursors: new CursorStore(services.store.root), intake, logger });

    // Locks named after processes that are gone (a serve killed after its run ended but before
    // it released the user's lock) are removed, so that none is left naming a dead process.
    const stale = removeStaleSubjectLocks(services.store.locksDir());
    if (stale.length > 0) logger.info(`removed ${stale.length} lock${stale.length === 1 ? '' : 's'} left by processes that are gone: ${stale.join(', ')}`);
    // Before any new work is taken: the runs serve started and did not finish resume first,
    // holding their subjects, so a new event for the same user cannot overtake them.
    const recovery = recoverInterruptedRuns(recoveryDeps);
    if (recovery.found.length > 0) {
      logger.info(settings.recover === 'resume'
        ? `resuming ${recovery.resuming.length} interrupted run${recovery.resuming.length === 1 ? '' : 's'} serve started before it stopped${recovery.held.length > 0 ? ` (${recovery.held.length} held by another process)` : ''}`
        : `${recovery.found.length} interrupted run${recovery.found.length === 1 ? '' : 's'} serve started before it stopped; not resumed (serve.recover: report)`);
    }

    let draining = false;
    // Sized now, with the store, plugins and event sources' descriptors already open.
    const connections = connectionCaps(settings, readFdUsage());
    const summaries = () => summariseWorkflows(folder.workflows, { states, store: services.store, now: now() });
    const workflowDetail = (id: string): WorkflowDetail | undefined => {
      const loaded = folder.workflows.find((candidate) => candidate.workflow.id === id);
      const summary = loaded === undefined ? undefined : summariseWorkflows([loaded], { states, store: services.store, now: now() })[0];
      if (loaded === undefined || summary === undefined) return undefined;
      let vars: Record<string, unknown> | undefined;
      try {
        vars = runtime.resolveVars(loaded.workflow);
      } catch {
        vars = undefined; // a run names what is missing when it starts; the page shows the declarations
      }
      return describeWorkflow(loaded.workflow, loaded.source, summary, vars);
    };
    http = await startHttpServer({
      webhook: { settings, intake, now },
      api: {
        store: services.store,
        workflows: summaries,
        workflow: workflowDetail,
        event: (source, id) => intake.view(source, id),
        health: () => ({ workflows: folder.workflows.length, running: dispatcher.running, queued: dispatcher.waiting }),
      },
      tokens: settings.apiTokens,
      trustProxy: settings.trustProxy,
      draining: () => draining,
      logger,
      connections,
      ...(settings.tls === undefined ? {} : { tls: { cert: settings.tls.cert, key: settings.tls.key } }),
      // Sign-in first (its hooks set request.principal and check CSRF tokens for every route
      // after it), then the API's write routes and the console's pages.
      plugins: [
        registered(consoleAuthPlugin, { settings: settings.console, logger, tls: settings.tls !== undefined }),
        registered(writeRoutes, { operations }),
        registered(consolePages, {
          operations,
          store: services.store,
          workflows: summaries,
          loadedWorkflows: () => folder.workflows,
          csrfToken: (request) => csrfToken(request) ?? '',
          verifyCsrf: (request, reply) => refuseWithoutCsrf(request, reply, logger),
        }),
      ],
    }, settings.host, settings.port);
    const server = http;
    logger.info(`listening on ${server.url}: ${folder.workflows.length} workflow${folder.workflows.length === 1 ? '' : 's'} from ${folder.dir}, ${schedules.size} schedule${schedules.size === 1 ? '' : 's'}, ${sources.length} event source${sources.length === 1 ? '' : 's'}, store ${services.store.root}`);
    if (settings.tls === undefined && !isLoopbackHost(settings.host)) {
      logger.warn(`listening on ${settings.host}, beyond this machine, without TLS: events, their signatures and the API's bearer tokens travel in plain text; set serve.tls: { cert, key } or put a TLS proxy in front`);
    }
    if (connections.limitedBy !== undefined) {
      logger.warn(`serving at most ${connections.total} connections (${connections.unauthenticated} not yet authenticated), fewer than serve.max_connections, because of ${connections.limitedBy}; raise the limit to serve more`);
    }
    if (settings.apiTokens.length === 0) logger.warn('no API token is configured (serve.api_tokens, serve.token): the API under /api/ accepts no bearer token');
    if (settings.sources.size === 0) logger.warn('serve.sources is empty: every POST /events/... is refused (404); add a source with a shared secret');

    const pruneEvents = (): void => {
      if (settings.eventRetentionMs <= 0) return;
      const before = new Date(now().getTime() - settings.eventRetentionMs);
      try {
        const removed = inbox.prune(before);
        if (removed > 0) logger.info(`removed ${removed} event record${removed === 1 ? '' : 's'} received before ${before.toISOString()} (serve.event_retention); a repeat of ${removed === 1 ? 'its id' : 'their ids'} counts as a new event`);
      } catch (error) {
        logger.error(`cannot remove old event records: ${(error as Error).message}`);
      }
    };
    pruneEvents();
    pruning = setInterval(pruneEvents, EVENT_PRUNE_INTERVAL_MS);
    const recovered = intake.recover();
    if (recovered > 0) logger.info(`started ${recovered} run${recovered === 1 ? '' : 's'} that events accepted before the last shutdown still owed`);
    schedules.start();
    timerLoop.start();
    sourceHost.start();

    let shutdown: Promise<{ dropped: number; cancelled: number }> | undefined;
    return {
      url: server.url,
      port: server.port,
      settings,
      logger,
      operations,
      stopNow: () => dispatcher.stopNow(),
      shutdown: () => {
        shutdown ??= (async () => {
          draining = true;
          clearInterval(pruning);
          logger.info(`shutting down: no new work; letting ${dispatcher.running} run${dispatcher.running === 1 ? '' : 's'} in flight reach a step boundary (grace ${Math.round(settings.shutdownGraceMs / 1000)}s)`);
          schedules.stop();
          timerLoop.stop();
          await sourceHost.stop();
          const result = await dispatcher.shutdown(settings.shutdownGraceMs);
          await server.close();
          serveLock.release();
          logger.info(`stopped${result.dropped > 0 ? `; ${result.dropped} queued run${result.dropped === 1 ? '' : 's'} start${result.dropped === 1 ? 's' : ''} when serve is back` : ''}; ${settings.recover === 'resume' ? 'interrupted runs resume when serve starts again (or with "idflow resume RUN_ID")' : 'interrupted runs resume with "idflow resume RUN_ID" (serve.recover: report)'}`);
          return result;
        })();
        return shutdown;
      },
    };
  } catch (error) {
    clearInterval(pruning);
    await http?.close();
    serveLock.release();
    throw error;
  }
}

/** One serve per store: two would both fire the same schedules and timers. */
function takeServeLock(locksDir: string, storeRoot: string): SubjectLock {
  try {
    return acquireSubjectLock(locksDir, `idflow-serve:${storeRoot}`, `serve-${process.pid}-${randomBytes(3).toString('hex')}`);
  } catch (error) {
    if (error instanceof SubjectLockedError) {
      throw new ConflictError(`Another idflow serve (${String(error.details['heldBy'])}) already serves the store ${storeRoot}; stop it first, or give this one its own --store`, { code: 'SERVE_RUNNING' });
    }
    throw error;
  }
}
