/**
 * Listeners of this process keyed by run folder: who wants to hear when something happens to a
 * run (its journal grew, a cancel was requested). One map per kind of notice; a run's entry is
 * removed with its last listener, so a long-lived serve keeps none for runs nobody follows.
 */
export class RunListeners<Listener> {
  private readonly byRun = new Map<string, Set<Listener>>();

  /** Adds `listener` for the run in `runDir`; returns a function that removes it. */
  add(runDir: string, listener: Listener): () => void {
    let set = this.byRun.get(runDir);
    if (set === undefined) {
      set = new Set();
      this.byRun.set(runDir, set);
    }
    set.add(listener);
    return () => {
      const current = this.byRun.get(runDir);
      if (current === undefined) return;
      current.delete(listener);
      if (current.size === 0) this.byRun.delete(runDir);
    };
  }

  /** The run's listeners now (a copy: a listener may remove itself while being called). */
  of(runDir: string): Listener[] {
    const set = this.byRun.get(runDir);
    return set === undefined ? [] : [...set];
  }

  /** How many runs have listeners. */
  get size(): number {
    return this.byRun.size;
  }
}
