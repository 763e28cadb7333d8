import { existsSync, readFileSync, statSync } from 'node:fs';
import type { ActionContext } from '../plugin-api/context.js';
import type { ActionDefinition, ActionPlan, ActionResult, VerifyResult } from '../plugin-api/action.js';
import type { JsonSchema } from '../plugin-api/json-schema.js';
import type { PluginPack } from '../plugin-api/pack.js';

/**
 * What the build records of the packs that ship with idflow, so that commands which only read
 * the actions' descriptions and schemas (`validate`, `actions`, `schema`) register them without
 * importing their code.
 *
 * Importing the built-in packs loads every action module with everything they import (the
 * JumpCloud client and emulator, the SMTP address parser, p-retry): about a hundred modules,
 * which cost a cold `idflow validate` more than a third of its start-up on a 2-core machine,
 * for code `validate` never runs. `npm run build` writes the manifest beside the list of
 * built-in packs after tsc (engine/schema/build-validators.ts); a command that only describes
 * actions registers each pack from it, with `run`, `plan` and `verify` that import the real
 * pack on first call, so a described action still works if it is ever run.
 *
 * The manifest holds exactly what the registry and the action reference read of a definition:
 * id, description, params and output schemas (JSON, so the schemas' precompiled validators are
 * found by the same key), examples, and whether `plan` and `verify` exist. It is used only when
 * it is not older than the build beside it (see {@link readBuiltinManifest}); otherwise the packs are
 * imported as before.
 */

/** The manifest's format; a manifest of another format is not used. */
export const BUILTIN_MANIFEST_FORMAT = 1;

/** One action as the manifest records it. */
export interface ActionManifestEntry {
  id: string;
  description: string;
  params: JsonSchema;
  output?: JsonSchema;
  examples?: ReadonlyArray<{ description: string; with: Record<string, unknown> }>;
  /** Whether the definition has `plan`. */
  plan: boolean;
  /** Whether the definition has `verify`. */
  verify: boolean;
}

/** One built-in pack as the manifest records it. */
export interface PackManifestEntry {
  name: string;
  description?: string;
  actions: ActionManifestEntry[];
}

/** The manifest file. */
export interface BuiltinManifest {
  format: number;
  /** By source (`builtin:core`). */
  packs: Record<string, PackManifestEntry>;
}

/** Where the manifest of a list of built-in packs lies, and the module it belongs to. */
export interface BuiltinManifestLocation {
  /** The manifest file (JSON). */
  file: string;
  /** The module that lists the built-in packs (see {@link readBuiltinManifest}). */
  listModule: string;
  /**
   * That module's TypeScript source: there in a working copy, where tsc may have run alone
   * since the build; not in an installed package, which was built whole (see {@link readBuiltinManifest}).
   */
  listSource: string;
}

/**
 * What the manifest records of a built-in module's default export.
 * @throws Error when the export is not a pack (the built-in modules all export packs).
 */
export function describePack(exported: unknown, source: string): PackManifestEntry {
  const pack = exported as Partial<PluginPack> | null;
  if (typeof pack !== 'object' || pack === null || typeof pack.name !== 'string' || !Array.isArray(pack.actions)) {
    throw new Error(`${source} does not export a pack { name, actions }: only packs are recorded in the built-in manifest`);
  }
  return {
    name: pack.name,
    ...(pack.description === undefined ? {} : { description: pack.description }),
    actions: pack.actions.map((definition) => ({
      id: definition.id,
      description: definition.description,
      params: definition.params,
      ...(definition.output === undefined ? {} : { output: definition.output }),
      ...(definition.examples === undefined ? {} : { examples: definition.examples }),
      plan: typeof definition.plan === 'function',
      verify: typeof definition.verify === 'function',
    })),
  };
}

