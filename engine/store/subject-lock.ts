import { createHash, randomBytes } from 'node:crypto';
import { closeSync, linkSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { IdflowError } from '../errors/idflow-error.js';
import { SubjectLockedError } from '../errors/usage-errors.js';
import { isProcessAlive, thisHost } from './process-liveness.js';
import { makePrivateDir, openPrivateFile, writeNewPrivateFile } from './private-files.js';

/**
 * One active run per subject (for offboarding: per user), across processes and within one.
 *
 * @remarks
 * A lock is a file in the store's `locks/` folder, named by a hash of the normalised subject
 * (trimmed, lower-case), holding `{ subject, runId, pid, hostname, at, nonce }`. It is created
 * exclusively and complete: the record is written to a temporary file (opened with `O_EXCL`)
 * and hard-linked to the lock name, which fails if the lock exists, so no reader ever sees a
 * half-written lock.
 *
 * A lock whose process is gone (same host, pid not alive) is stale and is taken over. Two
 * processes racing for the same stale lock must not both win, and "delete it, then create
 * mine" lets a slow process delete the winner's fresh lock. So a takeover is first claimed by
 * exclusively creating a marker named after the stale lock's `nonce` (unique to that lock):
 * exactly one process creates it, and only that process removes the stale lock; everyone else
 * waits and looks again. (If the marker's own process died mid-takeover, the next marker number
 * is claimed instead.)
 *
 * Locks held by another host are never taken over automatically: a process there cannot be
 * checked. Remove such a lock file by hand once that run is known to be dead.
 */

/** A held subject lock. */
export interface SubjectLock {
  /** The subject as given. */
  subject: string;
  runId: string;
  /** Releases the lock. Idempotent; removes the lock file only while it still belongs to this run. */
  release(): void;
}

/** What a lock file holds. */
export interface LockRecord {
  subject: string;
  runId: string;
  pid: number;
  hostname: string;
  at: string;
  /** Unique to this lock file (not to the run): tells a takeover which lock it is replacing. */
  nonce: string;
}

/** Locks this process holds, by lock file: a run may claim its subject more than once (re-entrant). */
const heldHere = new Map<string, { runId: string; nonce: string; count: number }>();

/**
 * Lock files whose release failed (the file could not be read or removed at that moment: no
 * file descriptor left, an I/O error), by path, with the nonce of the lock that was released.
 * They are retried in the background: left alone, the file would name this live process and
 * keep other processes away from the subject for as long as it runs.
 */
const unreleased = new Map<string, string>();
let unreleasedTimer: NodeJS.Timeout | undefined;
/** Pause before a failed release is tried again, in milliseconds. */
const RELEASE_RETRY_MS = 200;

/** How many times acquiring looks again while another process is mid-takeover. */
const MAX_ROUNDS = 100;
/** Pause between rounds, in milliseconds. */
const ROUND_PAUSE_MS = 10;
/** A lock or marker file that stays unreadable this long was left by a process that died while writing it. */
const UNREADABLE_GRACE_MS = 2000;

/** The subject as locks compare it: trimmed and lower-case (`John.Smith@x.com` = `john.smith@x.com`). */
export function normaliseSubject(subject: string): string {
  return subject.trim().toLowerCase();
}

/** The lock file for a subject. */
export function lockFileFor(locksDir: string, subject: string): string {
  return join(locksDir, `${createHash('sha256').update(normaliseSubject(subject), 'utf8').digest('hex').slice(0, 32)}.lock`);
}

/**
 * Takes the lock for `subject` on behalf of `runId`.
 *
 * - Free: created, held.
 * - Held by the same run (in this process, or left by a dead process of the same run, e.g. a
 *   resumed run): re-entrant, held again.
 * - Held by a dead process on this host (or a lock file naming this process that it does not
 *   hold): stale, taken over atomically.
 * - Otherwise: refused.
 *
 * @throws SubjectLockedError naming the run that holds the subject.
 * @throws IdflowError `INVALID_SUBJECT` for an empty subject; `LOCK_CONTENTION` when other
 *   processes kept the lock in transition for too long.
 */
export function acquireSubjectLock(locksDir: string, subject: string, runId: string): SubjectLock {
  if (typeof subject !== 'string' || normaliseSubject(subject) === '') {
    throw new IdflowError('INVALID_SUBJECT', `The run's subject is empty (run ${runId}); the workflow's "subject:" must render to a non-empty text such as the user's email`);
  }
  const path = lockFileFor(locksDir, subject);
  const mine = heldHere.get(path);
  if (mine !== undefined) {
    if (mine.runId !== runId) throw new SubjectLockedError(subject, mine.runId);
    mine.count++;
    return handle(path, subject, runId, mine.nonce);
  }
  // The folder is made when creating a lock finds it missing (see createExclusive), not looked
  // for on every acquisition.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const record: LockRecord = { subject, runId, pid: process.pid, hostname: thisHost(), at: new Date().toISOString(), nonce: randomBytes(12).toString('hex') };
    if (createExclusive(path, `${JSON.stringify(record)}\n`)) return hold(path, subject, runId, record.nonce);
    const holder = readHolder(path);
    if (holder.kind === 'absent') continue; // released in between: try again at once
    if (holder.kind === 'unreadable' && Date.now() - holder.mtimeMs < UNREADABLE_GRACE_MS) {
      pause();
      continue;
    }
    if (holder.kind === 'record' && !isReplaceable(holder.record)) throw new SubjectLockedError(subject, holder.record.runId);
    const generation = holder.kind === 'record' ? holder.record.nonce : createHash('sha256').update(`${holder.raw}:${holder.mtimeMs}`).digest('hex').slice(0, 24);
    const won = takeOver(path, generation, `${JSON.stringify(record)}\n`);
    if (won) return hold(path, subject, runId, record.nonce);
    pause();
  }
  throw new IdflowError('LOCK_CONTENTION', `Could not take the lock for "${subject}": other processes kept replacing it; try again`, { retryable: true, details: { subject } });
}

