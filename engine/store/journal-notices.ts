/**
 * In-process notices of journal appends, by run folder: a follower of a run executing in this
 * process (serve's progress stream) reads the new lines as soon as they are written instead of
 * polling the file. A run executing elsewhere is followed by polling (see RunFollower).
 */
import { RunListeners } from './run-listeners.js';

type JournalListener = () => void;

const listeners = new RunListeners<JournalListener>();

/**
 * Tells this process's listeners of a run that its journal grew. Called by every append: with
 * nobody listening (the CLI, most of serve's runs) it costs one lookup of an empty map.
 */
export function notifyJournalAppend(runDir: string): void {
  if (listeners.size === 0) return;
  for (const listener of listeners.of(runDir)) listener();
}

/**
 * Calls `listener` after each journal append of the run in `runDir` made in this process.
 * @returns a function that stops listening.
 */
export function onJournalAppend(runDir: string, listener: JournalListener): () => void {
  return listeners.add(runDir, listener);
}

/** How many runs have listeners (for tests that check followers let go). */
export function journalListenerCount(): number {
  return listeners.size;
}
