import { describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../../../actions/index.js';
import jumpcloudPack from '../../../../actions/jumpcloud/index.js';
import { jumpcloudSandbox } from '../../../../actions/jumpcloud/emulator/sandbox-provider.js';
import { ActionRegistry } from '../../../../engine/registry/action-registry.js';
import { loadPlugins } from '../../../../engine/plugins/load-plugins.js';

const IDS = [
  'jumpcloud.user.lookup',
  'jumpcloud.user.backup',
  'jumpcloud.user.groups.remove_all',
  'jumpcloud.user.systems.unbind_all',
  'jumpcloud.user.applications.revoke_all',
  'jumpcloud.user.ldap.unbind',
  'jumpcloud.user.radius.remove',
  'jumpcloud.user.mfa.clear',
  'jumpcloud.user.ssh_keys.remove_all',
  'jumpcloud.user.deactivate',
  'jumpcloud.user.delete_if_suspended',
  'jumpcloud.user.verify_offboarded',
  'jumpcloud.user.groups.add',
  'jumpcloud.user.groups.remove',
  'jumpcloud.user.update',
  'jumpcloud.user.set_state',
  'jumpcloud.user.create',
  'jumpcloud.user.systems.bind',
  'jumpcloud.user.systems.unbind',
  'jumpcloud.system.groups.add',
  'jumpcloud.system.groups.remove',
  'jumpcloud.system.command',
  'jumpcloud.users.find',
  'jumpcloud.systems.find',
];

describe('the JumpCloud pack', () => {
  it('registers every action (the offboarding ones, then adding to and removing from given groups, updating a user profile and changing the state of a user, creating one, binding to and unbinding from given systems, system groups, device commands, then finding users and systems), with plan() and schemas, through the plugin registry', () => {
    const registry = new ActionRegistry();
    const ids = registry.registerModule(jumpcloudPack, 'builtin:jumpcloud');
    expect(ids).toEqual(IDS);
    for (const id of IDS) {
      const action = registry.get(id);
      expect(action?.source).toBe('builtin:jumpcloud');
      expect(action?.definition.plan, id).toBeTypeOf('function');
      expect(action?.validateOutput, id).toBeTypeOf('function');
    }
    expect(jumpcloudPack.name).toBe('jumpcloud');
    expect(jumpcloudPack.sandbox).toBe(jumpcloudSandbox);
  });

  it('is one of the built-in plugins, loaded like any other', async () => {
    const entry = builtinPlugins.find((plugin) => plugin.source === 'builtin:jumpcloud');
    expect(entry).toBeDefined();
    const registry = new ActionRegistry();
    const problems = await loadPlugins(registry, [{ origin: 'builtin', source: 'builtin:jumpcloud', load: (entry as NonNullable<typeof entry>).load }]);
    expect(problems).toEqual([]);
    expect(registry.ids()).toEqual([...IDS].sort());
  });

  it('has examples that name only declared parameters and every required one', () => {
    for (const action of jumpcloudPack.actions) {
      const properties = Object.keys(action.params.properties ?? {});
      const required = action.params.required ?? [];
      expect(action.examples?.length ?? 0, action.id).toBeGreaterThan(0);
      for (const example of action.examples ?? []) {
        // Examples hold templates ({{steps.lookup.output.user.id}}), checked after rendering at run time.
        expect(properties, `${action.id}: ${example.description}`).toEqual(expect.arrayContaining(Object.keys(example.with)));
        expect(Object.keys(example.with), `${action.id}: ${example.description}`).toEqual(expect.arrayContaining([...required]));
      }
    }
  });
});
