import type { Command } from 'commander';
import { ExitCode, runCommand, type CommandIo } from '../command-runner.js';
import { CONFIG_OPTION_HELP } from './options.js';
import { STORE_OPTION_HELP, type StoreOptions } from './runs.js';

/** Options of `idflow audit verify` and `idflow audit show`. */
export interface AuditOptions extends StoreOptions {
  json?: boolean;
}

/** Registers `idflow audit verify RUN_ID` and `idflow audit show RUN_ID [--json]`. */
export function register(program: Command): void {
  const audit = program
    .command('audit')
    .summary('check or show a run\'s audit trail')
    .description(
      'Every run keeps an append-only audit trail: who initiated it, why, and for every change its target, before, after, result and time. ' +
        'Each entry carries the hash of the one before, and the last hash is kept apart, so any edit, deletion, insertion or reordering is detectable.',
    );

  audit
    .command('verify')
    .summary('check that a run\'s audit trail is intact')
    .description('Check the hash chain of a run\'s audit trail from its first entry to the recorded head, and the run\'s pinned template and inputs against the hashes its start entry recorded; list every edited, deleted, inserted or reordered entry, and every changed pinned file, with its line.')
    .argument('<run-id>', 'the run id, or a unique prefix of it')
    .option('--json', 'print {runId, ok, entries, problems: [{line, seq, kind, severity, message}]} instead of text')
    .option('--store <dir>', STORE_OPTION_HELP)
    .option('--config <file>', CONFIG_OPTION_HELP)
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  the trail is intact (a torn last line from an interrupted write is only a warning)',
      '  1  the trail is broken, or a pinned file changed: each problem is listed',
      '  2  no such run, or an invalid config file',
    ].join('\n'))
    .action(async (runId: string, _options: AuditOptions, command: Command) => {
      await runCommand((io) => auditVerifyCommand(runId, command.optsWithGlobals<AuditOptions>(), io));
    });

  audit
    .command('show')
    .summary('print a run\'s audit trail')
    .description('Print every entry of a run\'s audit trail: seq, time, result, operation and target, before → after, step and action, note.')
    .argument('<run-id>', 'the run id, or a unique prefix of it')
    .option('--json', 'print the entries as a JSON array, as written')
    .option('--store <dir>', STORE_OPTION_HELP)
    .option('--config <file>', CONFIG_OPTION_HELP)
    .action(async (runId: string, _options: AuditOptions, command: Command) => {
      await runCommand((io) => auditShowCommand(runId, command.optsWithGlobals<AuditOptions>(), io));
    });
}

/**
 * Runs `idflow audit verify RUN_ID`.
 * @returns 0 when the trail is intact, 1 when it is broken.
 */
export async function auditVerifyCommand(runId: string, options: AuditOptions, io: CommandIo): Promise<number> {
  const [{ RunStore }, { verifyAuditTrail }, { formatAuditVerification }, { storeRootFor, openRunFor }] = await Promise.all([
    import('../../store/run-store.js'),
    import('../../audit/verify-audit-trail.js'),
    import('../../audit/audit-text.js'),
    import('./runs.js'),
  ]);
  const root = await storeRootFor(options, io);
  const handle = await openRunFor(new RunStore(root), runId, root);
  const result = verifyAuditTrail(handle.dir);
  io.stdout.write(options.json ? `${JSON.stringify({ runId: handle.id, ...result }, null, 2)}\n` : `${formatAuditVerification(handle.id, result)}\n`);
  return result.ok ? ExitCode.ok : ExitCode.failure;
}

/** Runs `idflow audit show RUN_ID`. */
export async function auditShowCommand(runId: string, options: AuditOptions, io: CommandIo): Promise<number> {
  const [{ RunStore }, { formatAuditEntries }, { storeRootFor, openRunFor }] = await Promise.all([
    import('../../store/run-store.js'),
    import('../../audit/audit-text.js'),
    import('./runs.js'),
  ]);
  const root = await storeRootFor(options, io);
  const handle = await openRunFor(new RunStore(root), runId, root);
  const entries = handle.audit.entries();
  io.stdout.write(options.json ? `${JSON.stringify(entries, null, 2)}\n` : `${formatAuditEntries(handle.id, entries)}\n`);
  return ExitCode.ok;
}