/**
 * Removes the subject locks in `locksDir` left by processes of this host that are gone (killed
 * between recording their run's end and releasing its lock, say), so that none stays in the
 * store naming a dead process. Any acquirer would take such a lock over anyway; removing it
 * uses the same exclusive takeover claim, so a process taking it over at the same moment is
 * never disturbed. Locks of live processes, of this process and of other hosts are left alone.
 *
 * @returns the subjects whose stale locks were removed.
 */
export function removeStaleSubjectLocks(locksDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(locksDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.lock'))) {
    const path = join(locksDir, name);
    if (heldHere.has(path)) continue;
    const holder = readHolder(path);
    if (holder.kind !== 'record' || holder.record.pid === process.pid || !isReplaceable(holder.record)) continue;
    if (removeGeneration(path, holder.record.nonce)) removed.push(holder.record.subject);
  }
  return removed;
}

/** Removes the lock of one generation if this process wins its takeover claim. */
function removeGeneration(path: string, generation: string): boolean {
  const marker = `${path}.takeover-${generation}-0`;
  if (!createExclusive(marker, `${JSON.stringify({ pid: process.pid, hostname: thisHost(), at: new Date().toISOString() })}\n`)) return false;
  try {
    const current = readHolder(path);
    if (current.kind !== 'record' || current.record.nonce !== generation) return false;
    removeQuietly(path);
    return true;
  } finally {
    removeQuietly(marker);
  }
}

/** Whether a lock may be replaced from this process (by a new run, or by the same run resumed). */
function isReplaceable(record: LockRecord): boolean {
  if (record.hostname !== thisHost()) return false;
  // This process's locks are all in `heldHere`; a file naming this pid but not held is a leftover.
  if (record.pid === process.pid) return true;
  if (!isProcessAlive(record.pid)) return true; // stale; for the same run this is a resume
  return false; // a live process holds it (even for the same run: two resumes must not overlap)
}

/**
 * Replaces the lock of one generation (identified by its nonce) with `content`, if this
 * process wins the exclusive takeover marker. Returns whether the lock is now ours.
 */
function takeOver(path: string, generation: string, content: string): boolean {
  for (let k = 0; k < 10; k++) {
    const marker = `${path}.takeover-${generation}-${k}`;
    if (createExclusive(marker, `${JSON.stringify({ pid: process.pid, hostname: thisHost(), at: new Date().toISOString() })}\n`)) {
      try {
        const current = readHolder(path);
        const currentGeneration = current.kind === 'record' ? current.record.nonce : current.kind === 'unreadable' ? createHash('sha256').update(`${current.raw}:${current.mtimeMs}`).digest('hex').slice(0, 24) : undefined;
        // Only the generation we claimed may be removed; if it is already gone, just compete to create.
        if (currentGeneration === generation) removeQuietly(path);
        return createExclusive(path, content);
      } finally {
        for (let j = 0; j <= k; j++) removeQuietly(`${path}.takeover-${generation}-${j}`);
      }
    }
    const claimant = readRecord(marker);
    if (claimant.kind === 'absent') return false; // that takeover finished; look at the lock again
    const pid = claimant.kind === 'record' ? claimant.value['pid'] : undefined;
    const host = claimant.kind === 'record' ? claimant.value['hostname'] : undefined;
    if (typeof pid !== 'number' || typeof host !== 'string') {
      if (Date.now() - claimant.mtimeMs < UNREADABLE_GRACE_MS) return false; // being written
      continue; // left half-written by a process that died: claim the next marker
    }
    if (host === thisHost() && !isProcessAlive(pid)) continue; // died mid-takeover: claim the next marker
    return false; // someone is taking over right now
  }
  return false;
}

