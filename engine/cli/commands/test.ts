import type { Command } from 'commander';
import { runCommand } from '../command-runner.js';
import { collect, CONFIG_OPTION_HELP, PLUGIN_OPTION_HELP } from './options.js';

/** Options of `idflow test`. */
export interface TestOptions {
  json?: boolean;
  plugin: string[];
  config?: string;
  concurrency?: string;
  filter?: string;
}

/** Registers `idflow test [PATH...]`. */
export function register(program: Command): void {
  program
    .command('test')
    .summary('run template tests (*.test.yaml) against the sandbox')
    .description(
      'Run template tests: each case of each *.test.yaml runs its template on a fresh organisation of the built-in sandbox ' +
        '(the JumpCloud emulator, in this process) with a temporary store, and checks what must hold: the run\'s status, its returned data, ' +
        'its changes, the emails and webhooks sent, the sandbox\'s end state, and that a second run changes nothing. ' +
        'Sandbox only: the config\'s connections and secrets are never used, so no real organisation or mail server is reached.',
    )
    .argument('[paths...]', 'test files, or folders to search for *.test.yaml (default: the working directory)')
    .option('--json', 'print the results as JSON ({ passed, failed, cases: [{ file, name, passed, status, differences }], problems }) instead of text')
    .option('--concurrency <n>', 'how many cases run at once (default 4)')
    .option('--filter <text>', 'run only the cases whose name contains this text')
    .option('--plugin <path>', PLUGIN_OPTION_HELP, collect, [])
    .option('--config <file>', `${CONFIG_OPTION_HELP} (only its plugins: are used)`)
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  every case passed',
      '  1  a case failed (each difference is printed: where, expected and actual)',
      '  2  a test file or its template has problems (printed with file:line:column), a path does not exist, or the config or a plugin is broken',
      '',
      'Examples:',
      '  idflow test templates/',
      '  idflow test templates/jumpcloud-offboarding.test.yaml --filter delete',
      '  idflow test --json',
    ].join('\n'))
    .action(async (paths: string[], options: TestOptions) => {
      await runCommand(async (io) => {
        const { testCommand } = await import('./test-handler.js');
        return testCommand(paths, options, io);
      });
    });
}
