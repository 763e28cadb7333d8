import type { Command } from 'commander';
import { runCommand } from '../command-runner.js';
import { collect, CONFIG_OPTION_HELP, PLUGIN_OPTION_HELP } from './options.js';
import { WORKFLOWS_OPTION_HELP } from './workflows.js';

/** Options of `idflow serve`. */
export interface ServeCommandOptions {
  workflows?: string;
  config?: string;
  port?: string;
  host?: string;
  plugin: string[];
  store?: string;
  sandbox?: boolean | string;
  sandboxReset?: boolean;
}

/** Registers `idflow serve` and its `hash-password` subcommand. */
export function register(program: Command): void {
  const serve = program
    .command('serve')
    .summary('run workflows from signed webhooks, schedules, directory events and due timers')
    .description(
      'Serve a folder of templates until SIGTERM or Ctrl-C: POST /events/{name} starts the workflows whose event trigger matches ' +
        '(HMAC-signed per source over the timestamp, event name, event id and body; each event id accepted once), schedule triggers fire on their cron slots, event sources such as ' +
        'JumpCloud Directory Insights are polled, and due durable timers fire. The API under /api/ (GET /api/workflows, /api/runs, /api/runs/{id}, ' +
        '/api/events/{source}/{id}; API tokens per role, serve.api_tokens) and GET /healthz monitor it. Connections are capped (serve.max_connections, lowered to fit the open-file limit; beyond, 503 with Retry-After) and serve.tls serves HTTPS. ' +
        'Every template is checked first: serve does not start while one has a problem. ' +
        'Runs are ordinary runs in the store ("idflow runs" lists them); on SIGTERM the runs in flight stop at a step boundary, and at its ' +
        'next start serve resumes the runs it started that a shutdown or a crash interrupted (serve.recover: report only lists them).',
    )
    .option('--workflows <dir>', WORKFLOWS_OPTION_HELP)
    .option('--config <file>', CONFIG_OPTION_HELP)
    .option('--port <n>', 'the TCP port (default: serve.port in the config, else 8787; 0 picks a free one)')
    .option('--host <address>', 'the address to listen on (default: serve.host in the config, else 127.0.0.1); beyond loopback, set serve.tls (serve warns when it listens there in plain HTTP)')
    .option('--plugin <path>', PLUGIN_OPTION_HELP, collect, [])
    .option('--store <dir>', 'the run store (default: IDFLOW_HOME, else store: in the config, else ./.idflow)')
    .option('--sandbox [file]', 'run against the built-in sandboxes (the JumpCloud emulator) instead of real services')
    .option('--sandbox-reset', 'forget what earlier --sandbox runs changed')
    .addHelpText('after', [
      '',
      'Exit codes:',
      '  0  stopped by SIGTERM or Ctrl-C (runs in flight were drained and are resumable)',
      '  1  it could not start (the port is taken, another serve uses the store)',
      '  2  a template in the folder, the config file (serve:, event_sources:) or a plugin is invalid: every problem is printed',
      '',
      'Examples:',
      '  idflow serve --workflows templates --port 8787',
      '  idflow serve --config examples/serve/idflow.config.yaml --workflows examples/serve --sandbox',
      '  idflow serve hash-password          (a console user\'s password hash, for serve.console.users)',
    ].join('\n'))
    .action(async (options: ServeCommandOptions) => {
      await runCommand(async (io) => (await import('./serve-handler.js')).serveCommand(options, io));
    });
  serve
    .command('hash-password')
    .summary('print the hash of a console user\'s password, for serve.console.users in the config')
    .description(
      'Read a password and print only its scrypt hash, to put in the config as serve.console.users[].password_hash. ' +
        'At a terminal the password is asked twice and not shown; piped, it is read from stdin (one trailing line ending dropped). ' +
        'It is never taken from the command line, where other users and the shell history would see it. At least 12 characters.',
    )
    .addHelpText('after', [
      '',
      'Examples:',
      '  idflow serve hash-password',
      '  printf %s "$NEW_PASSWORD" | idflow serve hash-password',
    ].join('\n'))
    .action(async () => {
      await runCommand(async (io) => (await import('./hash-password-handler.js')).hashPasswordCommand(io));
    });
}
