import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Jiti } from 'jiti';
import { PluginError } from '../errors/usage-errors.js';
import { TYPESCRIPT_EXTENSIONS } from './resolve-plugin.js';
import { installIdflowImportHook, runningIdflow } from './running-idflow.js';
import { findSyntaxError } from './syntax-error-location.js';

/** A module's namespace: its named exports and `default`. */
export type ModuleNamespace = Readonly<Record<string, unknown>>;

let jitiInstance: Promise<Jiti> | undefined;

let nativeImporter: Promise<(url: string) => Promise<ModuleNamespace>> | undefined;

const IMPORTER_MODULE = 'data:text/javascript,export default (url) => import(url)';

/**
 * Node's own `import()`, out of reach of source transforms: a test runner or bundler that wraps
 * the engine (vitest rewrites `import()` in our code to its module runner, which parses with
 * another parser and cannot load CommonJS) would otherwise change how plugins load and what
 * their errors look like. The importer is a one-line `data:` module: Node always loads those
 * itself, and an absolute `file:` URL is a specifier a `data:` module may import.
 */
function nativeImport(url: string): Promise<ModuleNamespace> {
  nativeImporter ??= (import(IMPORTER_MODULE) as Promise<{ default: (url: string) => Promise<ModuleNamespace> }>).then((module) => module.default);
  return nativeImporter.then((importer) => importer(url));
}

/**
 * jiti is created on first use only: most runs load no TypeScript plugin, and importing jiti
 * costs start-up time every command would otherwise pay.
 *
 * jiti resolves and evaluates a TypeScript plugin's imports itself, so Node's resolve hook
 * does not see them: `idflow` (and `idflow/package.json`) are given to it as virtual modules,
 * the running idflow's own objects.
 */
function typescriptLoader(): Promise<Jiti> {
  jitiInstance ??= Promise.all([import('jiti'), runningIdflow()]).then(([{ createJiti }, { api, manifest }]) =>
    createJiti(import.meta.url, {
      // interopDefault off: with it, a module without a default export would look like it had
      // one (its namespace), and "missing default export" could not be reported.
      interopDefault: false,
      // A JSON module's namespace holds only its default export, as with Node's import of JSON.
      virtualModules: { idflow: api, ...(manifest === undefined ? {} : { 'idflow/package.json': { default: manifest.json } }) },
    }),
  );
  return jitiInstance;
}

/**
 * Imports a plugin's module file: JavaScript with Node's own `import()`, TypeScript through
 * jiti (no build step; types are stripped, not checked). Its imports of `idflow` resolve to
 * the running idflow (see {@link installIdflowImportHook}).
 *
 * @param entry - the absolute path of the module file.
 * @returns its namespace.
 * @throws PluginError naming the file: `PLUGIN_SYNTAX` (with line:column) when it does not
 *   parse, `PLUGIN_IMPORT` when importing it threw or it imports something that cannot be
 *   found.
 */
export async function importPluginModule(entry: string): Promise<ModuleNamespace> {
  const typescript = TYPESCRIPT_EXTENSIONS.has(extname(entry));
  // Before any plugin code runs: a plugin's `import … from 'idflow'` is the running idflow,
  // wherever the plugin lies (a TypeScript plugin may still import JavaScript Node loads).
  await installIdflowImportHook();
  try {
    if (typescript) return (await (await typescriptLoader()).import(entry)) as ModuleNamespace;
    return await nativeImport(pathToFileURL(entry).href);
  } catch (error) {
    throw typescript ? typescriptImportError(entry, error) : await javascriptImportError(entry, error);
  }
}

async function javascriptImportError(entry: string, error: unknown): Promise<PluginError> {
  // By name, not instanceof: the error may come from another realm.
  if (error instanceof Error && error.name === 'SyntaxError') {
    const stack = error.stack ?? '';
    // Parse errors surface from the module compiler, with no frame of the plugin itself.
    const mode = /wrapSafe|compileFunction|cjs\/loader/.test(stack) ? 'commonjs' : 'module';
    const found = await findSyntaxError(entry, mode).catch(() => undefined);
    if (found !== undefined) {
      return new PluginError(`Syntax error in ${entry}:${found.line}:${found.column}: ${found.message}`, entry, { cause: error, code: 'PLUGIN_SYNTAX' });
    }
    if (!/ at (file:\/\/|\/)/.test(stack)) {
      // The file parses, so the broken module is one it imports (or an import names an export that does not exist).
      return new PluginError(`Cannot load plugin ${entry}: ${error.message} (in a module it imports)`, entry, { cause: error, code: 'PLUGIN_SYNTAX' });
    }
  }
  return importFailure(entry, error);
}

function typescriptImportError(entry: string, error: unknown): PluginError {
  const message = error instanceof Error ? error.message : String(error);
  // jiti reports parse errors as "ParseError: <what>\n <file>:<line>:<column>".
  const parse = /^(?:ParseError|SyntaxError): ([\s\S]*?)\s*\n\s*(.+):(\d+):(\d+)\s*$/.exec(message);
  if (parse !== null) {
    const [, what, file, line, column] = parse;
    return new PluginError(`Syntax error in ${file}:${line}:${column}: ${(what ?? '').trim()}`, entry, { cause: error, code: 'PLUGIN_SYNTAX' });
  }
  return importFailure(entry, error);
}

function importFailure(entry: string, error: unknown): PluginError {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const missing = /(?:package|module) '([^']+)'/.exec(message)?.[1];
    // ES modules and TypeScript get the running idflow wherever they lie; only CommonJS's
    // require() (which Node 20's resolve hooks do not see) can still miss it.
    const hint = missing === 'idflow'
      ? "; require('idflow') in CommonJS is looked up next to the plugin: write the plugin as an ES module (import … from 'idflow' always gets the running idflow), install idflow next to it (see docs/install.md), or drop the import: a plugin needs nothing from idflow to work"
      : missing !== undefined && !missing.startsWith('.') && !missing.startsWith('/') ? `; install "${missing}" next to the plugin` : '';
    return new PluginError(`Cannot load plugin ${entry}: ${firstLine(message)}${hint}`, entry, { cause: error, code: 'PLUGIN_IMPORT' });
  }
  const at = thrownAt(error);
  return new PluginError(`Plugin ${entry} threw while being imported: ${message}${at === undefined ? '' : ` (at ${at})`}`, entry, { cause: error, code: 'PLUGIN_IMPORT' });
}

/** The first stack frame in a user's file (not Node's internals, not jiti), as `file:line:column`. */
function thrownAt(error: unknown): string | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const line of stack.split('\n').slice(1)) {
    const frame = /^at (?:.* \()?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (frame === null || /node_modules\/jiti\//.test(frame[1] ?? '')) continue;
    const file = (frame[1] ?? '').replace(/^file:\/\//, '');
    return `${decodeURIComponent(file)}:${frame[2]}:${frame[3]}`;
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