/** The manifest of built-in packs, each given by its source and its module's default export. */
export function buildManifest(packs: ReadonlyArray<{ source: string; exported: unknown }>): BuiltinManifest {
  return {
    format: BUILTIN_MANIFEST_FORMAT,
    packs: Object.fromEntries(packs.map(({ source, exported }) => [source, describePack(exported, source)])),
  };
}

/**
 * The manifest at `location`, or undefined when there is none that can be trusted: no file
 * (sources run without a build, as the tests do), a file that is not a manifest of this
 * format, or, in a working copy, one older than the module that lists the packs.
 *
 * tsc rewrites every file it emits, so in a working copy a tsc run after the build's last step
 * (which writes the manifest) leaves the manifest older, and unused until the next
 * `npm run build`. An installed package has no sources and was built whole; its files' times
 * are those of the install, in no particular order, so they are not compared there. (On a
 * file system that keeps whole seconds, a tsc run within the same second as the build would go
 * unnoticed.) Undefined means "import the packs": the manifest only saves time.
 */
export function readBuiltinManifest(location: BuiltinManifestLocation): BuiltinManifest | undefined {
  let text: string;
  try {
    if (existsSync(location.listSource) && statSync(location.file).mtimeMs < statSync(location.listModule).mtimeMs) return undefined;
    text = readFileSync(location.file, 'utf8');
  } catch {
    return undefined;
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isManifest(manifest) ? manifest : undefined;
}

function isManifest(value: unknown): value is BuiltinManifest {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<BuiltinManifest>;
  return candidate.format === BUILTIN_MANIFEST_FORMAT
    && typeof candidate.packs === 'object' && candidate.packs !== null
    && Object.values(candidate.packs).every((pack) => typeof pack?.name === 'string' && Array.isArray(pack.actions));
}

/**
 * A pack made from its manifest entry: the same name, description and action definitions as
 * far as describing and checking go, and nothing else (no sandbox, no event sources: the
 * commands that use a described pack need neither). Each action's `run`, `plan` and `verify`
 * import the pack with `load` on first call (once for the whole pack) and call the real one.
 *
 * @param load - imports the built-in module (its default export is the pack).
 */
export function describedPack(entry: PackManifestEntry, source: string, load: () => Promise<{ default: unknown }>): PluginPack {
  let real: Promise<ReadonlyMap<string, ActionDefinition>> | undefined;
  const implementation = async (id: string): Promise<ActionDefinition> => {
    real ??= load().then(({ default: exported }) => new Map(((exported as Partial<PluginPack> | null)?.actions ?? []).map((definition) => [definition.id, definition])));
    const definition = (await real).get(id);
    if (definition === undefined) throw new Error(`${source} no longer has the action "${id}" its manifest lists: rebuild idflow (npm run build)`);
    return definition;
  };
  const missing = (id: string, what: string): never => {
    throw new Error(`${source}: the action "${id}" has no ${what} although its manifest says it has: rebuild idflow (npm run build)`);
  };
  const actions = entry.actions.map((action): ActionDefinition => ({
    id: action.id,
    description: action.description,
    params: action.params,
    ...(action.output === undefined ? {} : { output: action.output }),
    ...(action.examples === undefined ? {} : { examples: action.examples }),
    run: async (ctx: ActionContext, params: Record<string, unknown>): Promise<ActionResult> => (await implementation(action.id)).run(ctx, params),
    ...(action.plan
      ? { plan: async (ctx: ActionContext, params: Record<string, unknown>): Promise<ActionPlan> => {
          const definition = await implementation(action.id);
          return definition.plan === undefined ? missing(action.id, 'plan') : definition.plan(ctx, params);
        } }
      : {}),
    ...(action.verify
      ? { verify: async (ctx: ActionContext, params: Record<string, unknown>, output: unknown): Promise<VerifyResult> => {
          const definition = await implementation(action.id);
          return definition.verify === undefined ? missing(action.id, 'verify') : definition.verify(ctx, params, output);
        } }
      : {}),
  }));
  return { name: entry.name, ...(entry.description === undefined ? {} : { description: entry.description }), actions };
}
