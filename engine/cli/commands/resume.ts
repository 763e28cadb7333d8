import type { Command } from 'commander';
import { runCommand } from '../command-runner.js';
import { addExecutionOptions, type ExecutionOptions } from './run-options.js';

/** Registers `idflow resume RUN_ID`. */
export function register(program: Command): void {
  const command = program
    .command('resume')
    .summary('continue a failed, interrupted or killed run from where it stopped')
    .description(
      'Resume a run with the template pinned in its run record (even if the file changed since: a warning says so), its ' +
        'recorded inputs and variables, and the outputs of the steps it completed, which are not repeated. The step that ' +
        'failed or was interrupted runs again. A run started with --sandbox resumes against the sandbox.',
    )
    .argument('<run-id>', 'the run id, or a unique prefix of it (see "idflow runs")');
  addExecutionOptions(command, 'a secret input again (the run record does not keep secrets), as name=value; repeatable')
    .addHelpText('after', ['', 'Exit codes: as for "idflow run".', '', 'Example:', '  idflow resume 20261122-2342-xzrotr'].join('\n'))
    .action(async (runId: string, options: ExecutionOptions) => {
      await runCommand(async (io) => {
        const { resumeCommand } = await import('./resume-handler.js');
        return resumeCommand(runId, options, io);
      });
    });
}
