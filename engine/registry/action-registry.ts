import type { Ajv, ValidateFunction } from 'ajv';
import type { ActionDefinition } from '../plugin-api/action.js';
import type { PluginPack } from '../plugin-api/pack.js';
import { PluginError } from '../errors/usage-errors.js';
import { compileTrusted } from '../schema/ajv.js';
import { loadPrecompiled } from '../schema/precompiled-validators.js';
import { createProfileAjv, type SchemaProfile } from '../schema/schema-profiles.js';
import { closestMatches } from '../diagnostics/suggest.js';

/** Action ids: two or more lower-case dot-separated segments, e.g. `jumpcloud.user.suspend`; `log` is the one bare built-in. */
const ACTION_ID = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;

/** An action as the engine holds it: the definition, where it came from, and its compiled validators. */
export interface RegisteredAction {
  definition: ActionDefinition;
  /** The file, folder, package or `builtin:<pack>` it was loaded from. */
  source: string;
  /** The pack it belongs to, if any. */
  pack?: string;
  /** Validates (and fills defaults into) rendered parameters. */
  validateParams: ValidateFunction;
  /** Validates output, when the action declares an output schema. */
  validateOutput?: ValidateFunction;
}

/** What a plugin module may export as default. */
export type PluginExport = ActionDefinition | ActionDefinition[] | PluginPack;

/** How {@link ActionRegistry.registerModule} registers a module. */
export interface RegisterOptions {
  /**
   * Compile each action's schemas when they are first used instead of now. For the packs that
   * ship with idflow (their schemas are compiled by their own tests): compiling all of them
   * at every start cost `idflow validate` and `run` more than a third of their start-up, for
   * schemas of actions the template does not use. A plugin's schemas are compiled when it is
   * registered, so that a broken one is reported at once, naming the plugin.
   *
   * A lazily compiled schema's validator generated at build time is used when there is one
   * for exactly that schema (see schema/precompiled-validators.ts).
   */
  lazy?: boolean;
}

/**
 * The registry of actions. Every action, built-in or not, is registered through
 * {@link ActionRegistry.registerModule}: the JumpCloud pack has no other way in than an admin's
 * plugin has. Schemas are compiled once, when the action is registered (or, for the built-in
 * packs, when first used: see {@link RegisterOptions.lazy}).
 */
export class ActionRegistry {
  private readonly actions = new Map<string, RegisteredAction>();
  private readonly packs = new Map<string, { pack: PluginPack; source: string }>();
  // One ajv for parameter validation (fills defaults) and one for outputs (must not mutate),
  // created when first needed: with every schema precompiled, ajv itself is never loaded.
  private readonly ajvs = new Map<SchemaProfile, Ajv>();

  /**
   * Registers everything a plugin module exports by default.
   * @throws PluginError naming `source` when the export is not a valid action, list or pack,
   *   or when an id is already registered (naming both sources).
   */
  registerModule(exported: unknown, source: string, options: RegisterOptions = {}): string[] {
    // Check and compile everything first, then register: a module with one bad action
    // registers none of them, rather than half.
    const lazy = options.lazy === true;
    let prepared: RegisteredAction[];
    let pack: PluginPack | undefined;
    if (Array.isArray(exported)) {
      prepared = exported.map((definition, i) => this.prepare(definition, source, undefined, `[${i}]`, lazy));
    } else if (isPack(exported)) {
      const existing = this.packs.get(exported.name);
      if (existing) throw new PluginError(`Plugin pack "${exported.name}" from ${source} is already registered from ${existing.source}`, source, { code: 'PLUGIN_DUPLICATE' });
      pack = exported;
      prepared = exported.actions.map((definition, i) => this.prepare(definition, source, exported.name, `actions[${i}]`, lazy));
    } else {
      prepared = [this.prepare(exported, source, undefined, 'default export', lazy)];
    }
    const seen = new Set<string>();
    for (const action of prepared) {
      if (seen.has(action.definition.id)) throw new PluginError(`Action "${action.definition.id}" is defined twice in ${source}; action ids must be unique`, source, { code: 'PLUGIN_DUPLICATE' });
      seen.add(action.definition.id);
    }
    for (const action of prepared) this.actions.set(action.definition.id, action);
    if (pack !== undefined) this.packs.set(pack.name, { pack, source });
    return prepared.map((action) => action.definition.id);
  }

  /**
   * Registers one action definition after checking its shape and compiling its schemas.
   * @returns the action id.
   */
  register(definition: unknown, source: string, pack?: string, where = 'default export'): string {
    const action = this.prepare(definition, source, pack, where);
    this.actions.set(action.definition.id, action);
    return action.definition.id;
  }

