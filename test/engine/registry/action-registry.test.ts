import { describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { PluginError } from '../../../engine/errors/index.js';

const action = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  description: `does ${id}`,
  params: { type: 'object', properties: { name: { type: 'string', default: 'x' } }, additionalProperties: false },
  run: () => ({ changed: false }),
  ...extra,
});

describe('ActionRegistry', () => {
  it('registers an action, a list or a pack, and compiles the params schema once with defaults', () => {
    const registry = new ActionRegistry();
    expect(registry.registerModule(action('acme.one.do'), 'one.mjs')).toEqual(['acme.one.do']);
    expect(registry.registerModule([action('acme.two.do'), action('acme.three.do')], 'list.mjs')).toEqual(['acme.two.do', 'acme.three.do']);
    expect(registry.registerModule({ name: 'acme', actions: [action('acme.four.do')] }, 'pack.mjs')).toEqual(['acme.four.do']);
    const registered = registry.get('acme.four.do');
    expect(registered).toMatchObject({ source: 'pack.mjs', pack: 'acme' });
    const params: Record<string, unknown> = {};
    expect(registered?.validateParams(params)).toBe(true);
    expect(params).toEqual({ name: 'x' });
    expect(registry.ids()).toEqual(['acme.four.do', 'acme.one.do', 'acme.three.do', 'acme.two.do']);
    expect(registry.suggest('acme.fuor.do')).toContain('acme.four.do');
  });

  it('names both sources when an id is registered twice', () => {
    const registry = new ActionRegistry();
    registry.registerModule(action('acme.one.do'), 'first.mjs');
    expect(() => registry.registerModule(action('acme.one.do'), 'second.mjs')).toThrow('Action "acme.one.do" from second.mjs is already registered from first.mjs; action ids must be unique');
  });

  it('registers nothing from a module when one of its actions is invalid', () => {
    const registry = new ActionRegistry();
    const attempt = () => registry.registerModule([action('acme.good.do'), action('acme.bad.do', { params: { type: 'object', properties: { n: { type: 'nonsense' } } } })], 'mixed.mjs');
    expect(attempt).toThrow(PluginError);
    expect(attempt).toThrow(/Action "acme.bad.do" in mixed.mjs has an invalid params schema/);
    expect(registry.has('acme.good.do')).toBe(false);
    expect(() => registry.registerModule([action('acme.same.do'), action('acme.same.do')], 'twice.mjs')).toThrow('Action "acme.same.do" is defined twice in twice.mjs');
    expect(registry.has('acme.same.do')).toBe(false);
  });

  it('refuses definitions that break the contract, saying what is missing', () => {
    const registry = new ActionRegistry();
    expect(() => registry.registerModule(action('NoNamespace'), 'a.mjs')).toThrow('a.mjs (default export): action id "NoNamespace" must be namespaced like "vendor.object.verb"');
    expect(() => registry.registerModule({ ...action('acme.x.do'), run: undefined }, 'b.mjs')).toThrow('action "acme.x.do" has no "run" function');
    expect(() => registry.registerModule({ ...action('acme.x.do'), params: { type: 'string' } }, 'c.mjs')).toThrow('"params" must be a JSON Schema of type "object"');
    expect(() => registry.registerModule(42, 'd.mjs')).toThrow('expected an action definition');
  });
});
