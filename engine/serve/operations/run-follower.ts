import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { RunStore } from '../../store/run-store.js';
import { RUN_FILES } from '../../store/run-files.js';
import { onJournalAppend } from '../../store/journal-notices.js';
import { join } from 'node:path';
import type { RunProgressEvent } from './serve-operations.js';

/** How often the journal file is read for new lines (a run executing in another process, and the run's end). */
export interface FollowTiming {
  /** Default 250 ms. */
  pollMs?: number;
}

/**
 * Follows a run's journal from `afterSeq` (the number of lines already seen; the first line is
 * seq 1): `listener` gets each line as it is written, in order, then `{type: 'end'}` once the
 * run's record says it is no longer running. New lines are read as soon as this process appends
 * them (see onJournalAppend), and by polling the file otherwise, so a run executing in another
 * process (another `idflow run` on the store) is followed too. A torn last line (a write in
 * progress) is read when it is whole; a line that is not JSON is passed on as
 * `{type: 'unreadable'}` so that the numbering stays that of the file.
 *
 * @returns a function that stops following (idempotent); following also stops after the end,
 *   and when `listener` throws (the client went away).
 * @throws RunNotFoundError, AmbiguousError: before anything is sent.
 */
export function followRun(store: RunStore, runId: string, listener: (event: RunProgressEvent) => void, afterSeq = 0, timing: FollowTiming = {}): () => void {
  const handle = store.openRun(runId);
  handle.close();
  const journal = join(handle.dir, RUN_FILES.journal);
  let offset = 0;
  let seq = 0;
  let partial = '';
  let stopped = false;
  let scheduled = false;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(poll);
    unsubscribe();
  };
  const emit = (event: RunProgressEvent): void => {
    try {
      listener(event);
    } catch {
      stop();
    }
  };
  const readNew = (): void => {
    if (stopped) return;
    let fd: number;
    try {
      fd = openSync(journal, 'r');
    } catch {
      return; // not written yet
    }
    try {
      const size = fstatSync(fd).size;
      while (offset < size && !stopped) {
        const buffer = Buffer.alloc(Math.min(size - offset, 1 << 20));
        const read = readSync(fd, buffer, 0, buffer.length, offset);
        if (read <= 0) break;
        offset += read;
        const lines = (partial + buffer.subarray(0, read).toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (line.trim() === '') continue;
          seq++;
          if (seq <= afterSeq) continue;
          let event: Record<string, unknown>;
          try {
            event = JSON.parse(line) as Record<string, unknown>;
          } catch {
            event = { type: 'unreadable', line: seq };
          }
          emit({ type: 'journal', seq, event });
          if (stopped) return;
        }
      }
    } finally {
      closeSync(fd);
    }
  };
  const check = (): void => {
    scheduled = false;
    if (stopped) return;
    readNew();
    if (stopped) return;
    let status;
    try {
      status = store.openRun(handle.id).meta().status;
    } catch {
      return; // the record is being replaced: the next check reads it
    }
    if (status === 'running') return;
    readNew(); // lines written just before the record's end
    if (stopped) return;
    emit({ type: 'end', status });
    stop();
  };
  const unsubscribe = onJournalAppend(handle.dir, () => {
    // The appender writes the record's end right after its last line: read after it is done.
    if (!scheduled) {
      scheduled = true;
      setImmediate(check);
    }
  });
  const poll = setInterval(check, timing.pollMs ?? 250);
  poll.unref();
  // What is there already, and the end of a run that is over.
  queueMicrotask(check);
  return stop;
}
