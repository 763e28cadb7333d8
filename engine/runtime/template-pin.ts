import type { StartRunRequest } from '../runner/start-run.js';
import type { LoadedWorkflow } from './runtime.js';

/**
 * The template of a loaded workflow as a run pins it (its path, exact text and hash): every way
 * of starting a run (command line, bulk file, serve, timers, child runs) pins it the same way,
 * so that `resume` finds exactly the text the run started from.
 */
export function templatePin(loaded: Pick<LoadedWorkflow, 'file' | 'source' | 'hash'>): StartRunRequest['template'] {
  return { path: loaded.file, text: loaded.source, hash: loaded.hash };
}
