import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../actions/index.js';
import { loadWorkflowFile } from '../../engine/loader/index.js';
import { loadPlugins } from '../../engine/plugins/load-plugins.js';
import { ActionRegistry } from '../../engine/registry/action-registry.js';

describe('examples/psa-offboarding-note.yaml', () => {
  it('validates: its plugins load from its own plugins: list and every step uses them correctly', async () => {
    const registry = new ActionRegistry();
    expect(await loadPlugins(registry, builtinPlugins.map((plugin) => ({ origin: 'builtin' as const, source: plugin.source, load: plugin.load })))).toEqual([]);
    const file = fileURLToPath(new URL('../psa-offboarding-note.yaml', import.meta.url));
    const result = await loadWorkflowFile(file, { registry });
    expect(result.problems).toEqual([]);
    expect(result.workflow?.steps.map((step) => step.action)).toEqual(['example.greeting.say', 'example.psa.ticket_note']);
    expect(registry.get('example.psa.ticket_note')?.source).toBe(fileURLToPath(new URL('./psa-ticket-note.mjs', import.meta.url)));
  });
});