type Holder = { kind: 'absent' } | { kind: 'record'; record: LockRecord } | { kind: 'unreadable'; raw: string; mtimeMs: number };

/** A lock file's holder. */
function readHolder(path: string): Holder {
  const read = readRecord(path);
  if (read.kind === 'absent') return read;
  if (read.kind === 'record') {
    const record = read.value;
    if (typeof record['runId'] === 'string' && typeof record['pid'] === 'number' && typeof record['hostname'] === 'string') {
      return { kind: 'record', record: { subject: String(record['subject'] ?? ''), runId: record['runId'], pid: record['pid'], hostname: record['hostname'], at: String(record['at'] ?? ''), nonce: String(record['nonce'] ?? '') } };
    }
  }
  return { kind: 'unreadable', raw: read.raw, mtimeMs: read.mtimeMs };
}

type RawRecord = { kind: 'absent' } | { kind: 'record'; value: Record<string, unknown>; raw: string; mtimeMs: number } | { kind: 'unreadable'; raw: string; mtimeMs: number };

/** A small JSON object file (a lock or a takeover claim). */
function readRecord(path: string): RawRecord {
  let raw: string;
  let mtimeMs: number;
  try {
    raw = readFileSync(path, 'utf8');
    mtimeMs = statSync(path).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw error;
  }
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { kind: 'record', value: value as Record<string, unknown>, raw, mtimeMs };
  } catch {
    // unreadable
  }
  return { kind: 'unreadable', raw, mtimeMs };
}

/**
 * Creates `path` with `content` only if it does not exist, so that it appears complete: the
 * content goes to a temporary file opened with `O_EXCL`, which is then hard-linked to `path`
 * (linking fails when `path` exists). On file systems without hard links, `path` itself is
 * opened with `O_EXCL` and written (readers wait out the moment it is empty).
 */
function createExclusive(path: string, content: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeNewPrivateFile(temporary, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // The locks folder does not exist yet (or was removed): make it and try once more.
    makePrivateDir(dirname(path));
    writeNewPrivateFile(temporary, content);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
  } finally {
    removeQuietly(temporary);
  }
  let fd: number;
  try {
    fd = openPrivateFile(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function hold(path: string, subject: string, runId: string, nonce: string): SubjectLock {
  heldHere.set(path, { runId, nonce, count: 1 });
  return handle(path, subject, runId, nonce);
}

function handle(path: string, subject: string, runId: string, nonce: string): SubjectLock {
  let released = false;
  return {
    subject,
    runId,
    release() {
      if (released) return;
      released = true;
      const entry = heldHere.get(path);
      if (entry === undefined || entry.nonce !== nonce) return;
      if (--entry.count > 0) return;
      heldHere.delete(path);
      try {
        removeIfOurs(path, nonce);
      } catch {
        // Never thrown at the run that ends: the lock is no longer held here, and the file is
        // removed once it can be (see `unreleased`).
        unreleased.set(path, nonce);
        retryUnreleasedLater();
      }
    },
  };
}

/** Removes a lock file if it is still the lock with this nonce (after a takeover it is someone else's). */
function removeIfOurs(path: string, nonce: string): void {
  const holder = readHolder(path);
  if (holder.kind === 'record' && holder.record.nonce === nonce) removeQuietly(path);
}

function retryUnreleasedLater(): void {
  if (unreleasedTimer !== undefined) return;
  unreleasedTimer = setTimeout(() => {
    unreleasedTimer = undefined;
    for (const [path, nonce] of unreleased) {
      try {
        removeIfOurs(path, nonce);
        unreleased.delete(path);
      } catch {
        // still failing: next round
      }
    }
    if (unreleased.size > 0) retryUnreleasedLater();
  }, RELEASE_RETRY_MS);
  // Pending releases must not keep a process alive; one that exits frees its locks anyway (its pid is dead).
  unreleasedTimer.unref();
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ROUND_PAUSE_MS);
}
