/**
 * The workflow language, version 1, as the loader hands it to the engine: typed, checked and
 * with defaults filled. See docs/language.md for the user-facing reference.
 */

/** The value types an input or organisation variable may declare. */
export type DeclaredType = 'string' | 'boolean' | 'number' | 'integer' | 'array' | 'object';

/**
 * A JSON-Schema-like declaration of one input or organisation variable.
 * The loader checks that `default` and `enum` values satisfy the declaration itself.
 */
export interface ValueDeclaration {
  type: DeclaredType;
  required?: boolean;
  default?: unknown;
  enum?: readonly unknown[];
  /** `email`, `uri`, `date-time`, `uuid`, … (any format ajv-formats knows). */
  format?: string;
  /** For numbers and integers: the smallest value allowed (inclusive). */
  minimum?: number;
  /** For numbers and integers: the largest value allowed (inclusive). */
  maximum?: number;
  /**
   * For strings: a regular expression (JavaScript syntax, Unicode mode, as JSON Schema reads
   * it) the value must match somewhere; anchor it with `^…$` to match the whole value.
   */
  pattern?: string;
  description?: string;
  /** For arrays: the declaration of each item. */
  items?: Omit<ValueDeclaration, 'required' | 'default'>;
  /** A secret value: redacted in run records, logs and audit entries. */
  secret?: boolean;
}

/** A JSON-logic rule, kept as plain data. */
export type Condition = unknown;

/** A trigger that an admin starts by hand (`idflow run`). */
export interface ManualTrigger {
  type: 'manual';
}

/** A trigger fired by an incoming event (a webhook or a directory event). */
export interface EventTrigger {
  type: 'event';
  /** The event name, e.g. `hr.employee.terminated`. */
  event: string;
  /** A JSON-logic condition over `event.*` that must hold for the trigger to fire. */
  if?: Condition;
  /** How to fill the workflow's inputs from the event: input name → template. */
  inputs?: Record<string, unknown>;
}

/** A trigger that fires on a cron schedule. */
export interface ScheduleTrigger {
  type: 'schedule';
  cron: string;
  /** IANA time zone, e.g. `Europe/Berlin`; default UTC. */
  timezone?: string;
  /** Inputs for scheduled runs: input name → template (rendered with `run.*` and `vars.*`). */
  inputs?: Record<string, unknown>;
}

/** Declares that the workflow may be started by another workflow (`workflow.run`). */
export interface WorkflowTrigger {
  type: 'workflow';
}

/** What starts a workflow, told apart by `type`. */
export type Trigger = ManualTrigger | EventTrigger | ScheduleTrigger | WorkflowTrigger;

/** How a step is retried; the loader fills every field. */
export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  attempts: number;
  backoff: 'exponential' | 'fixed';
  /** Delay before the first retry, in milliseconds. */
  delayMs: number;
  /** Upper bound for any single delay, in milliseconds. */
  maxDelayMs: number;
}

/** One step of a workflow. */
export interface Step {
  id: string;
  name?: string;
  /** A registered action id, e.g. `jumpcloud.user.lookup`. */
  action: string;
  /** Parameters; strings are Handlebars templates rendered at run time. */
  with: Record<string, unknown>;
  if?: Condition;
  /** A list to run the step over: a template that yields a list, or a literal list. */
  foreach?: string | readonly unknown[];
  /** How many foreach items may run at once (default 1). */
  concurrency: number;
  /** Omitted in the template means the engine's default policy. */
  retry?: RetryPolicy;
  /** Step timeout in milliseconds, if any. */
  timeoutMs?: number;
  continue_on_error: boolean;
  /** Run the action's `verify()` after `run()` and fail the step if the desired state does not hold. */
  verify: boolean;
}

/** The returned data: a nested map (or list) whose leaves are templates or literals. */
export type OutputTree = unknown;

/** A loaded, checked workflow. */
export interface Workflow {
  id: string;
  name: string;
  version?: string;
  description?: string;
  /**
   * A template naming who or what a run acts on (e.g. `{{inputs.user_identifier}}`): used for
   * the one-active-run-per-subject lock and shown by `idflow runs`.
   */
  subject?: string;
  inputs: Record<string, ValueDeclaration>;
  vars: Record<string, ValueDeclaration>;
  triggers: Trigger[];
  when?: Condition;
  steps: Step[];
  on_failure: Step[];
  output?: OutputTree;
  /** Plugin paths, relative to the template file. */
  plugins: string[];
}

/** The data every template and condition can read during a run. */
export interface RunData {
  inputs: Record<string, unknown>;
  vars: Record<string, unknown>;
  /** The triggering event's payload; `{}` for manual runs. */
  event: Record<string, unknown>;
  steps: Record<string, StepData>;
  run: RunInfo;
  /** Inside a `foreach` step: the current item and its index. */
  item?: unknown;
  index?: number;
}

/** What a template sees of one earlier step. */
export interface StepData {
  status: StepStatus;
  output: unknown;
  /** Whether the step changed anything (desired-state semantics); false for skipped and failed steps. */
  changed: boolean;
}

/** The `run.*` data. */
export interface RunInfo {
  id: string;
  workflow_id: string;
  /** ISO-8601 UTC timestamp. */
  started_at: string;
  initiated_by: string;
  reason?: string;
  dry_run: boolean;
}

/** Where a step ended up. */
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'planned';
