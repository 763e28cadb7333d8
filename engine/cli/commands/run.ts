import type { Command } from 'commander';
import { runCommand } from '../command-runner.js';
import { addWorkflowOptions } from './run-options.js';
import type { RunOptions } from './run-handler.js';

/** Registers `idflow run WORKFLOW`. */
export function register(program: Command): void {
  const command = program
    .command('run')
    .summary('run a workflow (or plan it with --dry-run)')
    .description(
      'Run a workflow template: its inputs are checked first (nothing runs if they are wrong), then its steps run in order with ' +
        'retries, a live progress view on stderr, a run record in the store (resumable with "idflow resume") and an audit trail. ' +
        'The returned data is printed on stdout. With --inputs-file, one run per row.',
    )
    .argument('<workflow>', 'the template file');
  addWorkflowOptions(command)
    .option('--dry-run', 'plan instead of running: the same as "idflow plan"')
    .option('--concurrency <n>', 'bulk: how many runs at once (default 4)')
    .option('-y, --yes', 'bulk: confirm more subjects than the blast radius (run.blast_radius, default 10) without asking')
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0    the run succeeded (or was skipped by its "when")',
      '  1    the run failed (every failed step is in "idflow runs show RUN_ID"; resume it with "idflow resume RUN_ID")',
      '  2    invalid template, inputs, config or usage: nothing was run',
      '  130  stopped by Ctrl-C (143: SIGTERM): resumable',
      '',
      'Examples:',
      '  idflow run templates/jumpcloud-offboarding.yaml --sandbox --input user_identifier=john.smith@company.com',
      '  idflow run templates/jumpcloud-offboarding.yaml --input user_identifier=jdoe --input removal_mode=delete --json',
      '  idflow run templates/jumpcloud-offboarding.yaml --inputs-file leavers.csv --concurrency 8 --yes',
    ].join('\n'))
    .action(async (workflow: string, options: RunOptions) => {
      await runCommand(async (io) => {
        const { runWorkflowCommand } = await import('./run-handler.js');
        return runWorkflowCommand(workflow, options, 'run', io);
      });
    });
}
