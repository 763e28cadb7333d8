import type { Command } from 'commander';
import { runCommand } from '../command-runner.js';
import { CONFIG_OPTION_HELP } from './options.js';
import { STORE_OPTION_HELP, type StoreOptions } from './runs.js';

/** Options of `idflow timers list`. */
export interface TimersListOptions extends StoreOptions {
  all?: boolean;
  json?: boolean;
}

/** Options of `idflow timers cancel`. */
export interface TimersCancelOptions extends StoreOptions {
  by?: string;
  reason?: string;
  json?: boolean;
}

/** Registers `idflow timers list [--all] [--json]` and `idflow timers cancel ID`. */
export function register(program: Command): void {
  const timers = program
    .command('timers')
    .summary('list or cancel durable timers (e.g. deferred deletions)')
    .description(
      'Durable timers are actions a run scheduled for later, such as deleting a suspended account after its retention period. ' +
        '"idflow serve" fires them when due, as one-step runs recorded in the store. A timer is pending until it is fired, ' +
        'skipped (its action found nothing to do, e.g. the user was reactivated), failed, or cancelled.',
    );

  timers
    .command('list')
    .summary('list pending timers (--all: every timer)')
    .option('--all', 'every timer, also fired, skipped, failed and cancelled ones')
    .option('--json', 'print a JSON array of timer records instead of a table')
    .option('--store <dir>', STORE_OPTION_HELP)
    .option('--config <file>', CONFIG_OPTION_HELP)
    .addHelpText('after', ['', 'Exit codes:', '  0  listed', '  2  an invalid config file', '', 'Examples:', '  idflow timers list', '  idflow timers list --all --json'].join('\n'))
    .action(async (options: TimersListOptions) => {
      await runCommand(async (io) => (await import('./timers-handler.js')).timersListCommand(options, io));
    });

  timers
    .command('cancel')
    .summary('cancel a pending timer')
    .argument('<timer-id>', 'the timer id, or a unique prefix of it')
    .option('--by <who>', 'who cancelled it, for the record (default: the OS user)')
    .option('--reason <text>', 'why, for the record')
    .option('--json', 'print the cancelled timer as JSON')
    .option('--store <dir>', STORE_OPTION_HELP)
    .option('--config <file>', CONFIG_OPTION_HELP)
    .addHelpText('after', ['', 'Exit codes:', '  0  cancelled', '  1  the timer is no longer pending (fired, skipped, failed, cancelled, or firing now)', '  2  no such timer, or an invalid config file', '', 'Example:', '  idflow timers cancel tm-20261122-k3x9p2ab --reason "contractor extended"'].join('\n'))
    .action(async (timerId: string, options: TimersCancelOptions) => {
      await runCommand(async (io) => (await import('./timers-handler.js')).timersCancelCommand(timerId, options, io));
    });
}
