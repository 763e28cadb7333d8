import type { Command } from 'commander';
import { runCommand } from '../command-runner.js';
import { collect, CONFIG_OPTION_HELP, PLUGIN_OPTION_HELP } from './options.js';
import type { SandboxCommandOptions } from './sandbox-handler.js';

/**
 * Registers `idflow sandbox`: starts the sandbox (local emulator) of each loaded plugin pack
 * that has one, prints where it listens and how to point idflow at it, and serves until Ctrl-C
 * or SIGTERM. The engine knows no pack by name: the JumpCloud emulator is simply the built-in
 * pack's sandbox.
 */
export function register(program: Command): void {
  program
    .command('sandbox')
    .summary('serve the built-in emulators (the JumpCloud API) on loopback until Ctrl-C')
    .description(
      'Start the sandbox of each loaded plugin pack that has one (for the built-in JumpCloud pack: a JumpCloud-compatible API on loopback, ' +
        'seeded from examples/sandbox/org.json), print its URL, API key and how to point idflow at it, and serve until Ctrl-C or SIGTERM. ' +
        'State is kept in memory, or in --state FILE across restarts. Fault options make it slow or unreliable on purpose, for testing retries.',
    )
    .option('--pack <name>', 'start only this pack\'s sandbox (needed for --port, --data, --api-key, --org-id and --state when several packs have one)')
    .option('--port <n>', 'the port to listen on (default: a free one)')
    .option('--host <host>', 'the interface to listen on (default 127.0.0.1)')
    .option('--data <file>', 'the organisation to start with (default: the pack\'s own, examples/sandbox/org.json for JumpCloud)')
    .option('--api-key <key>', 'the API key to accept (default: a random one, printed)')
    .option('--org-id <id>', 'act as a multi-tenant admin of this organisation id: the x-org-id header becomes required')
    .option('--latency <ms>', 'added delay per request, in milliseconds')
    .option('--fail-rate <p>', 'probability (0 to 1) of a random 500/502/503')
    .option('--rate-limit <n>', 'requests per second before 429 with Retry-After')
    .option('--drop-rate <p>', 'probability (0 to 1) of dropping the connection without a response')
    .option('--seed <s>', 'seed for the random faults and generated ids, for reproducible sessions')
    .option('--state <file>', 'keep the organisation in this file: continue from it when it exists, save every change to it')
    .option('--config <file>', CONFIG_OPTION_HELP)
    .option('--plugin <path>', PLUGIN_OPTION_HELP, collect, [])
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  served, then stopped by Ctrl-C or SIGTERM',
      '  1  the sandbox could not start (e.g. the port is in use)',
      '  2  invalid options, org file, config or plugin; nothing was started',
      '',
      'Examples:',
      '  idflow sandbox',
      '  idflow sandbox --port 4010 --api-key sandbox-test-key-0123 --state .idflow/sandbox.json',
      '  idflow sandbox --rate-limit 5 --fail-rate 0.2 --latency 50 --seed 7',
      '  idflow sandbox --data my-org.json --org-id 5f1b2c3d4e5f6a7b8c9d0e1f',
    ].join('\n'))
    .action(async (options: SandboxCommandOptions) => {
      await runCommand(async (io) => {
        const { sandboxCommand } = await import('./sandbox-handler.js');
        return sandboxCommand(options, io);
      });
    });
}
