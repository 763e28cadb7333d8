import type { Command } from 'commander';
import { ExitCode, coloursFor, runCommand, type CommandIo } from '../command-runner.js';
import { collect, CONFIG_OPTION_HELP, PLUGIN_OPTION_HELP } from './options.js';

/** The options of `idflow schema`. */
export interface SchemaOptions {
  /** Write the schema to this file (relative to the working directory) instead of stdout. */
  out?: string;
  /** `--plugin PATH`, repeatable. */
  plugin?: string[];
  config?: string;
}

/**
 * Registers `idflow schema [--out FILE] [--plugin PATH]... [--config FILE]`: writes the JSON
 * Schema of the template language with every loaded action, for editors.
 */
export function register(program: Command): void {
  program
    .command('schema')
    .summary('write the JSON Schema of templates, with every loaded action, for editors')
    .description(
      'Write the JSON Schema of the template language including every loaded action (built-in, from the config\'s plugins: and from --plugin): ' +
        'a step\'s action is completed from the action ids with their descriptions, and its with: is checked against that action\'s parameters ' +
        '(types, allowed values, defaults, descriptions). Point an editor at it with a first line "# yaml-language-server: $schema=PATH" in a template. ' +
        'The schema shipped in schemas/workflow.schema.json is this command\'s output for the built-in actions.',
    )
    .option('--out <file>', 'write the schema to this file instead of stdout')
    .option('--plugin <path>', PLUGIN_OPTION_HELP, collect, [])
    .option('--config <file>', CONFIG_OPTION_HELP)
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  written',
      '  2  an invalid config file or a plugin that does not load (nothing is written: the schema would lack its actions)',
      '',
      'Examples:',
      '  idflow schema --out idflow.schema.json',
      '  idflow schema --plugin plugins/psa-ticket-note.mjs --out .vscode/idflow.schema.json',
    ].join('\n'))
    .action(async (options: SchemaOptions) => {
      await runCommand((io) => schemaCommand(options, io));
    });
}

/**
 * Runs `idflow schema`. Problems loading the config or a plugin are reported on stderr and
 * nothing is written, so that an editor is never pointed at a schema silently missing the
 * actions of a plugin that failed.
 *
 * @returns the exit code.
 */
export async function schemaCommand(options: SchemaOptions, io: CommandIo): Promise<number> {
  const [{ createEnvironment }, { formatProblems, SourceLines }, { editorSchemaText }, { writeFileAtomic }, { resolve }] = await Promise.all([
    import('../environment.js'),
    import('../format/problem-report.js'),
    import('../../schema/editor-schema-text.js'),
    import('../../store/atomic-write.js'),
    import('node:path'),
  ]);
  const environment = await createEnvironment({ cwd: io.cwd, describeOnly: true, ...(options.config === undefined ? {} : { configFile: options.config }), plugins: options.plugin ?? [] });
  const { registry, problems } = environment;
  if (problems.length > 0) io.stderr.write(`${formatProblems(problems, new SourceLines(), coloursFor(io, 'stderr'))}\n`);
  if (problems.some((problem) => problem.severity === 'error')) {
    io.stderr.write('idflow: no schema written: fix the problems above first.\n');
    return ExitCode.invalid;
  }
  const text = editorSchemaText(registry.list().map((action) => action.definition));
  if (options.out === undefined) {
    io.stdout.write(text);
    return ExitCode.ok;
  }
  const file = resolve(io.cwd, options.out);
  writeFileAtomic(file, text);
  io.stderr.write(`Wrote the schema with ${registry.list().length} actions to ${options.out}\n`);
  return ExitCode.ok;
}
