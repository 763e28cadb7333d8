import type { Command } from 'commander';
import { ExitCode, runCommand, type CommandIo } from '../command-runner.js';
import type { RunHandle } from '../../store/run-handle.js';
import type { RunStore } from '../../store/run-store.js';
import { CONFIG_OPTION_HELP } from './options.js';
import { terminalSafe } from '../../logging/terminal-text.js';

/** Help text of `--store`, shared with `idflow audit`. */
export const STORE_OPTION_HELP = 'the run store folder (default: $IDFLOW_HOME, else the config\'s store:, else ./.idflow)';

/** Where a command finds the run store. */
export interface StoreOptions {
  /** `--store DIR`. */
  store?: string;
  /** `--config FILE`, read only for its `store:` (and only when neither `--store` nor `IDFLOW_HOME` is given). */
  config?: string;
}

/** Options of `idflow runs`. */
export interface RunsListOptions extends StoreOptions {
  workflow?: string;
  status?: string;
  limit?: string;
  json?: boolean;
}

/** Options of `idflow runs show`. */
export interface RunsShowOptions extends StoreOptions {
  json?: boolean;
}

/** Options of `idflow runs cancel`. */
export interface RunsCancelOptions extends StoreOptions {
  by?: string;
  reason?: string;
  json?: boolean;
}

// Kept in step with RUN_STATUSES (journal-events.ts), which this file does not import so that
// "idflow runs --help" loads no store code.
const STATUSES = ['running', 'succeeded', 'failed', 'interrupted', 'cancelled', 'skipped'] as const;

/**
 * Registers `idflow runs [--workflow ID] [--status S] [--limit N] [--json]` and
 * `idflow runs show RUN_ID [--json]`.
 */
export function register(program: Command): void {
  const runs = program
    .command('runs')
    .summary('list runs, or show one run step by step')
    .description(
      'List the runs in the store, newest first: id, workflow, subject, status, start time and duration. ' +
        'A run whose process is gone (killed, crashed) shows as interrupted and can be resumed; a run someone cancelled shows as cancelled and can be resumed too. ' +
        '"idflow runs show RUN_ID" shows one run: who started it and why, and every step with its status, attempts, timings, changes, output or error.',
    )
    .option('--workflow <id>', 'only runs of this workflow id')
    .option('--status <status>', `only runs with this status: ${STATUSES.join(', ')}`)
    .option('--limit <n>', 'at most this many runs (the newest)')
    .option('--json', 'print a JSON array of run records instead of a table')
    .option('--store <dir>', STORE_OPTION_HELP)
    .option('--config <file>', CONFIG_OPTION_HELP)
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  listed',
      '  2  a bad option value, or an invalid config file',
      '',
      'Examples:',
      '  idflow runs',
      '  idflow runs --status failed --limit 10',
      '  idflow runs show 20261122-2305-k3x9p2',
      '  idflow runs show 20261122-2305 --json      (any unique prefix of a run id)',
      '  idflow runs cancel 20261122-2305-k3x9p2 --reason "wrong user"',
    ].join('\n'))
    .action(async (options: RunsListOptions) => {
      await runCommand((io) => runsListCommand(options, io));
    });

  runs
    .command('show')
    .summary('show one run: its record and every step')
    .description(
      'Show a run: workflow, subject, who started it and why, when, and every step in order with its status, attempts, ' +
        'start and finish times, changed or unchanged, summary, output (shortened; --json for all) or error; foreach items; ' +
        'skipped steps with their reason; on_failure steps; child runs; and the returned data.',
    )
    .argument('<run-id>', 'the run id, or a unique prefix of it')
    .option('--json', 'print the run as JSON: {meta, sessions, subjects, steps, onFailure, interruptions, finished, output}')
    .option('--store <dir>', STORE_OPTION_HELP)
    .option('--config <file>', CONFIG_OPTION_HELP)
    .action(async (runId: string, _options: RunsShowOptions, command: Command) => {
      // Options given before "show" belong to "runs"; merge them in.
      await runCommand((io) => runsShowCommand(runId, command.optsWithGlobals<RunsShowOptions>(), io));
    });

  runs
    .command('cancel')
    .summary('ask a running run to stop at its next step boundary')
    .description(
      'Ask a running run to stop, wherever it runs (this machine\'s idflow serve, another idflow run on the same store): ' +
        'the step in flight finishes (a call is never cut in the middle), then the run ends as cancelled, before its next step ' +
        'or foreach item; its on_failure steps do not run. The journal and audit trail record who cancelled it. ' +
        'A cancelled run can be resumed with "idflow resume RUN_ID": it continues from the step it stopped before. ' +
        'The command returns at once; "idflow runs show RUN_ID" shows when the run stopped.',
    )
    .argument('<run-id>', 'the run id, or a unique prefix of it')
    .option('--by <name>', 'who cancels it, for the audit trail (default: the OS user)')
    .option('--reason <text>', 'why, for the audit trail')
    .option('--json', 'print {runId, workflowId, status: "cancelling"} as JSON')
    .option('--store <dir>', STORE_OPTION_HELP)
    .option('--config <file>', CONFIG_OPTION_HELP)
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  the request is recorded; the run stops at its next step boundary',
      '  1  the run is not running (finished, cancelled, or interrupted: resume it instead)',
      '  2  no run (or several) match the id, or a bad option',
    ].join('\n'))
    .action(async (runId: string, _options: RunsCancelOptions, command: Command) => {
      await runCommand((io) => runsCancelCommand(runId, command.optsWithGlobals<RunsCancelOptions>(), io));
    });
}

