import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Change } from './action.js';
import type { ActionContext, ActionLogger, ChildWorkflowRequest, ChildWorkflowResult, ConnectionSettings, TimerRequest } from './context.js';
import { PermanentError } from '../errors/action-errors.js';

/** One line the mock logger received. */
export interface MockLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  meta?: Record<string, unknown>;
}

/** A mock context plus what the action did to it, for assertions. */
export interface MockActionContext extends ActionContext {
  /** Every log line, in order. */
  readonly logs: MockLogEntry[];
  /** Every change recorded with `ctx.changes.record`. */
  readonly recorded: Change[];
  /** Every value registered with `addRedaction` or read through `secrets`. */
  readonly redactions: Set<string>;
  /** Every subject claimed. */
  readonly claimed: string[];
  /** Every timer scheduled. */
  readonly timers: TimerRequest[];
}

/** Options for {@link createMockActionContext}; everything is optional. */
export interface MockActionContextOptions {
  runId?: string;
  stepId?: string;
  workflowId?: string;
  attempt?: number;
  dryRun?: boolean;
  sandbox?: boolean;
  signal?: AbortSignal;
  connections?: Record<string, ConnectionSettings>;
  secrets?: Record<string, string>;
  /** Changes "recorded by earlier attempts" (to test idempotent counting across retries). */
  earlierChanges?: Change[];
  /** Folder for `paths.*`; a fresh temporary folder by default. */
  dir?: string;
  initiatedBy?: string;
  reason?: string;
  /** What `runWorkflow` does; by default it throws. */
  runWorkflow?: (request: ChildWorkflowRequest) => Promise<ChildWorkflowResult>;
}

/**
 * A ready {@link ActionContext} for testing an action without the engine, so that a plugin's
 * test is two lines:
 *
 * @example
 * ```ts
 * const ctx = createMockActionContext({ connections: { psa: { url } } });
 * expect(await action.run(ctx, { ticket: 42 })).toEqual({ changed: true, output: { noted: true } });
 * ```
 */
export function createMockActionContext(options: MockActionContextOptions = {}): MockActionContext {
  const logs: MockLogEntry[] = [];
  const recorded: Change[] = [];
  const redactions = new Set<string>();
  const claimed: string[] = [];
  const timers: TimerRequest[] = [];
  const earlier = [...(options.earlierChanges ?? [])];
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'idflow-mock-'));
  const log = (level: MockLogEntry['level']) => (message: string, meta?: Record<string, unknown>) => {
    logs.push(meta === undefined ? { level, message } : { level, message, meta });
  };
  const logger: ActionLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const secrets = options.secrets ?? {};
  const connections = options.connections ?? {};
  return {
    runId: options.runId ?? 'run-mock',
    stepId: options.stepId ?? 'step-mock',
    workflowId: options.workflowId ?? 'mock-workflow',
    attempt: options.attempt ?? 1,
    dryRun: options.dryRun ?? false,
    sandbox: options.sandbox ?? false,
    signal: options.signal ?? new AbortController().signal,
    logger,
    run: {
      id: options.runId ?? 'run-mock',
      startedAt: new Date().toISOString(),
      initiatedBy: options.initiatedBy ?? 'tester',
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    },
    connections: { get: (name) => (Object.hasOwn(connections, name) ? connections[name] : undefined) },
    secrets: {
      get(name) {
        const value = Object.hasOwn(secrets, name) ? secrets[name] : undefined;
        if (value !== undefined) redactions.add(value);
        return value;
      },
      require(name) {
        const value = this.get(name);
        if (value === undefined) throw new PermanentError(`Secret "${name}" is not configured`);
        return value;
      },
    },
    changes: {
      record: (change) => void recorded.push(change),
      all: () => [...earlier, ...recorded],
      earlier: () => [...earlier],
    },
    paths: { store: dir, run: join(dir, 'run'), outbox: join(dir, 'outbox'), cwd: dir },
    addRedaction: (value) => void redactions.add(value),
    claimSubject: async (subject) => void claimed.push(subject),
    runWorkflow: options.runWorkflow ?? (async () => {
      throw new PermanentError('runWorkflow is not available in this mock context; pass options.runWorkflow');
    }),
    scheduleTimer: async (timer) => {
      timers.push(timer);
      const dueAt = typeof timer.due === 'number' ? new Date(Date.now() + timer.due).toISOString() : timer.due;
      return { id: `timer-${timers.length}`, dueAt, replaced: [] };
    },
    // The mock keeps no timer store: nothing is pending for any key.
    pendingTimer: async () => undefined,
    logs,
    recorded,
    redactions,
    claimed,
    timers,
  };
}
