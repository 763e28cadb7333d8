import { isAbsolute, join, resolve } from 'node:path';
import { ExitCode, type CommandIo } from '../command-runner.js';
import { createEnvironment } from '../environment.js';
import { weakSecretReason } from '../../config/secret-strength.js';
import { didYouMean } from '../../diagnostics/suggest.js';
import { IdflowError } from '../../errors/idflow-error.js';
import { UsageError, ValidationError } from '../../errors/usage-errors.js';
import { packageRoot } from '../../loader/package-files.js';
import type { PluginPack, SandboxInstance, SandboxOptions } from '../../plugin-api/pack.js';

/** The options of `idflow sandbox`, as commander hands them over (numbers still text). */
export interface SandboxCommandOptions {
  pack?: string;
  port?: string;
  host?: string;
  data?: string;
  apiKey?: string;
  orgId?: string;
  latency?: string;
  failRate?: string;
  rateLimit?: string;
  dropRate?: string;
  seed?: string;
  state?: string;
  config?: string;
  plugin?: string[];
}

/** The options that only make sense for one sandbox at a time. */
const SINGLE_SANDBOX_OPTIONS = [['port', '--port'], ['data', '--data'], ['apiKey', '--api-key'], ['orgId', '--org-id'], ['state', '--state']] as const;

/**
 * `idflow sandbox`: starts the sandbox of each loaded pack that has one (or only `--pack NAME`'s),
 * prints each one's description and how to point idflow at it on stdout, and serves until
 * `stop` aborts, or, without `stop`, until SIGINT or SIGTERM. Then every sandbox is closed
 * and the exit code is 0.
 *
 * @param stop - ends the serving (tests); by default Ctrl-C and SIGTERM do.
 * @throws UsageError (exit 2) for malformed option values or an unknown pack;
 *   ValidationError (exit 2) for config, plugin or org file problems;
 *   IdflowError `SANDBOX_START` (exit 1) when a sandbox cannot start (e.g. its port is in use).
 */
export async function sandboxCommand(options: SandboxCommandOptions, io: CommandIo, stop?: AbortSignal): Promise<number> {
  const common = commonOptions(options);
  const environment = await createEnvironment({ cwd: io.cwd, ...(options.config === undefined ? {} : { configFile: options.config }), plugins: options.plugin ?? [] });
  const errors = environment.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new ValidationError(errors.some((p) => p.code.startsWith('PLUGIN')) ? 'INVALID_PLUGIN' : 'INVALID_CONFIG', 'The config file or a plugin has problems; no sandbox was started', environment.problems);
  }
  const packs = choosePacks(environment.registry.listPacks().map(({ pack }) => pack), options);

  // Listen for the stop request before anything starts, so a signal during start-up still ends cleanly.
  const signals = stop === undefined ? processSignals() : undefined;
  const stopping = stop ?? signals!.signal;
  const started: Array<{ pack: PluginPack; instance: SandboxInstance }> = [];
  try {
    for (const pack of packs) {
      const sandbox = pack.sandbox!;
      const dataFile = options.data !== undefined
        ? resolve(io.cwd, options.data)
        : sandbox.defaultDataFile === undefined ? undefined : isAbsolute(sandbox.defaultDataFile) ? sandbox.defaultDataFile : join(packageRoot(), sandbox.defaultDataFile);
      const sandboxOptions: SandboxOptions = {
        ...common,
        ...(dataFile === undefined ? {} : { dataFile }),
        ...(options.state === undefined ? {} : { stateFile: resolve(io.cwd, options.state) }),
      };
      let instance: SandboxInstance;
      try {
        instance = await sandbox.start(sandboxOptions);
      } catch (error) {
        if (error instanceof IdflowError) throw error;
        throw new IdflowError('SANDBOX_START', `The sandbox of pack "${pack.name}" could not start: ${startFailure(error, common)}`, { cause: error });
      }
      started.push({ pack, instance });
      const lines = [...instance.describe(), ...(instance.usage?.() ?? [])];
      io.stdout.write(`${started.length > 1 ? '\n' : ''}${lines.join('\n')}\n`);
    }
    if (!stopping.aborted) {
      io.stdout.write(`\nServing until Ctrl-C (or SIGTERM).\n`);
      await new Promise<void>((resolveStop) => stopping.addEventListener('abort', () => resolveStop(), { once: true }));
    }
    const reason: unknown = stopping.reason;
    io.stderr.write(`idflow sandbox: ${typeof reason === 'string' ? reason : 'stop requested'}: stopping\n`);
  } finally {
    signals?.dispose();
    await Promise.all(started.map(({ instance }) => instance.close()));
  }
  return ExitCode.ok;
}

