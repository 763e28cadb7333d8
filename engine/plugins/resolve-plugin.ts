import { realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginError } from '../errors/usage-errors.js';
import { readManifest, resolvePackageEntry } from './package-entry.js';

/** File extensions a plugin entry may have; `.ts`, `.mts` and `.cts` load without a build step. */
const PLUGIN_EXTENSIONS: ReadonlySet<string> = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);

/** The TypeScript extensions, loaded through jiti. */
export const TYPESCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts']);

/** A plugin spec resolved to the module file to import. */
export interface ResolvedPlugin {
  /** How the spec was read. */
  kind: 'file' | 'folder' | 'package';
  /** The module file to import (absolute). */
  entry: string;
  /** The entry with symbolic links resolved: two specs naming the same module share it. */
  realEntry: string;
  /** What to call the plugin in messages: the file for files, the folder or package with its entry otherwise. */
  source: string;
}

/** npm package names, optionally scoped, optionally followed by a subpath. */
const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(\/.+)?$/i;

/**
 * Resolves what a user wrote in `--plugin`, a config's or a template's `plugins:` to the module
 * file to import.
 *
 * - An existing path (absolute, or relative to `baseDir`) is a file or a folder with a
 *   package.json (its `exports`/`main`) or an `index.*`.
 * - Otherwise a bare name (`idflow-plugin-psa`, `@acme/idflow-actions`, `@acme/pack/sub`) is an
 *   installed npm package, looked up in the `node_modules` folders from `baseDir` upwards, as
 *   Node would from a file in `baseDir`. Write `./name` to mean a path that does not exist yet.
 *
 * @param spec - as the user wrote it (a path, a `file:` URL or a package name).
 * @param baseDir - the folder relative paths and packages are resolved from: the template's
 *   folder, the config's folder, or the working directory for `--plugin`.
 * @throws PluginError (`PLUGIN_NOT_FOUND`) saying what was looked for and where.
 */
export function resolvePluginSpec(spec: string, baseDir: string): ResolvedPlugin {
  const trimmed = spec.trim();
  if (trimmed === '') throw new PluginError('A plugin entry is empty; give a file, a folder or a package name', baseDir, { code: 'PLUGIN_NOT_FOUND' });
  const asPath = trimmed.startsWith('file:') ? fileURLToPath(trimmed) : trimmed;
  const candidate = isAbsolute(asPath) ? asPath : resolve(baseDir, asPath);
  const stats = statOrUndefined(candidate);
  if (stats?.isFile()) return fromFile(candidate, 'file', candidate);
  if (stats?.isDirectory()) {
    const entry = resolvePackageEntry(candidate);
    return fromFile(entry, 'folder', `${candidate} (${relativeEntry(candidate, entry)})`);
  }
  if (!looksLikePath(asPath) && PACKAGE_NAME.test(asPath)) return resolvePackage(asPath, baseDir);
  throw new PluginError(`Plugin file not found: ${candidate}${isAbsolute(asPath) ? '' : ` ("${spec}" relative to ${baseDir})`}`, candidate, { code: 'PLUGIN_NOT_FOUND' });
}

function resolvePackage(spec: string, baseDir: string): ResolvedPlugin {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const rest = parts.slice(nameLength).join('/');
  const subpath = rest === '' ? '.' : `./${rest}`;
  const searched: string[] = [];
  for (let dir = resolve(baseDir); ; dir = dirname(dir)) {
    // A package may name itself (Node's self-reference), e.g. a pack's own example templates.
    const own = readManifestQuietly(dir);
    if (own?.name === name && own.exports !== undefined) {
      const entry = resolvePackageEntry(dir, subpath);
      return fromFile(entry, 'package', `${spec} (${entry})`);
    }
    const packageDir = join(dir, 'node_modules', name);
    searched.push(join(dir, 'node_modules'));
    if (statOrUndefined(packageDir)?.isDirectory()) {
      const entry = resolvePackageEntry(packageDir, subpath);
      return fromFile(entry, 'package', `${spec} (${entry})`);
    }
    if (dirname(dir) === dir) break;
  }
  const shown = searched.length > 3 ? [...searched.slice(0, 2), '…', searched.at(-1)] : searched;
  throw new PluginError(
    `Plugin "${spec}" is neither a file nor a folder relative to ${baseDir}, nor an installed package (looked in ${shown.join(', ')}); install it (npm install ${name}) or write a path such as ./${spec}`,
    spec,
    { code: 'PLUGIN_NOT_FOUND' },
  );
}

function fromFile(entry: string, kind: ResolvedPlugin['kind'], source: string): ResolvedPlugin {
  const extension = extname(entry);
  if (!PLUGIN_EXTENSIONS.has(extension)) {
    throw new PluginError(`${entry} is not a JavaScript or TypeScript module (expected one of ${[...PLUGIN_EXTENSIONS].join(', ')})`, entry, { code: 'PLUGIN_NOT_FOUND' });
  }
  return { kind, entry, realEntry: realpathSync(entry), source: kind === 'file' ? entry : source };
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('~') || spec.includes('\\') || PLUGIN_EXTENSIONS.has(extname(spec));
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function readManifestQuietly(dir: string): ReturnType<typeof readManifest> {
  try {
    return readManifest(dir);
  } catch {
    return undefined;
  }
}

function relativeEntry(dir: string, entry: string): string {
  return entry.startsWith(dir + '/') ? entry.slice(dir.length + 1) : entry;
}
