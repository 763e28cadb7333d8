import type { Command } from 'commander';
import { runCommand } from '../command-runner.js';
import { collect, CONFIG_OPTION_HELP, PLUGIN_OPTION_HELP } from './options.js';

/** Options of `idflow validate`. */
export interface ValidateOptions {
  json?: boolean;
  plugin: string[];
  config?: string;
}

/** Registers `idflow validate FILE...`. */
export function register(program: Command): void {
  program
    .command('validate')
    .summary('check templates and report every problem')
    .description(
      'Check workflow templates: YAML syntax, the template language, actions and their parameters, conditions, ' +
        'templates and references between steps. Every problem of every file is printed at once, as ' +
        'file:line:column with the source line, a caret under the offending text and a hint where the fix is obvious.',
    )
    .argument('<files...>', 'template files to check (e.g. templates/*.yaml)')
    .option('--json', 'print the problems as a JSON array of {file, line, column, path, code, message, suggestion, severity} instead of text')
    .option('--plugin <path>', PLUGIN_OPTION_HELP, collect, [])
    .option('--config <file>', CONFIG_OPTION_HELP)
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  every template is valid (warnings may be printed)',
      '  1  at least one template has an error',
      '  2  usage error: a file that does not exist or cannot be read, an invalid config file or a plugin that does not load',
      '',
      'Examples:',
      '  idflow validate templates/*.yaml',
      '  idflow validate my-workflow.yaml --plugin ./plugins/psa-note.mjs',
      '  idflow validate my-workflow.yaml --json',
    ].join('\n'))
    .action(async (files: string[], options: ValidateOptions) => {
      await runCommand(async (io) => {
        const { validateFiles } = await import('./validate-handler.js');
        return validateFiles(files, options, io);
      });
    });
}
