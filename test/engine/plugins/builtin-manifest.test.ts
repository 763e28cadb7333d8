import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../../actions/index.js';
import { buildManifest, BUILTIN_MANIFEST_FORMAT, describedPack, describePack, readBuiltinManifest, type BuiltinManifestLocation, type PackManifestEntry } from '../../../engine/plugins/builtin-manifest.js';
import type { ActionDefinition } from '../../../engine/plugin-api/action.js';
import type { PluginPack } from '../../../engine/plugin-api/pack.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { describeAction } from '../../../engine/plugins/describe-action.js';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { tempDir, writeFiles } from './support/plugin-files.js';

/** A manifest location in a fresh folder laid out as a working copy (the list module's source is there), or as an installed package. */
function location(layout: 'working copy' | 'installed' = 'working copy'): BuiltinManifestLocation {
  const dir = writeFiles(tempDir('idflow-manifest-'), { 'dist/actions/index.js': 'export const builtinPlugins = [];\n', ...(layout === 'working copy' ? { 'actions/index.ts': 'export const builtinPlugins = [];\n' } : {}) });
  return { file: join(dir, 'dist', 'actions', 'builtin-manifest.json'), listModule: join(dir, 'dist', 'actions', 'index.js'), listSource: join(dir, 'actions', 'index.ts') };
}

/** Writes the manifest of `packs` as the build does, through JSON. */
function writeManifest(at: BuiltinManifestLocation, packs: ReadonlyArray<{ source: string; exported: unknown }>): void {
  writeFileSync(at.file, `${JSON.stringify(buildManifest(packs))}\n`);
}

async function realPacks(): Promise<Array<{ source: string; exported: unknown; load: () => Promise<{ default: unknown }> }>> {
  return Promise.all(builtinPlugins.map(async ({ source, load }) => ({ source, exported: (await load()).default, load })));
}

/** A pack of our own whose module load is counted: run, plan and verify say which definition answered. */
function countedPack(): { pack: PluginPack; loads: () => number; load: () => Promise<{ default: unknown }> } {
  const action: ActionDefinition = {
    id: 'acme.ticket.close',
    description: 'Closes a ticket',
    params: { type: 'object', properties: { ticket: { type: 'integer' } }, required: ['ticket'] },
    output: { type: 'object', properties: { closed: { type: 'integer' } } },
    examples: [{ description: 'Close ticket 7', with: { ticket: 7 } }],
    run: (_ctx, params) => ({ changed: true, output: { closed: params['ticket'] } }),
    plan: (_ctx, params) => ({ changes: [{ target: `ticket ${String(params['ticket'])}`, operation: 'close' }] }),
    verify: (_ctx, _params, output) => ({ ok: (output as { closed?: unknown }).closed === 7 }),
  };
  const bare: ActionDefinition = { id: 'acme.ticket.note', description: 'Notes a ticket', params: { type: 'object' }, run: () => ({ changed: false }) };
  const pack: PluginPack = { name: 'acme', description: 'Tickets', actions: [action, bare] };
  let loads = 0;
  return { pack, loads: () => loads, load: () => { loads += 1; return Promise.resolve({ default: pack }); } };
}

describe('the built-in manifest: what it records', () => {
  it('records every built-in action as the registry and the reference read it, and a described pack gives the same descriptions', async () => {
    const packs = await realPacks();
    const at = location();
    writeManifest(at, packs);
    const manifest = readBuiltinManifest(at);
    expect(manifest?.format).toBe(BUILTIN_MANIFEST_FORMAT);
    for (const { source, exported, load } of packs) {
      const real = exported as PluginPack;
      const entry = manifest?.packs[source] as PackManifestEntry;
      expect(entry.actions.map((action) => action.id)).toEqual(real.actions.map((action) => action.id));
      const described = describedPack(entry, source, load);
      expect(described.name).toBe(real.name);
      expect(described.description).toBe(real.description);
      const realRegistry = new ActionRegistry();
      const describedRegistry = new ActionRegistry();
      realRegistry.registerModule(real, source, { lazy: true });
      describedRegistry.registerModule(described, source, { lazy: true });
      expect(describedRegistry.ids()).toEqual(realRegistry.ids());
      for (const id of realRegistry.ids()) {
        const [fromModule, fromManifest] = [realRegistry.get(id)!, describedRegistry.get(id)!];
        // Everything `idflow actions ID` shows (schemas, examples, plan and verify), and the same params and output schemas.
        expect(describeAction(fromManifest, '/')).toEqual(describeAction(fromModule, '/'));
        expect(fromManifest.definition.params).toEqual(fromModule.definition.params);
        expect(fromManifest.definition.output).toEqual(fromModule.definition.output);
        expect(typeof fromManifest.definition.plan).toBe(typeof fromModule.definition.plan);
        expect(typeof fromManifest.definition.verify).toBe(typeof fromModule.definition.verify);
      }
    }
  });

  it('refuses to record a built-in module that does not export a pack', () => {
    expect(() => describePack([{ id: 'acme.a.b' }], 'builtin:odd')).toThrow('builtin:odd does not export a pack { name, actions }');
  });
});

