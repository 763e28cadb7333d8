import type { Command } from 'commander';
import { runCommand } from '../command-runner.js';
import { addWorkflowOptions } from './run-options.js';
import type { RunOptions } from './run-handler.js';

/** Registers `idflow plan WORKFLOW`. */
export function register(program: Command): void {
  const command = program
    .command('plan')
    .summary('show exactly what a run would change, changing nothing')
    .description(
      'Plan a workflow run: evaluate its conditions, render its parameters and ask each action what it would change (read-only ' +
        'calls only; no action is run). Steps whose action has no preview are listed as "would run, no preview". ' +
        'The same as "idflow run --dry-run".',
    )
    .argument('<workflow>', 'the template file');
  addWorkflowOptions(command)
    .addHelpText('after', [
      '',
      'Exit codes: 0 the plan is complete, 1 a step could not be planned (e.g. the user does not exist): the plan ends there, as the run would, with the on_failure steps planned; 2 invalid template, inputs, config or usage.',
      '',
      'Examples:',
      '  idflow plan templates/jumpcloud-offboarding.yaml --sandbox --input user_identifier=john.smith@company.com',
      '  idflow plan templates/jumpcloud-offboarding.yaml --input user_identifier=jdoe --json',
    ].join('\n'))
    .action(async (workflow: string, options: RunOptions) => {
      await runCommand(async (io) => {
        const { runWorkflowCommand } = await import('./run-handler.js');
        return runWorkflowCommand(workflow, options, 'plan', io);
      });
    });
}
