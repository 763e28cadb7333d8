import type { Change } from './action.js';

/**
 * Everything an action gets from the engine besides its parameters. Actions must not reach
 * for globals (environment, config files, the store) themselves: everything is here, which is
 * also what makes them testable with `createMockActionContext()`.
 */
export interface ActionContext {
  /** The run id (stable across resumes). */
  readonly runId: string;
  /** The step id; inside `foreach`, `<step>[<index>]`. */
  readonly stepId: string;
  /** The id of the running workflow. */
  readonly workflowId: string;
  /** 1 for the first attempt of this step in this process, 2 for the first retry, … */
  readonly attempt: number;
  /** True in `idflow plan` / `run --dry-run`: only `plan()` is called, and it must not change anything. */
  readonly dryRun: boolean;
  /** True when the run uses built-in sandboxes (`--sandbox`) instead of real services. */
  readonly sandbox: boolean;
  /** Aborted on timeout, Ctrl-C or shutdown, and when the attempt fails (stopping work it left in flight): hand it to every `fetch` and wait. */
  readonly signal: AbortSignal;
  /** A logger already carrying the run and step ids; secret values are redacted at the sink. */
  readonly logger: ActionLogger;
  /** The run's metadata (who, why, when). */
  readonly run: { readonly id: string; readonly startedAt: string; readonly initiatedBy: string; readonly reason?: string };
  /** Named connections from the config (`connections:`), with secret references resolved. */
  readonly connections: ConnectionResolver;
  /** Secrets by name (from the config's `secrets:` or the environment). */
  readonly secrets: SecretResolver;
  /** Records changes for the audit trail; also holds the changes earlier attempts of this step made. */
  readonly changes: ChangeLog;
  /** Folders the action may use. */
  readonly paths: ActionPaths;
  /**
   * Marks a value as secret so that no log line, record or audit entry shows it (for values an
   * action derives from secrets, e.g. a token it obtained).
   */
  addRedaction(value: string): void;
  /**
   * Claims a subject (e.g. `jumpcloud:user:<id>`) for this run: a second active run claiming
   * the same subject fails with `SUBJECT_LOCKED`. Released when the run ends.
   */
  claimSubject(subject: string): Promise<void>;
  /** Runs another workflow as a child of this run (used by `workflow.run`). */
  runWorkflow(request: ChildWorkflowRequest): Promise<ChildWorkflowResult>;
  /**
   * Records a durable timer that `idflow serve` fires when due (e.g. deferred deletion). A
   * pending timer with the same key is replaced, unless it is the same timer (same action,
   * parameters and due time, or any due time with {@link TimerRequest.keepDue}): that one is
   * kept and returned, so a retried, resumed or repeated step schedules nothing twice.
   */
  scheduleTimer(timer: TimerRequest): Promise<ScheduledTimer>;
  /**
   * The pending timer with this key that this run's mode (sandbox or not) would replace or keep,
   * if there is one; read-only, so `plan()` can say what scheduling would do.
   */
  pendingTimer(key: string): Promise<PendingTimer | undefined>;
}

/** The logger an action gets. `meta` must be plain data. */
export interface ActionLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** A named connection's settings (e.g. `base_url`, `org_id`, `api_key`), secrets resolved. */
export type ConnectionSettings = Readonly<Record<string, unknown>>;

/** Looks up connections by name. */
export interface ConnectionResolver {
  /** The connection, or undefined when the config does not define it. */
  get(name: string): ConnectionSettings | undefined;
}

/** Looks up secrets by name. Every value returned is registered for redaction. */
export interface SecretResolver {
  /** The secret, or undefined when it is not configured. */
  get(name: string): string | undefined;
  /** The secret; throws a clear `PermanentError` naming the secret when it is not configured. */
  require(name: string): string;
}

/** The audit record of one step's changes, across attempts and resumes. */
export interface ChangeLog {
  /** Records a change now (written to the journal and audit trail before returning). */
  record(change: Change): void;
  /** Changes recorded by earlier attempts of this step (retries and resumed runs) and this one. */
  all(): readonly Change[];
  /** Only the changes recorded by earlier attempts (retries, or before a resume). */
  earlier(): readonly Change[];
}

/** Folders an action may write to. */
export interface ActionPaths {
  /** The store root (default `.idflow/`). */
  readonly store: string;
  /** This run's folder in the store. */
  readonly run: string;
  /** Where sandbox-mode emails are written as `.eml` files. */
  readonly outbox: string;
  /** The working directory the command was started in. */
  readonly cwd: string;
}

/** A request to run a child workflow. */
export interface ChildWorkflowRequest {
  /** A template path (relative to the parent template) or a workflow id known to the engine. */
  workflow: string;
  inputs: Record<string, unknown>;
}

/** What a child workflow run returned. */
export interface ChildWorkflowResult {
  runId: string;
  status: 'succeeded' | 'failed' | 'skipped';
  /** Whether any step of the child run changed something. */
  changed: boolean;
  output: unknown;
  /** Why it failed, when it did. */
  error?: string;
}

/** A durable timer: when due, `idflow serve` runs `action` with `params` as a one-step run. */
export interface TimerRequest {
  /** When it is due (ISO-8601) or in how many milliseconds. */
  due: string | number;
  action: string;
  params: Record<string, unknown>;
  /** What it is for, shown by `idflow timers list`. */
  description: string;
  /** Identifies the timer's purpose for one subject; scheduling it again replaces the pending one. */
  key: string;
  /**
   * Keep a pending timer with the same key, action and parameters whatever its due time,
   * instead of replacing it: for a delay counted from the first time it was scheduled, which a
   * repeated event or a rerun must not push further out.
   */
  keepDue?: boolean;
}

/** What {@link ActionContext.scheduleTimer} did. */
export interface ScheduledTimer {
  id: string;
  /** When it is due (ISO-8601, UTC). */
  dueAt: string;
  /** The pending timers with the same key that it replaced (now cancelled). */
  replaced: string[];
  /**
   * Set when the same timer was already pending and is kept instead of a new one: the run that
   * scheduled it (this run's own id when an interrupted attempt of the step did).
   */
  keptFrom?: string;
}

/** A pending timer, as {@link ActionContext.pendingTimer} shows it. */
export interface PendingTimer {
  id: string;
  action: string;
  params: Record<string, unknown>;
  description: string;
  dueAt: string;
  /** The run that scheduled it. */
  scheduledBy: string;
}
