import { closeSync, rmSync, statSync, writeSync } from 'node:fs';
import { IdflowError } from '../errors/idflow-error.js';
import { openPrivateFile } from '../store/private-files.js';

/** How long a lock file may exist before it counts as left behind by a killed process. */
const STALE_MS = 30_000;
/** How long to wait for a lock another process holds. */
const WAIT_MS = 5_000;
const PAUSE_MS = 5;

/**
 * Runs `fn` holding an exclusive lock file (created with `O_EXCL`), so that two processes
 * (a serve firing a timer, an admin cancelling it) never both read the same state and write
 * different successors. The lock is held only for a read-modify-write of one small file; a
 * lock older than 30 seconds was left by a killed process and is removed.
 *
 * @throws IdflowError `LOCK_CONTENTION` (retryable) when the lock stays taken for 5 seconds.
 */
export function withFileLock<T>(lockFile: string, fn: () => T): T {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openPrivateFile(lockFile, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      try {
        return fn();
      } finally {
        rmSync(lockFile, { force: true });
      }
    }
    if (isStale(lockFile)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new IdflowError('LOCK_CONTENTION', `${lockFile} stayed locked by another process for ${WAIT_MS / 1000}s; try again`, { retryable: true, details: { lockFile } });
    }
    pause(PAUSE_MS);
  }
}

function isStale(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > STALE_MS;
  } catch {
    return false;
  }
}

/** A short synchronous pause (the lock is only ever held for a few file operations). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
