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
 * its test (never overwriting a file), and prints how to test and use it; and
 * `idflow new template NAME [--from TEMPLATE] [--dir DIR]`: a template and its test, or a copy.
 */
export function register(program: Command): void {
  const create = program.command('new').summary('create a new plugin or template').description('Create files to start from: `idflow new plugin NAME`, `idflow new template NAME [--from TEMPLATE]`.');
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
  create
    .command('template')
    .summary('write a template and its test (or copy a shipped one)')
    .description(
      'Write NAME.yaml, a small working template, and NAME.test.yaml, its test, never overwriting a file; or, with --from, copy a ' +
        'template (a shipped one by name, or a file) and its test file, renamed. Either way "idflow test NAME.test.yaml" passes as written.',
    )
    .argument('<name>', 'the template name (its file name and id), e.g. contractor-offboarding')
    .option('--from <template>', 'a template to copy with its test: a shipped one by name (e.g. jumpcloud-offboarding) or a .yaml file')
    .option('--dir <dir>', 'the folder to write into, created if missing', 'templates')
    .addHelpText('after', [
      '',
      'Examples:',
      '  idflow new template add-to-groups',
      '  idflow new template contractor-offboarding --from jumpcloud-offboarding',
    ].join('\n'))
    .action(async (name: string, options: { from?: string; dir?: string }) => {
      await runCommand((io) => newTemplateCommand({ ...options, name }, io));
    });
}

/**
 * Runs `idflow new template`.
 * @returns the exit code.
 * @throws UsageError (exit 2) for an unusable name, a template to copy that is not there, or a file that exists.
 */
export async function newTemplateCommand(options: { name: string; from?: string; dir?: string }, io: CommandIo): Promise<number> {
  const { scaffoldTemplate } = await import('../../scaffold/scaffold-template.js');
  const { relative } = await import('node:path');
  const result = await scaffoldTemplate({ name: options.name, dir: options.dir ?? 'templates', cwd: io.cwd, ...(options.from === undefined ? {} : { from: options.from }) });
  const shown = (path: string): string => relative(io.cwd, path) || path;
  io.stdout.write(`${[
    `Created ${shown(result.template)}${result.from === undefined ? '' : ` (a copy of ${shown(result.from)})`}`,
    `Created ${shown(result.test)}`,
    '',
    'Next steps:',
    `  - run its tests (against the built-in sandbox): idflow test ${shown(result.test)}`,
    `  - try it: idflow run ${shown(result.template)} --sandbox --input user_identifier=...`,
    '  - change the template, then add a case to its test for each thing it must keep doing',
  ].join('\n')}\n`);
  return 0;
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
