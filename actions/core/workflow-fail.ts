import { PermanentError } from '../../engine/errors/action-errors.js';
import { defineAction } from '../../engine/plugin-api/define-action.js';

const params = {
  type: 'object',
  description: 'Stops the run as failed, with a message, before the steps after it: a guard, run under an `if:`.',
  properties: {
    message: { type: 'string', minLength: 1, pattern: '\\S', description: 'Why the run stops: what was found, what limit it passed, and that nothing after this step was done.' },
  },
  required: ['message'],
  additionalProperties: false,
} as const;

/** The code of the error a `fail` step stops its run with. */
export const WORKFLOW_STOPPED = 'WORKFLOW_STOPPED';

/**
 * `workflow.fail`: stops the run as failed with the step's message, in a run and in a plan alike, so a
 * guard such as "more users found than the limit" stops a scheduled run before any step that
 * changes something, and the plan says it would. Not retried; the run's `on_failure` steps
 * (a notification, say) still run.
 */
export const failAction = defineAction({
  id: 'workflow.fail',
  description: 'Stop the run as failed, with a message (under an if: condition, a guard before the steps that change anything)',
  params,
  output: { type: 'object', properties: {}, additionalProperties: false },
  examples: [{
    description: 'Stop a scheduled run that would suspend more users than the organisation allows in one go',
    with: { message: '{{steps.find.output.count}} users would be suspended, more than the limit of {{vars.max_suspensions}}: nothing was changed' },
  }],
  run(_ctx, { message }) {
    throw new PermanentError(message, { code: WORKFLOW_STOPPED });
  },
  plan(_ctx, { message }) {
    // The plan stops where the run would: the steps after this one would not run.
    throw new PermanentError(message, { code: WORKFLOW_STOPPED });
  },
});
