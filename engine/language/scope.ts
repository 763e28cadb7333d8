/**
 * What a template string or condition at a given place in a workflow may refer to: the roots
 * of {@link RunData} and, under them, the names the workflow declares. The static checkers
 * (templating and conditions) use it to find references that can never read anything.
 */
export interface ReferenceScope {
  /** Declared input names. */
  inputs: ReadonlySet<string>;
  /** Declared organisation variable names. */
  vars: ReadonlySet<string>;
  /** Ids of steps that run before this place (their output and status may be read). */
  stepsBefore: ReadonlySet<string>;
  /** Ids of every step in the workflow (to tell "later step" from "no such step"). */
  allSteps: ReadonlySet<string>;
  /** Whether `event.*` is available (any workflow may be event-triggered: always true in v1). */
  event: boolean;
  /** Whether `item` and `index` are available: only inside a `foreach` step's `with` (its `if` is evaluated once, before the items). */
  item: boolean;
  /** The `run.*` fields. */
  runFields: ReadonlySet<string>;
}

/** The `run.*` fields of {@link RunInfo}, for scope checks. */
export const RUN_FIELDS: ReadonlySet<string> = new Set(['id', 'workflow_id', 'started_at', 'initiated_by', 'reason', 'dry_run']);

/** The `steps.<id>.*` fields a template may read. */
export const STEP_FIELDS: ReadonlySet<string> = new Set(['output', 'status', 'changed']);

/** The top-level names a template or condition may read. */
export const DATA_ROOTS: ReadonlySet<string> = new Set(['inputs', 'vars', 'event', 'steps', 'run', 'item', 'index']);
