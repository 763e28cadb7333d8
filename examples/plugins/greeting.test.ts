import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMockActionContext, loadPluginActions, type ActionDefinition } from '../../engine/index.js';

describe('example.greeting.say', () => {
  let greeting: ActionDefinition;
  beforeAll(async () => {
    // Loaded exactly as idflow loads it: it is a complete plugin as it stands.
    [greeting] = (await loadPluginActions(fileURLToPath(new URL('./greeting.mjs', import.meta.url)))) as [ActionDefinition];
  });

  it('is registered under its namespaced id, with its schema', () => {
    expect(greeting.id).toBe('example.greeting.say');
    expect(greeting.params.required).toEqual(['name']);
  });

  it('writes the greeting to the log and changes nothing', async () => {
    const ctx = createMockActionContext();
    expect(await greeting.run(ctx, { name: 'Ada', greeting: 'Hello' })).toEqual({ changed: false, output: { message: 'Hello, Ada!' }, summary: 'Hello, Ada!' });
    expect(ctx.logs).toEqual([{ level: 'info', message: 'Hello, Ada!' }]);
  });
});
