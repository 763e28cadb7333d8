import type { KnownAfterRun } from '../plugin-api/known-after-run.js';

/**
 * A condition read a value known only after the run (in a plan): whether it holds is decided at
 * run time, not now. Thrown by `var` and let through by `evaluateCondition`, for the planner to
 * report the step as "decided at run time" rather than take the condition as false.
 */
export class DecidedAtRunTime extends Error {
  constructor(
    /** The value the condition read. */
    readonly value: KnownAfterRun,
    /** The path it was read at, e.g. `steps.lookup.output.groups.names`. */
    readonly path: string,
  ) {
    super(`decided at run time: the condition reads ${path}, the ${value.description}, known only after the run`);
    this.name = 'DecidedAtRunTime';
  }
}
