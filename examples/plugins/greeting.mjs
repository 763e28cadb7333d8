// The smallest complete idflow plugin: a plain object with an id, a description, a JSON Schema
// for its parameters, and a `run` function. No imports, no build step: point idflow at this
// file (`--plugin examples/plugins/greeting.mjs`, or `plugins:` in a template) and use it as
// `action: example.greeting.say`.

export default {
  id: 'example.greeting.say',
  description: 'Write a greeting to the run log',
  params: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, description: 'Who to greet.' },
      greeting: { type: 'string', default: 'Hello', description: 'The word to greet with.' },
    },
    required: ['name'],
    additionalProperties: false,
  },
  output: {
    type: 'object',
    properties: { message: { type: 'string', description: 'The line written to the log.' } },
    required: ['message'],
  },
  examples: [{ description: 'Greet the user being offboarded', with: { name: '{{inputs.user_identifier}}' } }],
  // Defaults from the schema are filled in before `run` is called, so `greeting` is always set.
  run(ctx, { name, greeting }) {
    const message = `${greeting}, ${name}!`;
    ctx.logger.info(message);
    // Writing a log line changes nothing in the world: `changed: false`.
    return { changed: false, output: { message }, summary: message };
  },
};
