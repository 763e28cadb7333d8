import { Command, CommanderError } from 'commander';
import { packageVersion } from '../loader/package-files.js';
import { ExitCode } from './command-runner.js';

/**
 * The `idflow` program without its commands: name, version, help texts, and usage errors that
 * exit 2. Kept free of heavy imports: every command registers its options here statically and
 * imports what it needs (yaml, ajv, the engine) only inside its handler, so `idflow --help`
 * and simple commands start fast.
 */
export function createProgram(): Command {
  const program = new Command('idflow');
  program
    .description('Declarative, YAML-driven automation for identity work: validate, plan, run, resume and audit workflows.')
    .version(packageVersion(), '-V, --version', 'print the idflow version')
    .helpOption('-h, --help', 'show help for idflow or a command')
    .helpCommand('help [command]', 'show help for a command')
    // Commander exits with 1 on usage errors by default; ours exit 2 (see runProgram).
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`idflow: ${text}`) })
    .showHelpAfterError('(run "idflow --help" or "idflow <command> --help" for usage)')
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  done (all templates valid, run succeeded)',
      '  1  something failed (a template has problems, a run failed)',
      '  2  invalid input (template, inputs, config file, plugin or command line); nothing was done',
      '',
      'Run "idflow <command> --help" for the options of a command.',
    ].join('\n'));
  return program;
}

/**
 * Parses the command line and runs the command. Usage errors (unknown option or command,
 * missing argument) exit 2; `--help` and `--version` exit 0. Never calls `process.exit()`.
 */
export async function runProgram(program: Command, argv: readonly string[]): Promise<void> {
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return;
    }
    await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.invalid;
  }
}

/**
 * The commands to register for a command line: only the one named first (`idflow validate …`,
 * `idflow runs show …`), or all of them when the first argument is not a command name (no
 * arguments, `--help`, `--version`, `help COMMAND`, an unknown or misspelt command), so that
 * help lists them all and an unknown command gets its suggestions.
 *
 * Registering one command instead of twelve saves building every other command's options
 * and help (about 15 ms of each start); what the command does and prints is the same, since a
 * command's options and help are its own.
 *
 * @param argv - `process.argv` (the command is `argv[2]`).
 * @param names - every command's name.
 */
export function commandsToRegister(argv: readonly string[], names: readonly string[]): string[] {
  const first = argv[2];
  return first !== undefined && names.includes(first) ? [first] : [...names];
}
