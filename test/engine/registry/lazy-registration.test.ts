import { describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { PluginError } from '../../../engine/errors/index.js';
import type { ActionDefinition } from '../../../engine/plugin-api/action.js';

/** Built-in packs are registered with their schemas compiled on first use (a start-up optimisation). */
const action = (id: string, params: object, output?: object): ActionDefinition => ({
  id, description: 'test', params: params as ActionDefinition['params'], ...(output ? { output: output as ActionDefinition['output'] } : {}), run: () => ({ changed: false }),
});

describe('ActionRegistry.registerModule with lazy: true', () => {
  it('compiles params and output when first used, once, with defaults filled as usual', () => {
    const registry = new ActionRegistry();
    registry.registerModule([action('test.lazy.one', { type: 'object', properties: { mode: { type: 'string', default: 'fast' } }, additionalProperties: false }, { type: 'object' })], 'builtin:test', { lazy: true });
    const registered = registry.get('test.lazy.one');
    expect(registered).toBeDefined();
    const validate = registered?.validateParams;
    expect(registered?.validateParams).toBe(validate);
    const params: Record<string, unknown> = {};
    expect(validate?.(params)).toBe(true);
    expect(params).toEqual({ mode: 'fast' });
    expect(validate?.({ other: 1 })).toBe(false);
    expect(registered?.validateOutput?.({})).toBe(true);
    expect(registered?.validateOutput?.('text')).toBe(false);
  });

  it('has no output validator for an action without an output schema', () => {
    const registry = new ActionRegistry();
    registry.registerModule(action('test.lazy.two', { type: 'object' }), 'builtin:test', { lazy: true });
    expect(registry.get('test.lazy.two')?.validateOutput).toBeUndefined();
  });

  it('reports a broken schema as PLUGIN_SCHEMA naming the action when it is first used', () => {
    const registry = new ActionRegistry();
    registry.registerModule(action('test.lazy.broken', { type: 'object', properties: { n: { type: 'integer', frobnicate: 1 } } }), 'builtin:test', { lazy: true });
    let thrown: unknown;
    try {
      void registry.get('test.lazy.broken')?.validateParams;
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PluginError);
    expect(thrown).toMatchObject({ code: 'PLUGIN_SCHEMA', message: expect.stringContaining('Action "test.lazy.broken" in builtin:test has an invalid params schema') });
  });

  it('still compiles a plugin\'s schemas at once without lazy, so a broken one is refused when loaded', () => {
    const registry = new ActionRegistry();
    expect(() => registry.registerModule(action('test.eager.broken', { type: 'object', properties: { n: { type: 'integer', frobnicate: 1 } } }), './plugin.mjs')).toThrow(/invalid params schema/);
    expect(registry.has('test.eager.broken')).toBe(false);
  });
});