/**
 * Runs `idflow runs cancel RUN_ID`: records a cancel request for a running run (see
 * requestRunCancel) and returns at once.
 * @throws UsageError (exit 2) for an unknown or ambiguous id; ConflictError `RUN_NOT_RUNNING` (exit 1).
 */
export async function runsCancelCommand(runId: string, options: RunsCancelOptions, io: CommandIo): Promise<number> {
  const [{ RunStore }, { requestRunCancel }, { userInfo }] = await Promise.all([
    import('../../store/run-store.js'),
    import('../../runner/cancel-run.js'),
    import('node:os'),
  ]);
  const root = await storeRootFor(options, io);
  const store = new RunStore(root);
  const handle = await openRunFor(store, runId, root);
  handle.close();
  let by = options.by?.trim();
  if (by === undefined || by === '') {
    try {
      by = userInfo().username;
    } catch {
      by = io.env['USER'] ?? 'unknown';
    }
  }
  const requested = requestRunCancel(store, handle.id, { by, ...(options.reason === undefined ? {} : { reason: options.reason }) });
  if (options.json) io.stdout.write(`${JSON.stringify(requested)}\n`);
  else io.stdout.write(`Asked run ${requested.runId} (${terminalSafe(requested.workflowId)}) to stop: it ends as cancelled at its next step boundary; "idflow runs show ${requested.runId}" shows when.\n`);
  return ExitCode.ok;
}

/**
 * Runs `idflow runs`: prints the table (or JSON array) of runs on stdout.
 * @throws UsageError (exit 2) for an unknown status or a bad limit.
 */
