import { userInfo } from 'node:os';
import { ExitCode, type CommandIo } from '../command-runner.js';
import { AmbiguousError, NotFoundError } from '../../errors/action-errors.js';
import { UsageError } from '../../errors/usage-errors.js';
import { formatLocalTime, formatTable, oneLine } from '../../store/text-layout.js';
import { terminalSafe } from '../../logging/terminal-text.js';
import { TimerStore } from '../../timers/timer-store.js';
import { isSandboxTimer, type TimerRecord } from '../../timers/timer-record.js';
import { storeRootFor } from './runs.js';
import type { TimersCancelOptions, TimersListOptions } from './timers.js';

/** `idflow timers list`: pending timers, soonest first (every timer with `--all`). */
export async function timersListCommand(options: TimersListOptions, io: CommandIo): Promise<number> {
  const root = await storeRootFor(options, io);
  const timers = new TimerStore(root).list({
    ...(options.all ? {} : { states: ['pending'] }),
    onUnreadable: (file, error) => io.stderr.write(`idflow: warning: ${terminalSafe(file)} is left out: ${terminalSafe(error.message)}\n`),
  });
  if (options.json) io.stdout.write(`${JSON.stringify(timers, null, 2)}\n`);
  else if (timers.length === 0) io.stdout.write(options.all ? `No timers (store: ${root}).\n` : `No pending timers (store: ${root}; --all shows ended ones).\n`);
  else io.stdout.write(`${formatTimersTable(timers)}\n`);
  return ExitCode.ok;
}

/**
 * `idflow timers cancel ID`: cancels a pending timer, recording who and why.
 * @throws UsageError (exit 2) for an unknown or ambiguous id; ConflictError (exit 1) when the timer is no longer pending.
 */
export async function timersCancelCommand(timerId: string, options: TimersCancelOptions, io: CommandIo): Promise<number> {
  const root = await storeRootFor(options, io);
  const by = options.by?.trim() || currentUser(io);
  const reason = `cancelled by ${by}${options.reason === undefined || options.reason.trim() === '' ? '' : `: ${options.reason.trim()}`}`;
  let cancelled: TimerRecord;
  try {
    cancelled = new TimerStore(root).cancel(timerId, reason);
  } catch (error) {
    if (error instanceof NotFoundError) throw new UsageError(`No timer with id "${timerId}" in the store ${root}; "idflow timers list --all" lists them`);
    if (error instanceof AmbiguousError) throw new UsageError(error.message);
    throw error;
  }
  if (options.json) io.stdout.write(`${JSON.stringify(cancelled, null, 2)}\n`);
  else io.stdout.write(`Cancelled timer ${cancelled.id}: ${terminalSafe(cancelled.description)} (was due ${formatLocalTime(cancelled.dueAt)})\n`);
  return ExitCode.ok;
}

/** The timers table: id, state, due (local time), action, description (`[sandbox]` first for a sandbox run's timer), run. */
export function formatTimersTable(timers: readonly TimerRecord[]): string {
  return formatTable(
    ['ID', 'STATE', 'DUE', 'ACTION', 'DESCRIPTION', 'RUN'],
    timers.map((t) => [t.id, t.state === 'pending' && t.runId !== undefined ? 'firing' : t.state, formatLocalTime(t.dueAt), t.action, oneLine(`${isSandboxTimer(t) ? '[sandbox] ' : ''}${t.description}`, 60), t.runId ?? '-']),
  );
}

function currentUser(io: CommandIo): string {
  try {
    return userInfo().username;
  } catch {
    return io.env['USER'] ?? 'unknown';
  }
}
