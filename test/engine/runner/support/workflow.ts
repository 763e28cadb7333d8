import type { Step, Workflow, ValueDeclaration } from '../../../../engine/language/types.js';

/** A step with the loader's defaults filled. */
export function step(id: string, action: string, rest: Partial<Omit<Step, 'id' | 'action'>> = {}): Step {
  return { id, action, with: {}, concurrency: 1, continue_on_error: false, verify: false, ...rest };
}

/** A workflow with the loader's defaults filled. */
export function workflow(steps: Step[], rest: Partial<Workflow> = {}): Workflow {
  return {
    id: 'test-workflow',
    name: 'Test workflow',
    inputs: {} as Record<string, ValueDeclaration>,
    vars: {},
    triggers: [{ type: 'manual' }],
    steps,
    on_failure: [],
    plugins: [],
    ...rest,
  };
}