  /** Checks a definition's shape, refuses a duplicate id and compiles its schemas, without registering it. */
  private prepare(definition: unknown, source: string, pack: string | undefined, where = 'default export', lazy = false): RegisteredAction {
    const action = checkDefinition(definition, source, where);
    const existing = this.actions.get(action.id);
    if (existing) {
      throw new PluginError(`Action "${action.id}" from ${source} is already registered from ${existing.source}; action ids must be unique`, source, { code: 'PLUGIN_DUPLICATE' });
    }
    // Lazily compiled schemas are the built-in packs', which their tests compile the checked way.
    const compile = (profile: SchemaProfile, schema: object): ValidateFunction => (lazy ? compileTrusted(this.ajv(profile), schema) : this.ajv(profile).compile(schema));
    const compileParams = (definition: ActionDefinition): ValidateFunction => {
      try {
        return compile('params', definition.params);
      } catch (error) {
        throw new PluginError(`Action "${definition.id}" in ${source} has an invalid params schema: ${(error as Error).message}`, source, { cause: error, code: 'PLUGIN_SCHEMA' });
      }
    };
    const compileOutput = (definition: ActionDefinition): ValidateFunction => {
      try {
        return compile('output', definition.output ?? {});
      } catch (error) {
        throw new PluginError(`Action "${definition.id}" in ${source} has an invalid output schema: ${(error as Error).message}`, source, { cause: error, code: 'PLUGIN_SCHEMA' });
      }
    };
    if (lazy) {
      // Compiled on first use (see RegisterOptions.lazy); the same function every time after.
      let params: ValidateFunction | undefined;
      let output: ValidateFunction | null | undefined;
      return {
        definition: action,
        source,
        ...(pack === undefined ? {} : { pack }),
        get validateParams(): ValidateFunction {
          return (params ??= loadPrecompiled('params', action.params) ?? compileParams(action));
        },
        get validateOutput(): ValidateFunction | undefined {
          if (output === undefined) output = action.output === undefined ? null : (loadPrecompiled('output', action.output) ?? compileOutput(action));
          return output ?? undefined;
        },
      };
    }
    const validateParams = compileParams(action);
    const validateOutput = action.output === undefined ? undefined : compileOutput(action);
    return { definition: action, source, ...(pack === undefined ? {} : { pack }), validateParams, ...(validateOutput ? { validateOutput } : {}) };
  }

  /** This registry's ajv for a profile, created on first use. */
  private ajv(profile: SchemaProfile): Ajv {
    let ajv = this.ajvs.get(profile);
    if (ajv === undefined) {
      ajv = createProfileAjv(profile);
      this.ajvs.set(profile, ajv);
    }
    return ajv;
  }

  /** The action with this id, or undefined. */
  get(id: string): RegisteredAction | undefined {
    return this.actions.get(id);
  }

  /** True when an action with this id is registered. */
  has(id: string): boolean {
    return this.actions.has(id);
  }

  /** Every registered action id, sorted. */
  ids(): string[] {
    return [...this.actions.keys()].sort();
  }

  /** Every registered action, sorted by id. */
  list(): RegisteredAction[] {
    return this.ids().map((id) => this.actions.get(id) as RegisteredAction);
  }

  /** The registered ids closest to a mistyped one, best first. */
  suggest(id: string): string[] {
    return closestMatches(id, this.actions.keys());
  }

  /** Every registered pack. */
  listPacks(): Array<{ pack: PluginPack; source: string }> {
    return [...this.packs.values()];
  }
}

function isPack(value: unknown): value is PluginPack {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as PluginPack).actions) && typeof (value as PluginPack).name === 'string';
}

function checkDefinition(value: unknown, source: string, where: string): ActionDefinition {
  const fail = (message: string): never => {
    throw new PluginError(`${source} (${where}): ${message}`, source);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('expected an action definition { id, description, params, run } (or an array of them, or a pack { name, actions }), got ' + describe(value));
  }
  const candidate = value as Partial<ActionDefinition>;
  if (typeof candidate.id !== 'string' || candidate.id === '') return fail('the action has no "id"');
  if (candidate.id !== 'log' && !ACTION_ID.test(candidate.id)) {
    return fail(`action id "${candidate.id}" must be namespaced like "vendor.object.verb" (lower-case segments separated by dots)`);
  }
  if (typeof candidate.description !== 'string' || candidate.description.trim() === '') return fail(`action "${candidate.id}" has no "description"`);
  if (typeof candidate.run !== 'function') return fail(`action "${candidate.id}" has no "run" function`);
  if (candidate.plan !== undefined && typeof candidate.plan !== 'function') return fail(`action "${candidate.id}": "plan" must be a function`);
  if (candidate.verify !== undefined && typeof candidate.verify !== 'function') return fail(`action "${candidate.id}": "verify" must be a function`);
  const params = candidate.params as unknown;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return fail(`action "${candidate.id}" has no "params" JSON Schema`);
  if ((params as { type?: unknown }).type !== 'object') return fail(`action "${candidate.id}": "params" must be a JSON Schema of type "object"`);
  if (candidate.output !== undefined && (typeof candidate.output !== 'object' || candidate.output === null)) return fail(`action "${candidate.id}": "output" must be a JSON Schema`);
  return candidate as ActionDefinition;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'function' ? 'a function' : typeof value;
}