export async function runsListCommand(options: RunsListOptions, io: CommandIo): Promise<number> {
  const [{ RunStore }, { formatRunsTable }, { UsageError }, { didYouMean }] = await Promise.all([
    import('../../store/run-store.js'),
    import('../../store/run-list-text.js'),
    import('../../errors/usage-errors.js'),
    import('../../diagnostics/suggest.js'),
  ]);
  const status = options.status;
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
    const hint = didYouMean(status, STATUSES);
    throw new UsageError(`Unknown status "${status}" for --status; use one of ${STATUSES.join(', ')}.${hint === undefined ? '' : ` ${hint}`}`);
  }
  let limit: number | undefined;
  if (options.limit !== undefined) {
    limit = Number(options.limit);
    if (!/^\d+$/.test(options.limit.trim()) || !Number.isSafeInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number (got "${options.limit}")`);
  }
  const root = await storeRootFor(options, io);
  const store = new RunStore(root);
  const runs = store.listRuns({
    ...(options.workflow === undefined ? {} : { workflow: options.workflow }),
    ...(status === undefined ? {} : { status: status as (typeof STATUSES)[number] }),
    ...(limit === undefined ? {} : { limit }),
    onUnreadable: (id, error) => io.stderr.write(`idflow: warning: run ${terminalSafe(id)} is left out: ${terminalSafe(error.message)}\n`),
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
  } else if (runs.length === 0) {
    const filtered = options.workflow !== undefined || status !== undefined;
    io.stdout.write(filtered ? `No runs match (store: ${root}).\n` : `No runs yet (store: ${root}).\n`);
  } else {
    io.stdout.write(`${formatRunsTable(runs)}\n`);
  }
  return ExitCode.ok;
}

/**
 * Runs `idflow runs show RUN_ID`: prints the run's report on stdout.
 * @throws UsageError (exit 2) when no run, or more than one, matches the id.
 */
export async function runsShowCommand(runId: string, options: RunsShowOptions, io: CommandIo): Promise<number> {
  const [{ RunStore }, { buildRunReport }, { formatRunReport }] = await Promise.all([
    import('../../store/run-store.js'),
    import('../../store/run-report.js'),
    import('../../store/run-report-text.js'),
  ]);
  const root = await storeRootFor(options, io);
  const handle = await openRunFor(new RunStore(root), runId, root);
  const report = buildRunReport(handle.meta(), handle.events(), handle.output());
  const changed = recordChange(handle);
  if (changed !== undefined) report.recordChanged = changed;
  io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRunReport(report)}\n`);
  return ExitCode.ok;
}

/** Why the run's pinned template or inputs cannot be trusted, if they cannot (see RunHandle.pinnedRecord). */
function recordChange(handle: RunHandle): string | undefined {
  try {
    handle.pinnedRecord();
    return undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'RUN_RECORD_CHANGED') return (error as Error).message;
    // A pinned file that cannot be read at all is not this report's business: the report is
    // built from the journal, and resume says what is wrong.
    return undefined;
  }
}

/**
 * The store folder for a command: `--store`, else `IDFLOW_HOME`, else the config's `store:`
 * (the config is read only in that case), else `./.idflow`.
 *
 * @throws ValidationError (exit 2) when the config file has errors, since the store it names cannot be trusted.
 */
export async function storeRootFor(options: StoreOptions, io: CommandIo): Promise<string> {
  const [{ resolve }, { resolveStoreRoot }] = await Promise.all([import('node:path'), import('../../store/store-root.js')]);
  if (options.store !== undefined) return resolve(io.cwd, options.store);
  const env = { ...io.env };
  if ((env['IDFLOW_HOME'] ?? '').trim() !== '') return resolveStoreRoot({ cwd: io.cwd, env });
  const [{ loadConfig }, { ValidationError }] = await Promise.all([import('../../config/index.js'), import('../../errors/usage-errors.js')]);
  const loaded = await loadConfig({ cwd: io.cwd, ...(options.config === undefined ? {} : { file: options.config }) });
  if (loaded.problems.some((problem) => problem.severity === 'error')) {
    throw new ValidationError('INVALID_CONFIG', `The config file ${loaded.file ?? ''} has problems, so the store it names is unknown; fix it, or name the store with --store`, loaded.problems);
  }
  return resolveStoreRoot({ cwd: io.cwd, env, configStore: loaded.config.store });
}

/**
 * Opens a run by id or unique prefix, turning "no such run" and "several runs match" into
 * usage errors (exit 2) that name the store searched.
 */
export async function openRunFor(store: RunStore, runId: string, root: string): Promise<RunHandle> {
  const [{ UsageError, RunNotFoundError }, { AmbiguousError }] = await Promise.all([import('../../errors/usage-errors.js'), import('../../errors/action-errors.js')]);
  try {
    return store.openRun(runId);
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new UsageError(`No run with id "${runId}" in the store ${root}; "idflow runs" lists them`);
    if (error instanceof AmbiguousError) throw new UsageError(error.message);
    throw error;
  }
}
