import { defineAction } from '../../engine/plugin-api/define-action.js';
import { PermanentError } from '../../engine/errors/action-errors.js';

const params = {
  type: 'object',
  description: 'Runs another workflow as a child of this run.',
  properties: {
    workflow: {
      type: 'string',
      minLength: 1,
      description: 'The template to run: a path relative to this template (".yaml" may be left off), or the id of a template shipped with idflow (e.g. jumpcloud-offboarding). It must declare the trigger {type: workflow}.',
    },
    inputs: { type: 'object', default: {}, description: "The child's inputs, checked against what it declares (as for idflow run)." },
  },
  required: ['workflow'],
  additionalProperties: false,
} as const;

/** What `workflow.run` returns (`steps.<id>.output`). */
export interface WorkflowRunOutput {
  /** The child run's id (`idflow runs show` it). */
  run_id: string;
  /** `succeeded`, or `skipped` when the child's `when` did not hold. */
  status: 'succeeded' | 'skipped';
  /** The child's returned data (`output:`), or null. */
  output: unknown;
}

const outputSchema = {
  type: 'object',
  properties: {
    run_id: { type: 'string' },
    status: { type: 'string', enum: ['succeeded', 'skipped'] },
    output: {},
  },
  required: ['run_id', 'status', 'output'],
  additionalProperties: false,
} as const;

/**
 * `workflow.run`: runs another template as a sub-workflow, the way the reference offboarding is
 * "triggered by an offboarding workflow as a sub-workflow". The child is an ordinary run in the
 * store, linked both ways (the parent's record lists it, the child's names its parent), with its
 * own journal, audit trail and returned data, which becomes this step's output.
 *
 * A failed child fails the step with the child's run id in the message (its own steps already
 * had their retries, so the step is not retried). When the parent is resumed, the child it had
 * started is resumed rather than started a second time. `changed` is whether any step of the
 * child changed something.
 */
export const workflowRunAction = defineAction<typeof params, WorkflowRunOutput>({
  id: 'workflow.run',
  description: 'Run another workflow as a sub-workflow and return its returned data',
  params,
  output: outputSchema,
  examples: [
    {
      description: 'Offboard the user from JumpCloud as part of a wider offboarding',
      with: { workflow: 'jumpcloud-offboarding', inputs: { user_identifier: '{{inputs.email}}', reason: '{{inputs.reason}}' } },
    },
    { description: 'A template next to this one', with: { workflow: './notify-hr.yaml', inputs: { email: '{{inputs.email}}' } } },
  ],
  async run(ctx, { workflow, inputs }) {
    const child = await ctx.runWorkflow({ workflow, inputs });
    if (child.status === 'failed') {
      throw new PermanentError(`Sub-workflow "${workflow}" failed in run ${child.runId}${child.error ? `: ${child.error}` : ''} (idflow runs show ${child.runId}; resuming this run resumes it)`, {
        code: 'CHILD_FAILED',
        details: { childRunId: child.runId },
      });
    }
    const output: WorkflowRunOutput = { run_id: child.runId, status: child.status, output: child.output ?? null };
    return { changed: child.changed, output, summary: `${workflow}: run ${child.runId} ${child.status}${child.changed ? ', changed something' : ', changed nothing'}` };
  },
  plan(_ctx, { workflow, inputs }) {
    // A plan never starts a run; the child's own steps are previewed with "idflow plan" on it.
    return {
      changes: [{ target: `sub-workflow "${workflow}"`, operation: 'run', after: { inputs }, result: 'changed', note: `would start a child run of "${workflow}" with these inputs; "idflow plan ${workflow}" previews its steps` }],
      summary: `would run ${workflow}`,
    };
  },
});
