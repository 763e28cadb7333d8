import { Option, type Command } from 'commander';
import { collect, CONFIG_OPTION_HELP, PLUGIN_OPTION_HELP } from './options.js';

/** Options `run`, `plan` and `resume` share. */
export interface ExecutionOptions {
  input: string[];
  config?: string;
  plugin: string[];
  store?: string;
  json?: boolean;
  quiet?: boolean;
  sandbox?: boolean | string;
  sandboxReset?: boolean;
}

/** Options `run` and `plan` share. */
export interface WorkflowOptions extends ExecutionOptions {
  inputs?: string;
  inputsFile?: string;
  initiatedBy?: string;
  reason?: string;
}

/** Adds the options every command that executes workflows takes. */
export function addExecutionOptions(command: Command, inputHelp = 'an input, as name=value (repeatable); values are read as the declared type (true/false, numbers, JSON or comma lists)'): Command {
  return command
    .option('-i, --input <name=value>', inputHelp, collect, [])
    .option('--config <file>', CONFIG_OPTION_HELP)
    .option('--plugin <path>', PLUGIN_OPTION_HELP, collect, [])
    .option('--store <dir>', 'the run store (default: IDFLOW_HOME, else store: in the config, else ./.idflow)')
    .option('--sandbox [file]', 'use the built-in sandboxes (the JumpCloud emulator) instead of real services; FILE is the organisation to load (default examples/sandbox/org.json)')
    .option('--sandbox-reset', 'forget what earlier --sandbox runs changed and start from the organisation file')
    .option('-q, --quiet', 'show only warnings and errors while running')
    .option('--json', 'print only the result as JSON on stdout (progress and logs go to stderr)');
}

/** Adds the options of `run` and `plan`. */
export function addWorkflowOptions(command: Command): Command {
  return addExecutionOptions(command)
    .option('--inputs <file>', 'inputs from a .json or .yaml file (one object); --input values win')
    .addOption(new Option('--inputs-file <file>', 'bulk: one run per row of a .csv (header = input names) or .jsonl file'))
    .option('--initiated-by <who>', 'who the run is recorded as started by (default: run.initiated_by in the config, else the OS user)')
    .option('--reason <text>', 'why, for the audit trail (default: the "reason" input, when the workflow declares one)');
}

/**
 * Parses `--input name=value` pairs.
 * @returns the pairs, or the problem with the first malformed or repeated one.
 */
export function parseInputPairs(pairs: readonly string[]): { values: Record<string, string> } | { error: string } {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) return { error: `--input ${JSON.stringify(pair)} must look like name=value` };
    const name = pair.slice(0, at).trim();
    if (Object.hasOwn(values, name)) return { error: `--input ${name} is given twice` };
    values[name] = pair.slice(at + 1);
  }
  return { values };
}
