import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { CommandIo } from '../command-runner.js';
import { handleInterrupts } from '../interrupts.js';
import { resumeRun } from '../../runner/resume-run.js';
import { UsageError } from '../../errors/usage-errors.js';
import { consoleFor, runtimeFor } from './execution.js';
import { terminalSafe } from '../../logging/terminal-text.js';
import { reportOutcome } from './run-handler.js';
import { parseInputPairs, type ExecutionOptions } from './run-options.js';
import { openRunFor } from './runs.js';
import { coerceString } from '../../inputs/index.js';
import type { Workflow } from '../../language/types.js';

/**
 * The secret inputs given again on resume. Only secret inputs may be given: every other input
 * keeps the value the run was started with.
 */
export function secretInputsFrom(workflow: Workflow, pairs: Readonly<Record<string, string>>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(pairs)) {
    const declaration = workflow.inputs[name];
    if (declaration === undefined) throw new UsageError(`--input ${name}: ${workflow.id} has no input "${name}"`);
    if (!declaration.secret) throw new UsageError(`--input ${name}: only secret inputs are given again on resume; "${name}" keeps the value the run started with`);
    const coerced = coerceString(text, declaration);
    if (!coerced.ok) throw new UsageError(`--input ${name} ${coerced.message}`);
    values[name] = coerced.value;
  }
  return values;
}

/**
 * `idflow resume RUN_ID`: continues a failed, interrupted or killed run with its pinned
 * template. A run started with `--sandbox` resumes against the sandbox (with the state it
 * left); `--input` gives secret inputs again.
 */
export async function resumeCommand(runId: string, options: ExecutionOptions, io: CommandIo): Promise<number> {
  const pairs = parseInputPairs(options.input);
  if ('error' in pairs) throw new UsageError(pairs.error);
  // Find the run first (it says whether it used the sandbox), then build the runtime to match.
  const probe = await runtimeFor({ ...options, sandbox: false }, io);
  const store = probe.services.store;
  await probe.close();
  const handle = await openRunFor(store, runId, store.root);
  const meta = handle.meta();
  if (options.sandbox !== undefined && options.sandbox !== false && !meta.sandbox) {
    throw new UsageError(`Run ${handle.id} ran against real services; it cannot be resumed against the sandbox`);
  }
  // A sandbox run resumes against the same organisation file (and so the same sandbox state).
  const sandbox = meta.sandbox ? (options.sandbox ?? meta.sandboxData ?? true) : false;
  const runtime = await runtimeFor({ ...options, sandbox, ...(options.store === undefined ? { store: store.root } : {}) }, io);
  try {
    const pinned = handle.templateText();
    const loaded = await runtime.loadPinnedWorkflow(pinned, meta.templatePath);
    let current: string | undefined;
    try {
      current = readFileSync(meta.templatePath, 'utf8');
    } catch {
      current = undefined;
    }
    const templateChanged = current === undefined || createHash('sha256').update(current).digest('hex') !== meta.templateHash;
    if (templateChanged) {
      io.stderr.write(`idflow: warning: ${terminalSafe(meta.templatePath)} ${current === undefined ? 'no longer exists' : 'changed since this run started'}; resuming with the template pinned in the run record\n`);
    }
    const given = secretInputsFrom(loaded.workflow, pairs.values);
    const interrupts = handleInterrupts((signal) => io.stderr.write(`\nidflow: ${signal}: stopping after the current step (press Ctrl-C again to stop at once)\n`));
    try {
      const outcome = await resumeRun({ handle, workflow: loaded.workflow, templateChanged, secretInputs: given, signal: interrupts.signal, console: consoleFor(options, io) }, runtime.services);
      return reportOutcome(outcome, options, io, interrupts.received(), runtime.services.redactor);
    } finally {
      interrupts.dispose();
    }
  } finally {
    await runtime.close();
  }
}
