import type winston from 'winston';
import type { Change } from '../plugin-api/action.js';
import type { ActionContext, ChildWorkflowRequest, ChildWorkflowResult, TimerRequest } from '../plugin-api/context.js';
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
  scheduleTimer(timer: TimerRequest): Promise<{ id: string; dueAt: string }>;
}

/** The context plus what this attempt recorded. */
export interface RunnerActionContext extends ActionContext {
  /** Changes recorded during this attempt. */
  readonly recordedNow: readonly Change[];
}

/**
 * Builds the {@link ActionContext} for one attempt. `ctx.signal` and `ctx.logger` are made when
 * the action first reads them: an attempt is made for every step, and many actions use neither.
 */
export function createActionContext(args: ActionContextArgs): RunnerActionContext {
  const recordedNow: Change[] = [];
  const { services } = args;
  const signalArg = args.signal;
  let signal: AbortSignal | undefined = typeof signalArg === 'function' ? undefined : signalArg;
  let logger: ActionContext['logger'] | undefined;
  return {
    runId: args.runId,
    stepId: args.stepKey,
    workflowId: args.workflowId,
    attempt: args.attempt,
    dryRun: args.dryRun,
    sandbox: services.sandbox,
    get signal() {
      return (signal ??= (signalArg as () => AbortSignal)());
    },
    get logger() {
      return (logger ??= actionLogger(args.logger, args.stepKey, args.attempt));
    },
    run: args.run,
    connections: services.connections,
    secrets: {
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
    },
    changes: {
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
    },
    paths: {
      store: services.store.root,
      run: args.runDir,
      // Created when an action asks for it, not for every attempt of every step.
      get outbox() {
        return services.store.outboxDir();
      },
      cwd: services.cwd,
    },
    addRedaction: (value) => services.redactor.add(value),
    claimSubject: args.claimSubject,
    runWorkflow: args.runWorkflow,
    scheduleTimer: args.scheduleTimer,
    recordedNow,
  };
}

/** The action's logger: the run's, with the step and attempt on every entry and `source: action`. */
function actionLogger(runLogger: winston.Logger, stepKey: string, attempt: number): ActionContext['logger'] {
  const child = runLogger.child({ step: stepKey, attempt });
  const log = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, meta?: Record<string, unknown>) => {
    child.log(level, message, meta === undefined ? { source: 'action' } : { ...meta, source: 'action' });
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
