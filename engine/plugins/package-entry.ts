import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PluginError } from '../errors/usage-errors.js';

/**
 * The conditions idflow resolves a package's `exports` with. Plugins are loaded with `import()`,
 * so these are Node's ESM conditions; `require` is deliberately absent (a package that only
 * offers a `require` entry still loads through `main`).
 */
const CONDITIONS: ReadonlySet<string> = new Set(['node', 'import', 'module-sync', 'default']);

/** The fields of a package.json that decide its entry point. */
interface PackageManifest {
  name?: unknown;
  main?: unknown;
  exports?: unknown;
}

/** Reads and parses `<dir>/package.json`, or undefined when there is none. */
export function readManifest(dir: string): PackageManifest | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PluginError(`${file} is not valid JSON: ${(error as Error).message}`, file, { cause: error, code: 'PLUGIN_NOT_FOUND' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PluginError(`${file} must hold a JSON object`, file, { code: 'PLUGIN_NOT_FOUND' });
  }
  return parsed as PackageManifest;
}

/**
 * The file a package (or a folder with a package.json) exposes at `subpath` (`.` for the
 * package itself), following Node's rules: `exports` first (strings, condition objects,
 * arrays, subpath maps and `*` patterns), then `main`, then `index.*`.
 *
 * @param dir - the package folder.
 * @param subpath - `.` or `./sub/path`.
 * @throws PluginError (`PLUGIN_NOT_FOUND`) naming the package.json when nothing matches or the
 *   target does not exist.
 */
export function resolvePackageEntry(dir: string, subpath = '.'): string {
  const manifest = readManifest(dir) ?? {};
  const where = join(dir, 'package.json');
  if (manifest.exports !== undefined && manifest.exports !== null) {
    const target = resolveExports(manifest.exports, subpath);
    if (target === undefined) {
      throw new PluginError(`${where} does not export "${subpath}" for import (conditions tried: ${[...CONDITIONS].join(', ')})`, where, { code: 'PLUGIN_NOT_FOUND' });
    }
    const file = resolve(dir, target);
    if (!isFile(file)) throw new PluginError(`${where} exports "${subpath}" as ${target}, which does not exist${hintBuild(target)}`, where, { code: 'PLUGIN_NOT_FOUND' });
    return file;
  }
  if (subpath !== '.') {
    const file = completeFile(resolve(dir, subpath));
    if (file === undefined) throw new PluginError(`No file ${subpath} in package folder ${dir}`, where, { code: 'PLUGIN_NOT_FOUND' });
    return file;
  }
  if (typeof manifest.main === 'string' && manifest.main !== '') {
    const file = completeFile(resolve(dir, manifest.main));
    if (file === undefined) throw new PluginError(`${where} names "main": "${manifest.main}", which does not exist${hintBuild(manifest.main)}`, where, { code: 'PLUGIN_NOT_FOUND' });
    return file;
  }
  const index = completeFile(join(dir, 'index'));
  if (index === undefined) {
    throw new PluginError(`${dir} has neither "exports" nor "main" in its package.json, and no index.js, index.mjs or index.ts`, existsSync(where) ? where : dir, { code: 'PLUGIN_NOT_FOUND' });
  }
  return index;
}

/**
 * Applies an `exports` value to a subpath; undefined when it does not export it.
 * @internal exported for tests.
 */
export function resolveExports(exports: unknown, subpath: string): string | undefined {
  if (typeof exports === 'string' || Array.isArray(exports) || !hasSubpathKeys(exports)) {
    return subpath === '.' ? resolveTarget(exports, undefined) : undefined;
  }
  const map = exports as Record<string, unknown>;
  if (Object.hasOwn(map, subpath)) return resolveTarget(map[subpath], undefined);
  // Subpath patterns: the longest prefix before `*` wins, as in Node.
  let best: { key: string; match: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star === -1) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length) {
      if (best === undefined || prefix.length > best.key.indexOf('*')) best = { key, match: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  return best === undefined ? undefined : resolveTarget(map[best.key], best.match);
}

function hasSubpathKeys(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).some((key) => key.startsWith('.'));
}

function resolveTarget(target: unknown, patternMatch: string | undefined): string | undefined {
  if (typeof target === 'string') return patternMatch === undefined ? target : target.replaceAll('*', patternMatch);
  if (Array.isArray(target)) {
    for (const candidate of target) {
      const resolved = resolveTarget(candidate, patternMatch);
      if (resolved !== undefined) return resolved;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    // Condition objects are tried in their own key order, as Node does.
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.has(condition)) continue;
      const resolved = resolveTarget(value, patternMatch);
      if (resolved !== undefined) return resolved;
    }
  }
  return undefined;
}

/** Extensions tried for `main` and `index`, in CommonJS's spirit, plus TypeScript. */
const ENTRY_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

/** The file itself, or with a known extension added, or its `index.*` when it is a folder. */
function completeFile(base: string): string | undefined {
  for (const extension of ENTRY_EXTENSIONS) if (isFile(base + extension)) return base + extension;
  for (const extension of ENTRY_EXTENSIONS.slice(1)) if (isFile(join(base, `index${extension}`))) return join(base, `index${extension}`);
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function hintBuild(target: string): string {
  return /(^|\/)(dist|build|lib|out)\//.test(target) ? ' (is the package built? run its build first)' : '';
}
