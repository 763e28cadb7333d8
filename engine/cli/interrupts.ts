import { CancelledError } from '../errors/action-errors.js';

/** What stopped a run, for its exit code. */
export interface Interruption {
  signal: AbortSignal;
  /** The POSIX signal that stopped it, if one did. */
  received(): NodeJS.Signals | undefined;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a clean stop: the first one aborts the signal with a
 * `CancelledError`, so the run stops at its next safe point and stays resumable; a second
 * Ctrl-C forces the process out at once (the journal is written through, so even that run
 * can be resumed).
 */
export function handleInterrupts(onFirst: (signal: NodeJS.Signals) => void): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      process.stderr.write(`\nidflow: ${signal} again: stopping now\n`);
      process.exit(exitCodeFor(signal));
    }
    received = signal;
    onFirst(signal);
    controller.abort(new CancelledError(`Interrupted by ${signal}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => received,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** The conventional exit code of a process stopped by a signal: 128 + its number. */
export function exitCodeFor(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1;
}
