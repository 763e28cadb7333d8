import { describe, expect, it } from 'vitest';
import corePack from '../../../actions/core/index.js';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';

describe('the core pack', () => {
  it('registers the notification, HTTP and data actions through the plugin registry', () => {
    const registry = new ActionRegistry();
    const ids = registry.registerModule(corePack, 'builtin:core');
    expect(ids).toEqual(expect.arrayContaining(['data.set', 'http.request', 'notify.email', 'notify.webhook']));
    for (const id of ['data.set', 'http.request', 'notify.email', 'notify.webhook']) {
      const action = registry.get(id);
      expect(action?.source).toBe('builtin:core');
      expect(action?.definition.plan).toBeTypeOf('function');
      expect(action?.validateOutput).toBeTypeOf('function');
    }
  });
});