/** The packs whose sandboxes to start: `--pack NAME`, else every pack that has one. */
function choosePacks(packs: PluginPack[], options: SandboxCommandOptions): PluginPack[] {
  const withSandbox = packs.filter((pack) => pack.sandbox !== undefined);
  if (options.pack !== undefined) {
    const chosen = packs.find((pack) => pack.name === options.pack);
    if (chosen === undefined) {
      const hint = didYouMean(options.pack, packs.map((p) => p.name));
      throw new UsageError(`--pack ${options.pack}: no plugin pack of that name is loaded (loaded: ${packs.map((p) => p.name).join(', ') || 'none'})${hint ? `. ${hint}` : ''}`);
    }
    if (chosen.sandbox === undefined) {
      throw new UsageError(`--pack ${options.pack}: the pack has no sandbox${withSandbox.length > 0 ? ` (packs with one: ${withSandbox.map((p) => p.name).join(', ')})` : ''}`);
    }
    return [chosen];
  }
  if (withSandbox.length === 0) throw new UsageError('No loaded plugin pack provides a sandbox');
  if (withSandbox.length > 1) {
    const single = SINGLE_SANDBOX_OPTIONS.filter(([key]) => options[key] !== undefined).map(([, flag]) => flag);
    if (single.length > 0) {
      throw new UsageError(`${single.join(', ')} apply to one sandbox, and ${withSandbox.length} packs have one (${withSandbox.map((p) => p.name).join(', ')}): choose one with --pack NAME`);
    }
  }
  return withSandbox;
}

/** The option values every sandbox takes, checked and converted. */
function commonOptions(options: SandboxCommandOptions): SandboxOptions {
  const port = options.port === undefined ? undefined : integerOption('--port', options.port, 0, 65_535);
  const latencyMs = options.latency === undefined ? undefined : integerOption('--latency', options.latency, 0, 600_000);
  const failRate = options.failRate === undefined ? undefined : probabilityOption('--fail-rate', options.failRate);
  const dropRate = options.dropRate === undefined ? undefined : probabilityOption('--drop-rate', options.dropRate);
  const rateLimit = options.rateLimit === undefined ? undefined : numberOption('--rate-limit', options.rateLimit, 0, Number.MAX_SAFE_INTEGER, 'a number of requests per second ≥ 0 (0: no limit)');
  if (options.apiKey !== undefined && options.apiKey.trim() === '') throw new UsageError('--api-key must not be empty');
  // idflow refuses a shorter secret as JUMPCLOUD_API_KEY, so a sandbox accepting one could never be used.
  const weak = options.apiKey === undefined ? undefined : weakSecretReason(options.apiKey);
  if (weak !== undefined) throw new UsageError(`--api-key ${weak}`);
  if (options.orgId !== undefined && !/^[0-9a-f]{24}$/.test(options.orgId)) {
    throw new UsageError(`--org-id must be an organisation id of 24 lowercase hexadecimal characters, got ${JSON.stringify(options.orgId)}`);
  }
  const seed = options.seed === undefined ? undefined : /^-?\d+$/.test(options.seed) ? Number(options.seed) : options.seed;
  return {
    ...(port === undefined ? {} : { port }),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(options.orgId === undefined ? {} : { orgId: options.orgId }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(failRate === undefined ? {} : { failRate }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    ...(dropRate === undefined ? {} : { dropRate }),
    ...(seed === undefined ? {} : { seed }),
  };
}

function numberOption(flag: string, text: string, min: number, max: number, expected: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`${flag} must be ${expected}, got ${JSON.stringify(text)}`);
  return value;
}

function integerOption(flag: string, text: string, min: number, max: number): number {
  const value = numberOption(flag, text, min, max, `a whole number from ${min} to ${max}`);
  if (!Number.isInteger(value)) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

function probabilityOption(flag: string, text: string): number {
  return numberOption(flag, text, 0, 1, 'a probability from 0 to 1 (e.g. 0.2)');
}

/** Why a sandbox did not start, in words (the common causes named). */
function startFailure(error: unknown, options: SandboxOptions): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`;
  if (code === 'EADDRINUSE') return `${where} is already in use (choose another --port, or 0 for a free one)`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return `cannot listen on ${where}: no such local address (--host)`;
  if (code === 'EACCES') return `not allowed to listen on ${where} (ports below 1024 need privileges)`;
  return error instanceof Error ? error.message : String(error);
}

/** An abort signal that fires on the first SIGINT or SIGTERM (its reason names the signal), and a way to stop listening. */
function processSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (signal: NodeJS.Signals): void => controller.abort(signal);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
