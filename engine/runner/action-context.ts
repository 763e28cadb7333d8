import type winston from 'winston';
import type { Change } from '../plugin-api/action.js';
import type { ActionContext, ActionLogger, ActionPaths, ChangeLog, ChildWorkflowRequest, ChildWorkflowResult, PendingTimer, ScheduledTimer, SecretResolver, TimerRequest } from '../plugin-api/context.js';
import { PermanentError } from '../errors/action-errors.js';
import type { RunServices } from './run-services.js';

/** What the runner gives {@link createActionContext} for one attempt of one unit. */
export interface ActionContextArgs {
  runId: string;
  workflowId: string;
  /** The unit key: the step id, or `step[i]` for a foreach item. */
  stepKey: string;
  attempt: number;
  dryRun: boolean;
  /** The attempt's signal, or what makes it the first time the action reads `ctx.signal`. */
  signal: AbortSignal | (() => AbortSignal);
  logger: winston.Logger;
  run: ActionContext['run'];
  services: RunServices;
  runDir: string;
  /** Changes recorded by earlier attempts and sessions. */
  earlierChanges: readonly Change[];
  /** Journals and audits one change; called synchronously by `ctx.changes.record`. */
  onChange(change: Change): void;
  claimSubject(subject: string): Promise<void>;
  runWorkflow(request: ChildWorkflowRequest): Promise<ChildWorkflowResult>;
  scheduleTimer(timer: TimerRequest): Promise<ScheduledTimer>;
}

/** The context plus what this attempt recorded. */
export interface RunnerActionContext extends ActionContext {
  /** Changes recorded during this attempt. */
  readonly recordedNow: readonly Change[];
}

/**
 * Builds the {@link ActionContext} for one attempt.
 *
 * @remarks
 * A context is made for every attempt of every step, so it is made cheaply: an instance of a
 * class whose members are own data properties, except `signal` and `paths`, which are made the
 * first time the action reads them (a step without a timeout needs no AbortController until its
 * action asks for the signal; `paths.outbox` creates a folder). They are accessors on the class,
 * so a copy of the context made with a spread (`{ ...ctx }`) does not carry them: pass the context
 * itself, or name the members to copy. (Accessors written in an object literal cost more than
 * the rest of the context together.) The logger's child logger is made on its first line.
 */
export function createActionContext(args: ActionContextArgs): RunnerActionContext {
  return new AttemptContext(args);
}

/** See {@link createActionContext}. */
class AttemptContext implements RunnerActionContext {
  readonly runId: string;
  readonly stepId: string;
  readonly workflowId: string;
  readonly attempt: number;
  readonly dryRun: boolean;
  readonly sandbox: boolean;
  readonly logger: ActionLogger;
  readonly run: ActionContext['run'];
  readonly connections: ActionContext['connections'];
  readonly secrets: SecretResolver;
  readonly changes: ChangeLog;
  readonly addRedaction: (value: string) => void;
  readonly claimSubject: ActionContextArgs['claimSubject'];
  readonly runWorkflow: ActionContextArgs['runWorkflow'];
  readonly scheduleTimer: ActionContextArgs['scheduleTimer'];
  readonly pendingTimer: (key: string) => Promise<PendingTimer | undefined>;
  readonly recordedNow: Change[] = [];
  private madeSignal: AbortSignal | undefined;
  private madePaths: ActionPaths | undefined;

  constructor(private readonly args: ActionContextArgs) {
    const { services } = args;
    const recordedNow = this.recordedNow;
    this.runId = args.runId;
    this.stepId = args.stepKey;
    this.workflowId = args.workflowId;
    this.attempt = args.attempt;
    this.dryRun = args.dryRun;
    this.sandbox = services.sandbox;
    if (typeof args.signal !== 'function') this.madeSignal = args.signal;
    this.logger = actionLogger(args.logger, args.stepKey, args.attempt);
    this.run = args.run;
    this.connections = services.connections;
    this.secrets = {
      get(name) {
        const value = services.secret(name);
        if (value !== undefined) services.redactor.add(value);
        return value;
      },
      require(name) {
        const value = this.get(name);
        if (value === undefined) {
          throw new PermanentError(`Secret "${name}" is not configured: add it under "secrets:" in idflow.config.yaml as { env: VARIABLE } or set the environment variable ${name}`);
        }
        return value;
      },
    };
    this.changes = {
      record(change) {
        if (typeof change !== 'object' || change === null || typeof change.target !== 'string' || typeof change.operation !== 'string') {
          throw new PermanentError(`Step "${args.stepKey}": ctx.changes.record() needs { target: string, operation: string, ... }`);
        }
        const normalised: Change = { ...change, result: change.result ?? 'changed' };
        recordedNow.push(normalised);
        args.onChange(normalised);
      },
      all: () => [...args.earlierChanges, ...recordedNow],
      earlier: () => [...args.earlierChanges],
    };
    this.addRedaction = (value) => services.redactor.add(value);
    this.claimSubject = args.claimSubject;
    this.runWorkflow = args.runWorkflow;
    this.scheduleTimer = args.scheduleTimer;
    this.pendingTimer = services.pendingTimer ?? (async () => undefined);
  }

  get signal(): AbortSignal {
    return (this.madeSignal ??= (this.args.signal as () => AbortSignal)());
  }

  get paths(): ActionPaths {
    if (this.madePaths !== undefined) return this.madePaths;
    const { services } = this.args;
    this.madePaths = {
      store: services.store.root,
      run: this.args.runDir,
      // Created when an action asks for it, not for every attempt of every step.
      get outbox() {
        return services.store.outboxDir();
      },
      cwd: services.cwd,
    };
    return this.madePaths;
  }
}

/**
 * The action's logger: the run's, with the step and attempt on every entry and `source: action`.
 * The winston child logger is made when the first line is logged.
 */
function actionLogger(runLogger: winston.Logger, stepKey: string, attempt: number): ActionLogger {
  let child: winston.Logger | undefined;
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, meta?: Record<string, unknown>) => {
    child ??= runLogger.child({ step: stepKey, attempt });
    child.log(level, message, meta === undefined ? { source: 'action' } : { ...meta, source: 'action' });
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
