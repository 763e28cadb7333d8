import type { ActionContext } from './context.js';
import type { JsonSchema } from './json-schema.js';
import type { KnownAfterRun } from './known-after-run.js';

/**
 * An action: plain data plus functions. This is the whole contract between idflow and a
 * plugin; the JumpCloud pack and the core actions use exactly this.
 *
 * @typeParam P - the parameters after rendering, validation and defaults.
 * @typeParam O - the output the action returns (readable as `steps.<id>.output`).
 */
export interface ActionDefinition<P = Record<string, unknown>, O = unknown> {
  /** Namespaced id, `vendor.object.verb` (e.g. `jumpcloud.user.suspend`); lower-case segments. */
  id: string;
  /** One line for `idflow actions`. */
  description: string;
  /** JSON Schema (type `object`) of the `with:` parameters; compiled once when registered. */
  params: JsonSchema;
  /** JSON Schema of the output; checked in tests and shown by `idflow actions ID`. */
  output?: JsonSchema;
  /**
   * Does the work. Must be idempotent: running it again with the same parameters after it
   * succeeded changes nothing and reports `changed: false`.
   */
  run(ctx: ActionContext, params: P): Promise<ActionResult<O>> | ActionResult<O>;
  /**
   * Says what `run` would do, without changing anything (read-only calls are allowed). Without
   * `plan`, `idflow plan` reports the step as "would run, no preview" and does not call `run`.
   */
  plan?(ctx: ActionContext, params: P): Promise<ActionPlan<O>> | ActionPlan<O>;
  /**
   * The parameters whose value `plan` can take when it is known only after the run (a
   * {@link KnownAfterRun} in its place or inside it: the id of a user an earlier step would
   * create, say). When another parameter holds one, `plan` is not called and the plan says the
   * step would run with parameters known only after the run.
   */
  plansKnownAfterRun?: readonly string[];
  /**
   * Checks, read-only, that the state `run` aims for holds. Called after `run` when the step
   * sets `verify: true`; a result with problems fails the step.
   */
  verify?(ctx: ActionContext, params: P, output: O): Promise<VerifyResult> | VerifyResult;
  /** Example `with:` blocks, shown by `idflow actions ID` and tested against `params`. */
  examples?: ReadonlyArray<{ description: string; with: Record<string, unknown> }>;
  /**
   * For an action that runs another one later (`timer.schedule`): the parameter naming that
   * action's id and the one holding its parameters. When loading a template, both are checked
   * like a step's own `action` and `with:` (an unknown id, a missing or unknown parameter),
   * unless templated, so a mistake fails today and not when the action runs weeks later.
   */
  runsAction?: { readonly action: string; readonly with: string };
}

/**
 * The parameters `plan` receives when it declares {@link ActionDefinition.plansKnownAfterRun}:
 * each of those may be known only after the run (or hold such a value, e.g. as a list item).
 */
export type PlanParams<P, K extends keyof P> = { [Q in keyof P]: Q extends K ? P[Q] | KnownAfterRun : P[Q] };

/**
 * A value as a plan knows it: any text, number or boolean in it may be known only after the run
 * (the id JumpCloud gives a new user, say); its objects and lists keep their shape.
 */
export type Planned<T> = T extends string | number | boolean | null | undefined
  ? T | KnownAfterRun
  : T extends ReadonlyArray<infer I>
    ? Array<Planned<I>>
    : T extends object
      ? { [K in keyof T]: Planned<T[K]> }
      : T;

/** What `run` returns. */
export interface ActionResult<O = unknown> {
  /** True when the action changed something; false when the desired state already held. */
  changed: boolean;
  /** The output later steps and `output:` can read. */
  output?: O;
  /** A short line for the progress view, e.g. "removed from 5 groups". */
  summary?: string;
  /**
   * Ends the run early, as done: the steps after this one are recorded as skipped with this
   * reason, and the run succeeds with its returned data. For "there is nothing left to do",
   * e.g. the user to offboard was already deleted. Not honoured inside a foreach step.
   */
  endRun?: { reason: string };
}

/** One change an action plans, or made. */
export interface Change {
  /** What is changed, by name where there is one (e.g. `group "Engineering" (64a0…01)`). */
  target: string;
  /** The kind of change, e.g. `remove`, `suspend`, `delete`, `notify`, `write`, `report`. */
  operation: string;
  /** State before, as plain data. */
  before?: unknown;
  /** State after, as plain data. */
  after?: unknown;
  /**
   * `changed`: done now; `unchanged`: already in the desired state; `failed`: tried and failed;
   * `reported`: not changed by this action but worth telling (e.g. access through a dynamic group);
   * `started`: a write-ahead intent — about to be made; its outcome follows in another entry with
   * the same operation and target. A `started` change is never a change made (nothing counts it
   * as one): it is what lets a retry or a resumed run tell a change the interrupted attempt made
   * before it could record the outcome (the intent has no outcome, the target is found done)
   * from one made by someone else (no intent).
   */
  result?: 'changed' | 'unchanged' | 'failed' | 'reported' | 'started';
  /** Free text for humans. */
  note?: string;
}

/** What `plan` returns. */
export interface ActionPlan<O = unknown> {
  /** The concrete changes `run` would make now, each by name. */
  changes: Change[];
  /**
   * The output `run` would return, as far as it can be known read-only (lets later steps plan).
   * What only the run can know (an id JumpCloud gives) is a `knownAfterRun(…)` value in its place.
   */
  output?: O | Planned<O>;
  /** A short line for the plan view. */
  summary?: string;
  /** The run would end early here, as done (see {@link ActionResult.endRun}). */
  endRun?: { reason: string };
}

/** What `verify` returns. */
export interface VerifyResult {
  ok: boolean;
  /** What still does not hold, one line each. */
  problems?: string[];
}
