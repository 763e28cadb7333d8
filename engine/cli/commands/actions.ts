import type { Command } from 'commander';
import { ExitCode, coloursFor, runCommand, type CommandIo } from '../command-runner.js';
import { collect, CONFIG_OPTION_HELP, PLUGIN_OPTION_HELP } from './options.js';

/** The options of `idflow actions`. */
export interface ActionsOptions {
  /** Show this action instead of listing all. */
  id?: string;
  json?: boolean;
  /** `--plugin PATH`, repeatable. */
  plugin?: string[];
  config?: string;
}

/**
 * Registers `idflow actions [ID] [--json] [--plugin PATH]... [--config FILE]`: lists every
 * registered action (built-in and loaded) with its description and source, or shows one: its
 * parameters, output, examples and a step ready to paste into a template.
 */
export function register(program: Command): void {
  program
    .command('actions')
    .summary('list the actions templates can use, or show one')
    .description(
      'List every registered action (built-in, from the config\'s plugins: and from --plugin) with its description and where it comes from. ' +
        'With an ID, show that action: its parameters (name, type, required, default, description), its output, its examples and a step ready to paste into a template.',
    )
    .argument('[id]', 'an action id to show in full, e.g. log or jumpcloud.user.suspend')
    .option('--json', 'print JSON: {actions: [{id, description, source, pack}], problems} or, with an ID, {action, problems}')
    .option('--plugin <path>', PLUGIN_OPTION_HELP, collect, [])
    .option('--config <file>', CONFIG_OPTION_HELP)
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  listed',
      '  2  unknown action id, an invalid config file or a plugin that does not load (the others are still listed)',
      '',
      'Examples:',
      '  idflow actions',
      '  idflow actions log',
      '  idflow actions example.psa.ticket_note --plugin examples/plugins/psa-ticket-note.mjs',
    ].join('\n'))
    .action(async (id: string | undefined, options: Omit<ActionsOptions, 'id'>) => {
      await runCommand((io) => actionsCommand({ ...options, ...(id === undefined ? {} : { id }) }, io));
    });
}

/**
 * Runs `idflow actions`. Problems loading the config or a plugin are reported on stderr (and
 * under `problems` with `--json`) after the listing, and make the exit code 2; the actions that
 * did load are still listed.
 *
 * @returns the exit code.
 * @throws UsageError (exit 2) for an unknown action id, with the closest ids.
 */
export async function actionsCommand(options: ActionsOptions, io: CommandIo): Promise<number> {
  const [{ createEnvironment }, { describeAction, summarizeActions }, { formatActionDoc, formatActionList }, { problemToJson }, { formatProblems, SourceLines }, { UsageError }, { didYouMean }] = await Promise.all([
    import('../environment.js'),
    import('../../plugins/describe-action.js'),
    import('../../plugins/format-action-doc.js'),
    import('../format/problem-json.js'),
    import('../format/problem-report.js'),
    import('../../errors/usage-errors.js'),
    import('../../diagnostics/suggest.js'),
  ]);
  const environment = await createEnvironment({ cwd: io.cwd, ...(options.config === undefined ? {} : { configFile: options.config }), plugins: options.plugin ?? [] });
  const { registry, problems } = environment;

  const reportProblems = (): number => {
    if (problems.length === 0) return ExitCode.ok;
    if (!options.json) io.stderr.write(`${formatProblems(problems, new SourceLines(), coloursFor(io, 'stderr'))}\n`);
    return problems.some((problem) => problem.severity === 'error') ? ExitCode.invalid : ExitCode.ok;
  };

  if (options.id !== undefined) {
    const action = registry.get(options.id);
    if (action === undefined) {
      reportProblems();
      const hint = didYouMean(options.id, registry.ids());
      const failed = problems.length > 0 ? ' (some plugins could not be loaded; see above)' : '';
      throw new UsageError(`Unknown action "${options.id}"${failed}.${hint === undefined ? '' : ` ${hint}`} Run idflow actions to list them all.`);
    }
    const doc = describeAction(action, environment.cwd);
    io.stdout.write(options.json ? `${JSON.stringify({ action: doc, problems: problems.map(problemToJson) }, null, 2)}\n` : formatActionDoc(doc));
    return reportProblems();
  }

  const summaries = summarizeActions(registry.list(), environment.cwd);
  io.stdout.write(options.json ? `${JSON.stringify({ actions: summaries, problems: problems.map(problemToJson) }, null, 2)}\n` : formatActionList(summaries));
  return reportProblems();
}
