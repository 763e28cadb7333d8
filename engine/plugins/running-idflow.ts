import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../loader/package-files.js';

/** A module's namespace: its named exports and `default`. */
type Namespace = Readonly<Record<string, unknown>>;

/** What a plugin gets for `import … from 'idflow'`: this idflow's own package entry and manifest. */
export interface RunningIdflow {
  /** The namespace of the package entry (engine/index), the very instance the engine uses. */
  api: Namespace;
  /** The package.json of the running idflow, for `idflow/package.json`; undefined when not found. */
  manifest: { path: string; json: Readonly<Record<string, unknown>> } | undefined;
}

/**
 * Where the bridge modules find the running idflow's entry: one slot per registration, so that
 * a second copy of idflow in the same process (or a test runner evaluating the engine afresh)
 * registers its own hook and bridge instead of reading another copy's entry.
 */
const GLOBAL_KEY = Symbol.for('idflow.running-api');

let running: Promise<RunningIdflow> | undefined;

let hookInstalled: Promise<void> | undefined;

/**
 * The running idflow's package entry and manifest, loaded once. The entry is imported from
 * here, not resolved by name, so that it is the instance the engine itself runs: a plugin's
 * `instanceof TransientError` and the engine's agree.
 */
export function runningIdflow(): Promise<RunningIdflow> {
  running ??= import('../index.js').then((api) => ({ api: api as Namespace, manifest: readOwnManifest() }));
  return running;
}

/**
 * Makes `import … from 'idflow'` (and `import('idflow')`, `import.meta.resolve('idflow')`) in
 * any ES module this process loads from now on resolve to the running idflow, wherever the
 * importing file lies: a plugin in a folder with no node_modules, or one whose folder holds
 * another copy of idflow, gets the same instances as the engine (its error classes, `defineAction`,
 * `loadPluginActions`).
 * `idflow/<subpath>` resolves inside the running package (e.g. `idflow/package.json`).
 *
 * @remarks
 * A Node module resolve hook (`module.register`), installed once per process on the first
 * plugin load. The hooks run on Node's loader thread and cannot hand over live objects, so
 * `idflow` resolves to a small generated bridge module that re-exports, by name, the entry
 * namespace this function leaves in a global slot. The hook module is a `data:` URL, so it
 * needs no file of its own next to compiled or uncompiled sources.
 *
 * CommonJS `require('idflow')` does not pass through these hooks on Node 20; such a plugin
 * resolves idflow from its own folder, as Node always does.
 */
export function installIdflowImportHook(): Promise<void> {
  hookInstalled ??= runningIdflow().then(({ api, manifest }) => {
    const id = randomUUID();
    const slots = ((globalThis as Record<symbol, unknown>)[GLOBAL_KEY] ??= Object.create(null)) as Record<string, Namespace>;
    slots[id] = api;
    register(HOOKS, {
      data: {
        bridgeUrl: `idflow-running:entry/${id}`,
        bridgeSource: bridgeSource(id, Object.keys(api)),
        manifestUrl: manifest === undefined ? undefined : pathToFileURL(manifest.path).href,
      },
    });
  });
  return hookInstalled;
}

/** The bridge module: the running entry's exports, read from its global slot. */
function bridgeSource(id: string, names: readonly string[]): string {
  const lines = [`const api = globalThis[Symbol.for(${JSON.stringify(GLOBAL_KEY.description)})][${JSON.stringify(id)}];`];
  for (const name of names) {
    if (name === 'default') lines.push('export default api.default;');
    // Every export of engine/index is an identifier; anything else could not be imported by name anyway.
    else if (/^[A-Za-z_$][\w$]*$/.test(name)) lines.push(`export const ${name} = api.${name};`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The resolve and load hooks. `idflow/<subpath>` is resolved as if imported from the running
 * package's own package.json, so Node's self-reference applies its `exports` map.
 */
const HOOKS = `data:text/javascript,${encodeURIComponent(`
let bridgeUrl;
let bridgeSource;
let manifestUrl;
export function initialize(data) {
  ({ bridgeUrl, bridgeSource, manifestUrl } = data);
}
export async function resolve(specifier, context, next) {
  if (specifier === 'idflow') return { url: bridgeUrl, format: 'module', shortCircuit: true };
  if (specifier.startsWith('idflow/') && manifestUrl !== undefined) return next(specifier, { ...context, parentURL: manifestUrl });
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url === bridgeUrl) return { format: 'module', source: bridgeSource, shortCircuit: true };
  return next(url, context);
}
`)}`;

/** The running package's package.json (built or not), or undefined when it cannot be read. */
function readOwnManifest(): RunningIdflow['manifest'] {
  try {
    const path = join(packageRoot(), 'package.json');
    return { path, json: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> };
  } catch {
    // Without it only `idflow/<subpath>` is left to Node's usual resolution; `idflow` still works.
    return undefined;
  }
}
