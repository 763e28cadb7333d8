import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteOnceFiles } from '../../../engine/store/write-once-files.js';

describe('WriteOnceFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'idflow-write-once-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('links a second file with the same text to the first', () => {
    const files = new WriteOnceFiles();
    files.write(join(dir, 'a'), 'same text', 0o600);
    files.write(join(dir, 'b'), 'same text', 0o600);
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('same text');
    expect(statSync(join(dir, 'b')).ino).toBe(statSync(join(dir, 'a')).ino);
    expect(statSync(join(dir, 'b')).mode & 0o777).toBe(0o600);
  });

  it('writes a file of its own for another text or mode', () => {
    const files = new WriteOnceFiles();
    files.write(join(dir, 'a'), 'one', 0o600);
    files.write(join(dir, 'b'), 'two', 0o600);
    files.write(join(dir, 'c'), 'one', 0o644);
    expect(statSync(join(dir, 'b')).ino).not.toBe(statSync(join(dir, 'a')).ino);
    expect(statSync(join(dir, 'c')).ino).not.toBe(statSync(join(dir, 'a')).ino);
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('two');
  });

  it('never links to a file changed or removed since it was written', () => {
    const files = new WriteOnceFiles();
    files.write(join(dir, 'a'), 'pinned', 0o600);
    writeFileSync(join(dir, 'a'), 'edited by hand');
    files.write(join(dir, 'b'), 'pinned', 0o600);
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('pinned');
    unlinkSync(join(dir, 'b'));
    files.write(join(dir, 'c'), 'pinned', 0o600);
    expect(readFileSync(join(dir, 'c'), 'utf8')).toBe('pinned');
  });

  it('refuses to replace an existing file, linked or not', () => {
    const files = new WriteOnceFiles();
    files.write(join(dir, 'a'), 'text', 0o600);
    writeFileSync(join(dir, 'b'), 'other');
    expect(() => files.write(join(dir, 'b'), 'text', 0o600)).toThrow(/EEXIST/);
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('other');
  });
});
