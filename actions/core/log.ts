import { defineAction } from '../../engine/plugin-api/define-action.js';

const params = {
  type: 'object',
  description: 'Writes a line to the run log.',
  properties: {
    message: { type: 'string', minLength: 1, description: 'The line to write.' },
    level: { type: 'string', enum: ['info', 'warn', 'error'], default: 'info', description: 'Log level.' },
  },
  required: ['message'],
  additionalProperties: false,
} as const;

/** `log`: writes a message to the run log (and the live progress view). Changes nothing. */
export const logAction = defineAction({
  id: 'log',
  description: 'Write a message to the run log',
  params,
  output: {
    type: 'object',
    properties: { message: { type: 'string' }, level: { type: 'string', enum: ['info', 'warn', 'error'] } },
    required: ['message', 'level'],
    additionalProperties: false,
  },
  examples: [{ description: 'Note who started the run', with: { message: 'Offboarding started by {{run.initiated_by}}', level: 'info' } }],
  run(ctx, { message, level }) {
    ctx.logger[level](message);
    return { changed: false, output: { message, level }, summary: message };
  },
  plan(_ctx, { message, level }) {
    // Logging changes nothing: reported, so a plan's change count stays honest.
    return { changes: [{ target: 'run log', operation: 'log', result: 'reported', note: `${level}: ${message}` }], output: { message, level }, summary: message };
  },
});