describe('the built-in manifest: when it is used', () => {
  it('is not used when there is none (sources run without a build)', () => {
    expect(readBuiltinManifest(location())).toBeUndefined();
  });

  it('in a working copy, is not used once the list module was written again after it (tsc ran alone after the build)', () => {
    const at = location();
    writeManifest(at, [{ source: 'builtin:acme', exported: countedPack().pack }]);
    expect(readBuiltinManifest(at)?.packs['builtin:acme']?.name).toBe('acme');
    const later = new Date(Date.now() + 5_000);
    utimesSync(at.listModule, later, later);
    expect(readBuiltinManifest(at)).toBeUndefined();
  });

  it('in an installed package (no sources), is used whatever the order npm install dated the files in', () => {
    const at = location('installed');
    writeManifest(at, [{ source: 'builtin:acme', exported: countedPack().pack }]);
    const later = new Date(Date.now() + 5_000);
    utimesSync(at.listModule, later, later);
    expect(readBuiltinManifest(at)?.packs['builtin:acme']?.name).toBe('acme');
  });

  it('is not used when it is not a manifest of this format, or not JSON', () => {
    const at = location();
    writeManifest(at, [{ source: 'builtin:acme', exported: countedPack().pack }]);
    const written = JSON.parse(readFileSync(at.file, 'utf8')) as Record<string, unknown>;
    writeFileSync(at.file, JSON.stringify({ ...written, format: BUILTIN_MANIFEST_FORMAT + 1 }));
    expect(readBuiltinManifest(at)).toBeUndefined();
    writeFileSync(at.file, JSON.stringify({ ...written, packs: { 'builtin:acme': { name: 'acme' } } }));
    expect(readBuiltinManifest(at)).toBeUndefined();
    writeFileSync(at.file, '{"format": 1, "packs": {');
    expect(readBuiltinManifest(at)).toBeUndefined();
  });
});

describe('a described pack', () => {
  it('imports nothing until an action is called, then the pack once, and calls the real run, plan and verify', async () => {
    const { pack, loads, load } = countedPack();
    const at = location();
    writeManifest(at, [{ source: 'builtin:acme', exported: pack }]);
    const described = describedPack(readBuiltinManifest(at)!.packs['builtin:acme']!, 'builtin:acme', load);
    const [close, note] = described.actions as [ActionDefinition, ActionDefinition];
    expect(close.examples).toEqual([{ description: 'Close ticket 7', with: { ticket: 7 } }]);
    expect(note.plan).toBeUndefined();
    expect(note.verify).toBeUndefined();
    expect(loads()).toBe(0);

    const ctx = createMockActionContext();
    expect(await close.run(ctx, { ticket: 7 })).toEqual({ changed: true, output: { closed: 7 } });
    expect(await close.plan!(ctx, { ticket: 7 })).toEqual({ changes: [{ target: 'ticket 7', operation: 'close' }] });
    expect(await close.verify!(ctx, { ticket: 7 }, { closed: 7 })).toEqual({ ok: true });
    expect(await note.run(ctx, {})).toEqual({ changed: false });
    expect(loads()).toBe(1);
  });

  it('says to rebuild when the pack no longer has an action its manifest lists, or no longer plans it', async () => {
    const { pack } = countedPack();
    const entry = describePack(pack, 'builtin:acme');
    const changed: PluginPack = { ...pack, actions: [{ ...pack.actions[0]!, plan: undefined }] };
    const described = describedPack(entry, 'builtin:acme', () => Promise.resolve({ default: changed }));
    const [close, note] = described.actions as [ActionDefinition, ActionDefinition];
    await expect(close.plan!(createMockActionContext(), { ticket: 7 })).rejects.toThrow('builtin:acme: the action "acme.ticket.close" has no plan although its manifest says it has: rebuild idflow (npm run build)');
    await expect(note.run(createMockActionContext(), {})).rejects.toThrow('builtin:acme no longer has the action "acme.ticket.note" its manifest lists: rebuild idflow (npm run build)');
  });
});
