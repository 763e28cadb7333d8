import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveExports, resolvePackageEntry } from '../../../engine/plugins/package-entry.js';
import { tempDir, writeFiles } from './support/plugin-files.js';

describe('resolveExports', () => {
  it.each([
    ['a string is the package itself', './index.js', '.', './index.js'],
    ['a string exports no subpath', './index.js', './sub', undefined],
    ['conditions are tried in their own order', { import: './esm.js', default: './cjs.js' }, '.', './esm.js'],
    ['"require" and "types" are skipped', { types: './index.d.ts', require: './index.cjs', default: './index.mjs' }, '.', './index.mjs'],
    ['a require-only package has no import entry', { require: './index.cjs' }, '.', undefined],
    ['nested conditions', { node: { import: './node.mjs', require: './node.cjs' }, default: './browser.js' }, '.', './node.mjs'],
    ['arrays take the first that resolves', [{ worker: './w.js' }, './fallback.js'], '.', './fallback.js'],
    ['subpath maps', { '.': './main.js', './extra': { import: './extra.mjs' } }, './extra', './extra.mjs'],
    ['subpath patterns', { './actions/*': './dist/actions/*.js' }, './actions/close', './dist/actions/close.js'],
    ['the longest pattern prefix wins', { './*': './dist/*.js', './actions/*': './dist/a/*.js' }, './actions/close', './dist/a/close.js'],
    ['an unexported subpath', { '.': './main.js' }, './internal', undefined],
  ])('%s', (_name, exports, subpath, expected) => {
    expect(resolveExports(exports, subpath)).toBe(expected);
  });
});

describe('resolvePackageEntry', () => {
  it('completes "main" without an extension and falls back to index files', () => {
    const dir = writeFiles(tempDir(), {
      'a/package.json': { main: './lib/entry' },
      'a/lib/entry.mjs': '',
      'b/package.json': { name: 'b' },
      'b/index.ts': '',
    });
    expect(resolvePackageEntry(join(dir, 'a'))).toBe(join(dir, 'a/lib/entry.mjs'));
    expect(resolvePackageEntry(join(dir, 'b'))).toBe(join(dir, 'b/index.ts'));
  });

  it('says what is missing when a folder has no entry, or a package.json is not JSON', () => {
    const dir = writeFiles(tempDir(), { 'empty/package.json': { name: 'empty' }, 'bad/package.json': '{ "name": ' });
    expect(() => resolvePackageEntry(join(dir, 'empty'))).toThrow(`${join(dir, 'empty')} has neither "exports" nor "main" in its package.json, and no index.js, index.mjs or index.ts`);
    expect(() => resolvePackageEntry(join(dir, 'bad'))).toThrow(`${join(dir, 'bad/package.json')} is not valid JSON`);
  });

  it('names the package.json when "exports" has no import entry', () => {
    const dir = writeFiles(tempDir(), { 'cjs-only/package.json': { exports: { require: './index.cjs' } } });
    expect(() => resolvePackageEntry(join(dir, 'cjs-only'))).toThrow(`${join(dir, 'cjs-only/package.json')} does not export "." for import (conditions tried: node, import, module-sync, default)`);
  });
});
