import type { Command } from 'commander';
import type { CommandEnvironment } from '../environment.js';
import { ExitCode, coloursFor, runCommand, type CommandIo } from '../command-runner.js';
import { collect, CONFIG_OPTION_HELP, PLUGIN_OPTION_HELP } from './options.js';

/** The options of `idflow actions`. */
export interface ActionsOptions {
  /** Show this action instead of listing all. */
  id?: string;
  json?: boolean;
  /** Print the action reference as markdown (every action, or the one given) instead. */
  markdown?: boolean;
  /** With `markdown`: write it to this file (relative to the working directory) instead of stdout. */
  out?: string;
  /** `--plugin PATH`, repeatable. */
  plugin?: string[];
  config?: string;
}

/**
 * Registers `idflow actions [ID] [--json | --markdown [--out FILE]] [--plugin PATH]... [--config FILE]`:
 * lists every registered action (built-in and loaded) with its description and source, or shows
 * one: its parameters, output, examples and a step ready to paste into a template. `--markdown`
 * writes the same as a reference page (the shipped docs/actions.md is its output for the
 * built-in actions).
 */
export function register(program: Command): void {
  program
    .command('actions')
    .summary('list the actions templates can use, or show one')
    .description(
      'List every registered action (built-in, from the config\'s plugins: and from --plugin) with its description and where it comes from. ' +
        'With an ID, show that action: its parameters (name, type, required, default, description), its output, its examples and a step ready to paste into a template. ' +
        'With --markdown, write the same for every action (or the one given) as a markdown reference page: the shipped docs/actions.md is this for the built-in actions.',
    )
    .argument('[id]', 'an action id to show in full, e.g. log or jumpcloud.user.suspend')
    .option('--json', 'print JSON: {actions: [{id, description, source, pack}], problems} or, with an ID, {action, problems}')
    .option('--markdown', 'print the action reference as markdown: every action (or the one given) in full')
    .option('--out <file>', 'with --markdown: write the reference to this file instead of stdout')
    .option('--plugin <path>', PLUGIN_OPTION_HELP, collect, [])
    .option('--config <file>', CONFIG_OPTION_HELP)
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  listed',
      '  2  unknown action id, an invalid config file or a plugin that does not load (the others are still listed;',
      '     with --markdown nothing is written: the reference would lack that plugin\'s actions)',
      '',
      'Examples:',
      '  idflow actions',
      '  idflow actions log',
      '  idflow actions example.psa.ticket_note --plugin examples/plugins/psa-ticket-note.mjs',
      '  idflow actions --markdown --plugin plugins/ticket-note.mjs --out docs/actions.md',
    ].join('\n'))
    .action(async (id: string | undefined, options: Omit<ActionsOptions, 'id'>) => {
      await runCommand((io) => actionsCommand({ ...options, ...(id === undefined ? {} : { id }) }, io));
    });
}

/**
 * Runs `idflow actions`. Problems loading the config or a plugin are reported on stderr (and
 * under `problems` with `--json`) after the listing, and make the exit code 2; the actions that
 * did load are still listed. With `markdown`, such problems write nothing: a reference page
 * silently missing a plugin's actions would mislead whoever reads it.
 *
 * @returns the exit code.
 * @throws UsageError (exit 2) for an unknown action id, with the closest ids, and for options
 *   that do not go together (`--out` without `--markdown`, `--markdown` with `--json`).
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
  if (options.out !== undefined && !options.markdown) throw new UsageError('--out writes the markdown reference: use it with --markdown.');
  if (options.markdown && options.json) throw new UsageError('--markdown and --json print the actions in two different forms: give one of them.');
  const environment = await createEnvironment({ cwd: io.cwd, describeOnly: true, ...(options.config === undefined ? {} : { configFile: options.config }), plugins: options.plugin ?? [] });
  const { registry, problems } = environment;

  const reportProblems = (): number => {
    if (problems.length === 0) return ExitCode.ok;
    if (!options.json) io.stderr.write(`${formatProblems(problems, new SourceLines(), coloursFor(io, 'stderr'))}\n`);
    return problems.some((problem) => problem.severity === 'error') ? ExitCode.invalid : ExitCode.ok;
  };

  if (options.markdown) return writeReference(options, environment, io);

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

/**
 * `idflow actions --markdown`: the reference of every action, or of the one given, on stdout or
 * in `--out`. Problems loading the config or a plugin are reported and nothing is written.
 */
async function writeReference(options: ActionsOptions, environment: CommandEnvironment, io: CommandIo): Promise<number> {
  const [{ actionReferenceText }, { formatProblems, SourceLines }, { UsageError }, { didYouMean }, { writeFileAtomic }, { dirname, resolve }, { mkdirSync }] = await Promise.all([
    import('../../plugins/format-action-reference.js'),
    import('../format/problem-report.js'),
    import('../../errors/usage-errors.js'),
    import('../../diagnostics/suggest.js'),
    import('../../store/atomic-write.js'),
    import('node:path'),
    import('node:fs'),
  ]);
  const { registry, problems } = environment;
  if (problems.length > 0) io.stderr.write(`${formatProblems(problems, new SourceLines(), coloursFor(io, 'stderr'))}\n`);
  if (problems.some((problem) => problem.severity === 'error')) {
    io.stderr.write('idflow: no reference written: fix the problems above first.\n');
    return ExitCode.invalid;
  }
  let actions = registry.list();
  if (options.id !== undefined) {
    const action = registry.get(options.id);
    if (action === undefined) {
      const hint = didYouMean(options.id, registry.ids());
      throw new UsageError(`Unknown action "${options.id}".${hint === undefined ? '' : ` ${hint}`} Run idflow actions to list them all.`);
    }
    actions = [action];
  }
  const text = actionReferenceText(registry, environment.cwd, actions);
  if (options.out === undefined) {
    io.stdout.write(text);
    return ExitCode.ok;
  }
  const file = resolve(io.cwd, options.out);
  // A reference usually goes into a docs/ folder the project may not have yet.
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, text);
  io.stderr.write(`Wrote the reference of ${actions.length} action${actions.length === 1 ? '' : 's'} to ${options.out}\n`);
  return ExitCode.ok;
}
