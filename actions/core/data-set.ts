import { defineAction } from '../../engine/plugin-api/define-action.js';

const params = {
  type: 'object',
  description: 'Outputs the given values for later steps.',
  properties: {
    values: { type: 'object', description: 'The values to output; later steps read them as steps.<id>.output.<name>.' },
  },
  required: ['values'],
  additionalProperties: false,
} as const;

/**
 * `data.set`: outputs its `values` as they are (after templating), so that a value computed
 * once (a display name, a list of recipients, a date) can be read by later steps and by the
 * returned data as `steps.<id>.output.<name>`. Changes nothing; the plan shows the same output,
 * so later steps plan with it too.
 */
export const dataSetAction = defineAction({
  id: 'data.set',
  description: 'Output computed values for later steps (changes nothing)',
  params,
  output: { type: 'object' },
  examples: [
    {
      description: 'Collect the IT team and the manager in one list',
      with: { values: { recipients: ['{{vars.it_team_email}}', '{{steps.lookup.output.manager_email}}'], display_name: '{{steps.lookup.output.display_name}}' } },
    },
  ],
  run(_ctx, { values }) {
    return { changed: false, output: values, summary: `set ${Object.keys(values).join(', ') || 'nothing'}` };
  },
  plan(_ctx, { values }) {
    return { changes: [], output: values, summary: `set ${Object.keys(values).join(', ') || 'nothing'}` };
  },
});
