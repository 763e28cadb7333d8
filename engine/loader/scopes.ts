import { RUN_FIELDS, type ReferenceScope } from '../language/scope.js';

/** The names a workflow declares, read defensively from data that may not match the schema. */
export interface DeclaredNames {
  inputs: ReadonlySet<string>;
  vars: ReadonlySet<string>;
  /** Ids of the main steps, in order. */
  steps: readonly string[];
  /** Ids of the `on_failure` steps, in order. */
  onFailure: readonly string[];
}

/**
 * Builds the {@link ReferenceScope} of each place in a workflow: what a template or condition
 * there may read.
 *
 * - a main step's `if`, `with` and `foreach` see the steps before it; `item`/`index` only in a
 *   foreach step's `with`;
 * - an `on_failure` step sees every main step and the `on_failure` steps before it;
 * - `output` sees every main step;
 * - `when` and `subject` see inputs, vars, event and run, but no steps;
 * - a trigger's `if` and `inputs` see event, vars and run (the inputs are what they produce).
 */
export class ScopeBuilder {
  private readonly allSteps: ReadonlySet<string>;

  constructor(private readonly names: DeclaredNames) {
    this.allSteps = new Set([...names.steps, ...names.onFailure]);
  }

  /** For a step's `if`, `with` (with `item` when it is a foreach step's `with`) and `foreach`. */
  step(phase: 'steps' | 'on_failure', index: number, item: boolean): ReferenceScope {
    const before = phase === 'steps' ? this.names.steps.slice(0, index) : [...this.names.steps, ...this.names.onFailure.slice(0, index)];
    return this.scope(new Set(before), item, this.names.inputs);
  }

  /** For `output`. */
  output(): ReferenceScope {
    return this.scope(new Set(this.names.steps), false, this.names.inputs);
  }

  /** For `when` and `subject`. */
  workflow(): ReferenceScope {
    return this.scope(new Set(), false, this.names.inputs);
  }

  /** For a trigger's `if` and `inputs`. */
  trigger(): ReferenceScope {
    return this.scope(new Set(), false, new Set());
  }

  private scope(stepsBefore: ReadonlySet<string>, item: boolean, inputs: ReadonlySet<string>): ReferenceScope {
    return { inputs, vars: this.names.vars, stepsBefore, allSteps: this.allSteps, event: true, item, runFields: RUN_FIELDS };
  }
}
