import { ExitCode, type CommandIo } from '../command-runner.js';
import { startServe, type RunningServe } from '../../serve/serve-host.js';
import { runtimeFor } from './execution.js';
import { DEFAULT_WORKFLOWS_DIR } from './workflows-handler.js';
import type { ServeCommandOptions } from './serve.js';

/**
 * `idflow serve`: starts serving and waits for SIGTERM or SIGINT. The first signal shuts down
 * gracefully (no new work, runs drained to a step boundary, exit 0); a second one cancels the
 * steps still in flight at once (the runs stay resumable either way).
 */
export async function serveCommand(options: ServeCommandOptions, io: CommandIo): Promise<number> {
  const runtime = await runtimeFor(options, io);
  let serving: RunningServe;
  try {
    serving = await startServe({
      runtime,
      workflowsDir: options.workflows ?? DEFAULT_WORKFLOWS_DIR,
      cwd: io.cwd,
      env: io.env,
      flags: { ...(options.port === undefined ? {} : { port: options.port }), ...(options.host === undefined ? {} : { host: options.host }) },
      log: io.stderr as NodeJS.WritableStream,
    });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const running = serving;
  await new Promise<void>((resolve) => {
    let received: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received !== undefined) {
        io.stderr.write(`idflow serve: ${signal} again: cancelling the steps in flight now\n`);
        running.stopNow();
        return;
      }
      received = signal;
      io.stderr.write(`idflow serve: ${signal}: shutting down (send it again to cancel the steps in flight at once)\n`);
      void running.shutdown().then(() => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await runtime.close();
  return ExitCode.ok;
}
