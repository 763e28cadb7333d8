import type { Command } from 'commander';
import { runCommand } from '../command-runner.js';
import { collect, CONFIG_OPTION_HELP, PLUGIN_OPTION_HELP } from './options.js';
import { STORE_OPTION_HELP } from './runs.js';

/** Help text of `--workflows`, shared with `idflow serve`. */
export const WORKFLOWS_OPTION_HELP = 'the folder of templates (default: templates in the working directory)';

/** Options every `idflow workflows` subcommand takes. */
export interface WorkflowsOptions {
  workflows?: string;
  config?: string;
  plugin: string[];
  store?: string;
  json?: boolean;
}

/** Options of `idflow workflows enable|disable`. */
export interface WorkflowSwitchOptions extends WorkflowsOptions {
  by?: string;
  reason?: string;
}

/** Registers `idflow workflows list|enable ID|disable ID`. */
export function register(program: Command): void {
  const workflows = program
    .command('workflows')
    .summary('list the workflows serve runs, and enable or disable them')
    .description(
      'The templates of a folder as "idflow serve" sees them: id, enabled or disabled, triggers, last run and next scheduled time. ' +
        'A disabled workflow\'s triggers do not fire in serve (a webhook answer says so); "idflow run" still runs it, with a warning. ' +
        'The enabled state is kept in the store, so it survives restarts.',
    );
  const common = (command: Command): Command => command
    .option('--workflows <dir>', WORKFLOWS_OPTION_HELP)
    .option('--config <file>', CONFIG_OPTION_HELP)
    .option('--plugin <path>', PLUGIN_OPTION_HELP, collect, [])
    .option('--store <dir>', STORE_OPTION_HELP)
    .option('--json', 'print JSON instead of text');

  common(workflows.command('list').summary('list the workflows with their state, triggers, last run and next schedule'))
    .addHelpText('after', ['', 'Exit codes:', '  0  listed', '  2  a template in the folder, the config file or a plugin is invalid (every problem is printed)', '', 'Example:', '  idflow workflows list --workflows templates'].join('\n'))
    .action(async (options: WorkflowsOptions) => {
      await runCommand(async (io) => (await import('./workflows-handler.js')).workflowsListCommand(options, io));
    });

  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    common(workflows.command(name).summary(`${name} a workflow's triggers in serve`))
      .argument('<id>', 'the workflow id (see "idflow workflows list")')
      .option('--by <who>', 'who switched it, for the record (default: run.initiated_by in the config, else the OS user)')
      .option('--reason <text>', 'why, for the record')
      .addHelpText('after', ['', 'Exit codes:', '  0  done (or it already was)', '  2  no workflow with that id in the folder, or an invalid template, config or plugin', '', 'Example:', `  idflow workflows ${name} jumpcloud-offboarding --reason "HR feed under maintenance"`].join('\n'))
      .action(async (id: string, options: WorkflowSwitchOptions) => {
        await runCommand(async (io) => (await import('./workflows-handler.js')).workflowSwitchCommand(id, enabled, options, io));
      });
  }
}
