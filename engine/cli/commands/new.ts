import type { Command } from 'commander';
import { runCommand, type CommandIo } from '../command-runner.js';

/** The options of `idflow new plugin`. */
export interface NewPluginOptions {
  name: string;
  /** The folder to write into (default `plugins`, relative to the working directory). */
  dir?: string;
  typescript?: boolean;
}

/**
 * Registers `idflow new plugin NAME [--dir DIR] [--typescript]`: writes a working plugin and
 * its test (never overwriting a file), and prints how to test and use it.
 */
export function register(program: Command): void {
  const create = program.command('new').summary('create a new plugin').description('Create files to start from: `idflow new plugin NAME`.');
  create
    .command('plugin')
    .summary('write a plugin and its test')
    .description(
      'Write a working plugin (a custom action) and its test into a folder, never overwriting a file. ' +
        'The test uses node:test and createMockActionContext from idflow, so it runs with plain `node --test` and passes as generated.',
    )
    .argument('<name>', 'the plugin name, e.g. ticket-note (the action is custom.ticket-note), or a namespaced action id, e.g. acme.ticket.note')
    .option('--dir <dir>', 'the folder to write into, created if missing', 'plugins')
    .option('--typescript', 'write TypeScript (.ts, typed with defineAction; idflow loads it without a build)')
    .addHelpText('after', [
      '',
      'Examples:',
      '  idflow new plugin ticket-note',
      '  idflow new plugin acme.ticket.close --typescript --dir src/actions',
    ].join('\n'))
    .action(async (name: string, options: Omit<NewPluginOptions, 'name'>) => {
      await runCommand((io) => newPluginCommand({ ...options, name }, io));
    });
}

/**
 * Runs `idflow new plugin`.
 * @returns the exit code.
 * @throws UsageError (exit 2) for an unusable name or when a file already exists.
 */
export async function newPluginCommand(options: NewPluginOptions, io: CommandIo): Promise<number> {
  const { scaffoldPlugin } = await import('../../plugins/scaffold-plugin.js');
  const { relative } = await import('node:path');
  const result = await scaffoldPlugin({ name: options.name, dir: options.dir ?? 'plugins', typescript: options.typescript === true, cwd: io.cwd });
  const shown = (path: string): string => relative(io.cwd, path) || path;
  const lines = [
    `Created ${shown(result.plugin)} (action ${result.id})`,
    `Created ${shown(result.test)}`,
    '',
    'Next steps:',
    ...result.nextSteps.map((step) => (step === '' || step.startsWith('    ') ? step : `  - ${step}`)),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
