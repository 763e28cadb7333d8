import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { Durability } from './durability.js';
import { RUN_FILES } from './run-files.js';
import { RunListeners } from './run-listeners.js';

/**
 * A request to cancel a run, kept in its folder (`cancel.json`) until the run stops on it or is
 * resumed. A file rather than a message: the run may execute in another process (serve, another
 * `idflow run`) that shares only the store, and the request must outlive a crash of either side.
 */
export interface CancelRequest {
  /** When it was asked for (ISO-8601 UTC). */
  at: string;
  /** Who asked: a principal's label (`alice (operator via password)`) or the OS user of `idflow runs cancel`. */
  by: string;
  /** Why, when given. */
  reason?: string;
}

type CancelListener = (request: CancelRequest) => void;

/**
 * Runs executing in this process that listen for a cancel, by run folder: a request made in
 * the same process (serve's console) reaches them at once, so that a run waiting (a retry's
 * back-off, a rate-limit pause) stops without waiting for its next step boundary.
 */
const listeners = new RunListeners<CancelListener>();

/** The path of a run's cancel request. */
export function cancelRequestPath(runDir: string): string {
  return join(runDir, RUN_FILES.cancel);
}

/**
 * Records a cancel request in the run's folder (atomically: a reader sees all of it or none) and
 * tells the listeners of this process. A second request replaces the first (the latest asker is
 * who cancelled).
 */
export function writeCancelRequest(runDir: string, request: CancelRequest, durability: Durability = 'write'): void {
  writeFileAtomic(cancelRequestPath(runDir), `${JSON.stringify(request, null, 2)}\n`, durability);
  for (const listener of listeners.of(runDir)) listener(request);
}

/**
 * The run's pending cancel request, or undefined. A file that cannot be read as a request (cut
 * short by hand, say) still asks for the cancel: the wish is clear, only who asked is lost.
 */
export function readCancelRequest(runDir: string): CancelRequest | undefined {
  let text: string;
  try {
    text = readFileSync(cancelRequestPath(runDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<CancelRequest>;
    if (typeof value.at === 'string' && typeof value.by === 'string') {
      return { at: value.at, by: value.by, ...(typeof value.reason === 'string' && value.reason !== '' ? { reason: value.reason } : {}) };
    }
  } catch {
    // see above: an unreadable request is still a request
  }
  return { at: new Date().toISOString(), by: 'unknown (cancel.json unreadable)' };
}

/**
 * Whether a cancel request is pending: one `stat`, cheap enough for every step boundary (the
 * file is read only when it exists).
 */
export function hasCancelRequest(path: string): boolean {
  return existsSync(path);
}

/** Removes the run's cancel request (a resume: the run goes on). */
export function clearCancelRequest(runDir: string): void {
  rmSync(cancelRequestPath(runDir), { force: true });
}

/**
 * Calls `listener` when a cancel of the run in `runDir` is requested in this process.
 * @returns a function that stops listening.
 */
export function onCancelRequest(runDir: string, listener: CancelListener): () => void {
  return listeners.add(runDir, listener);
}
