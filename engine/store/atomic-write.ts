import { closeSync, fstatSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, basename } from 'node:path';
import type { Durability } from './durability.js';
import { openPrivateFile } from './private-files.js';

/**
 * Replaces a file's content atomically: a reader (another `idflow runs`, a resumed run) sees
 * either the old content or the new, never a half-written file, even if the process is killed
 * mid-write. Writes a temporary file next to the target and renames it over the target.
 */
export function writeFileAtomic(path: string, text: string, durability: Durability = 'write'): void {
  writeAtomic(path, text, durability, false);
}

/** Which file a path named when it was read or written: it is the same file while these hold. */
export interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * {@link writeFileAtomic}, returning the identity of the file written (taken from its descriptor
 * before the rename, which changes neither), so that a caller can later tell, with one `stat`,
 * whether the path still holds exactly what it wrote.
 */
export function writeFileAtomicIdentified(path: string, text: string, durability: Durability = 'write'): FileIdentity {
  return writeAtomic(path, text, durability, true) as FileIdentity;
}

function writeAtomic(path: string, text: string, durability: Durability, identify: boolean): FileIdentity | undefined {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${temporarySuffix()}.tmp`);
  const fd = openPrivateFile(temporary, 'wx');
  let identity: FileIdentity | undefined;
  try {
    writeSync(fd, text);
    if (durability === 'fsync') fsyncSync(fd);
    if (identify) {
      const stats = fstatSync(fd);
      identity = { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
    }
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  if (durability === 'fsync') syncDirectory(dirname(path));
  return identity;
}

/**
 * Eight hex digits, different for every temporary file of this process: a random start (so a
 * leftover of an earlier process with the same pid is not hit, as with fresh random bytes) plus
 * a counter, instead of asking the system for random bytes for every write (which was a tenth
 * of a run record's write).
 */
let nextSuffix = randomBytes(4).readUInt32BE(0);
function temporarySuffix(): string {
  nextSuffix = (nextSuffix + 1) >>> 0;
  return nextSuffix.toString(16).padStart(8, '0');
}

/** Flushes a directory entry (the rename) to disk; not every platform allows it, so failures are ignored. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows and some file systems cannot fsync a directory; the data itself is synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
