/**
 * In-process notices of journal appends, by run folder: a follower of a run executing in this
 * process (serve's progress stream) reads the new lines as soon as they are written instead of
 * polling the file. A run executing elsewhere is followed by polling (see RunFollower).
 */
type JournalListener = () => void;

const listeners = new Map<string, Set<JournalListener>>();

/**
 * Tells this process's listeners of a run that its journal grew. Called by every append: with
 * nobody listening (the CLI, most of serve's runs) it costs one lookup of an empty map.
 */
export function notifyJournalAppend(runDir: string): void {
  if (listeners.size === 0) return;
  const set = listeners.get(runDir);
  if (set === undefined) return;
  for (const listener of [...set]) listener();
}

/**
 * Calls `listener` after each journal append of the run in `runDir` made in this process.
 * @returns a function that stops listening.
 */
export function onJournalAppend(runDir: string, listener: JournalListener): () => void {
  let set = listeners.get(runDir);
  if (set === undefined) {
    set = new Set();
    listeners.set(runDir, set);
  }
  set.add(listener);
  return () => {
    const current = listeners.get(runDir);
    if (current === undefined) return;
    current.delete(listener);
    if (current.size === 0) listeners.delete(runDir);
  };
}

/** How many runs have listeners (for tests that check followers let go). */
export function journalListenerCount(): number {
  return listeners.size;
}
