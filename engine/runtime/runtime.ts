import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { makePrivateDir, writeNewPrivateFile } from '../store/private-files.js';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { createEnvironment, type CommandEnvironment } from '../cli/environment.js';
import { configSecretRefs, resolveConnections, resolveSecrets, weakConfigSecrets } from '../config/index.js';
import type { Problem } from '../diagnostics/problem.js';
import { ValidationError } from '../errors/usage-errors.js';
import { resolveInputs, resolveVars, type InputOrigin, type InputsFile } from '../inputs/index.js';
import { loadWorkflowFile, loadWorkflowSource, type LoadResult } from '../loader/load-workflow.js';
import type { Workflow } from '../language/types.js';
import { Redactor } from '../logging/redactor.js';
import type { ConnectionResolver, ConnectionSettings } from '../plugin-api/context.js';
import type { SandboxAmendment, SandboxInstance, SandboxProvider } from '../plugin-api/pack.js';
import { packageRoot } from '../loader/package-files.js';
import { RunStore } from '../store/run-store.js';
import { resolveStoreRoot } from '../store/store-root.js';
import { createTemplateEngine } from '../templating/index.js';
import type { RunServices } from '../runner/run-services.js';
import { createChildRunner } from './child-runs.js';
import { createPendingTimerFinder, createTimerScheduler } from '../timers/timer-scheduler.js';
import { TimerStore } from '../timers/timer-store.js';

/** How a command wants its runtime. */
export interface RuntimeOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** `--config FILE`. */
  configFile?: string;
  /** `--plugin PATH`s. */
  plugins?: readonly string[];
  /** `--store DIR`. */
  store?: string;
  /**
   * `--sandbox [FILE]`: start the built-in sandboxes of the loaded packs (the JumpCloud
   * emulator) in this process and point their connections at them. `true` uses each pack's
   * default data file; a string names the data file.
   */
  sandbox?: boolean | string;
  /** `--sandbox-reset`: forget the sandbox state earlier runs left, start from the data file. */
  sandboxReset?: boolean;
  /** Where sandbox descriptions go (stderr). */
  log?: (line: string) => void;
  /**
   * With `sandbox`: changes to the organisation the sandboxes start from (a template test's
   * `sandbox.changes`/`remove`), applied by each pack's `amendData` to a copy of its data file.
   */
  sandboxAmendment?: SandboxAmendment;
  /**
   * A template test (`idflow test`): the config contributes only its plugins. Its connections,
   * secrets and variables are not used, so a test passes or fails the same on every machine
   * and never reaches a service the config names (with `sandbox`, everything it talks to is
   * the sandbox or the store's outbox).
   */
  isolated?: boolean;
}

/** A loaded, checked workflow and its template. */
export interface LoadedWorkflow {
  workflow: Workflow;
  file: string;
  source: string;
  hash: string;
}

/**
 * Everything a command needs to run workflows, built once from the config file, the
 * environment, the plugins and the command line: the {@link RunServices} the runner uses, and
 * helpers to load templates and resolve inputs with the same error quality as `validate`.
 */
export class Runtime {
  readonly services: RunServices;
  private readonly sandboxes: SandboxInstance[];

  private constructor(
    readonly environment: CommandEnvironment,
    services: Omit<RunServices, 'runChild'>,
    sandboxes: SandboxInstance[],
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly isolated = false,
  ) {
    this.sandboxes = sandboxes;
    this.services = services;
    this.services.runChild = createChildRunner(this);
  }

  /**
   * Builds the runtime.
   * @throws ValidationError (exit 2) when the config file or a plugin has problems.
   */
  static async create(options: RuntimeOptions): Promise<Runtime> {
    const environment = await createEnvironment({ cwd: options.cwd, ...(options.configFile === undefined ? {} : { configFile: options.configFile }), ...(options.plugins === undefined ? {} : { plugins: options.plugins }) });
    const errors = environment.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      throw new ValidationError(errors.some((p) => p.code.startsWith('PLUGIN')) ? 'INVALID_PLUGIN' : 'INVALID_CONFIG', 'The config file or a plugin has problems; nothing was run', environment.problems);
    }
    const redactor = new Redactor();
    const onSecret = (value: string) => redactor.add(value);
    // Every secret the config references is known to the redactor from the start (serve's token
    // and webhook secrets too: they may come back in an event, a log line or an error)…
    for (const { ref } of options.isolated ? [] : configSecretRefs(environment.config)) {
      const value = options.env[ref.env];
      if (value !== undefined && value !== '') onSecret(value);
    }
    // …and none is too weak to be one.
    const loaded = environment.loadedConfig;
    const weak = options.isolated ? [] : weakConfigSecrets(environment.config, options.env, { file: loaded.file ?? 'idflow.config.yaml', locate: loaded.locate === undefined ? undefined : (pointer) => loaded.locate?.(pointer) });
    if (weak.length > 0) throw new ValidationError('INVALID_CONFIG', `The config file has ${weak.length} secret${weak.length === 1 ? '' : 's'} too weak to use; nothing was run`, weak);
    const configured: ConnectionResolver = options.isolated ? { get: () => undefined } : resolveConnections(environment.config, options.env, onSecret);
    const secrets: Pick<ReturnType<typeof resolveSecrets>, 'get'> = options.isolated ? { get: () => undefined } : resolveSecrets(environment.config, options.env, onSecret);
    const storeRoot = options.store !== undefined
      ? resolve(options.cwd, options.store)
      : resolveStoreRoot({ cwd: options.cwd, env: { ...options.env }, configStore: environment.config.store });
    const store = new RunStore(storeRoot, { redactor });
    const sandboxes = options.sandbox === undefined || options.sandbox === false ? [] : await startSandboxes(environment, store, options, redactor);
    const overrides = new Map<string, ConnectionSettings>();
    for (const sandbox of sandboxes) for (const [name, settings] of Object.entries(sandbox.connections)) overrides.set(name, Object.freeze({ ...settings }));
    const connections: ConnectionResolver = { get: (name) => overrides.get(name) ?? configured.get(name) };
    const services: Omit<RunServices, 'runChild'> = {
      registry: environment.registry,
      // What templates derive from a secret (`{{upper (secret "X")}}`) is redacted like the secret.
      templates: createTemplateEngine({ onSecretText: onSecret }),
      store,
      redactor,
      connections,
      secret: (name) => secrets.get(name),
      sandbox: sandboxes.length > 0,
      ...(sandboxes.length > 0 && typeof options.sandbox === 'string' ? { sandboxData: resolve(options.cwd, options.sandbox) } : {}),
      cwd: environment.cwd,
      // Every run can schedule durable timers; `idflow serve` fires them (engine/timers).
      scheduleTimer: createTimerScheduler({ timers: new TimerStore(store.root), registry: environment.registry, store, sandbox: sandboxes.length > 0, redactor }),
      pendingTimer: createPendingTimerFinder(new TimerStore(store.root), sandboxes.length > 0),
    };
    return new Runtime(environment, services, sandboxes, options.env, options.isolated === true);
  }

  /**
   * Loads and checks a template (with its own `plugins:`).
   * @throws ValidationError (`INVALID_TEMPLATE`, exit 2) listing every problem.
   */
  async loadWorkflow(file: string): Promise<LoadedWorkflow> {
    const path = isAbsolute(file) ? file : resolve(this.environment.cwd, file);
    return this.checked(await loadWorkflowFile(path, { registry: this.services.registry, loadTemplatePlugins: this.environment.loadTemplatePlugins }));
  }

  /**
   * Loads a template from pinned text (a run record's `template.yaml`) as if it were `file`.
   * @throws ValidationError when the pinned text no longer checks (e.g. a plugin is missing).
   */
  async loadPinnedWorkflow(text: string, file: string): Promise<LoadedWorkflow> {
    return this.checked(await loadWorkflowSource(text, file, { registry: this.services.registry, loadTemplatePlugins: this.environment.loadTemplatePlugins }));
  }

  private checked(result: LoadResult): LoadedWorkflow {
    const errors = result.problems.filter((p: Problem) => p.severity === 'error');
    if (result.workflow === undefined || errors.length > 0) {
      throw new ValidationError('INVALID_TEMPLATE', `${result.file} has ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing was run`, result.problems);
    }
    return { workflow: result.workflow, file: result.file, source: result.source, hash: result.hash };
  }

  /**
   * The organisation variables a workflow declares: the config's values, else (with `--sandbox`)
   * the sandbox organisation's, else the declared defaults. An isolated runtime (a template
   * test) reads no config values: `overrides` (the test's `vars:`) take their place.
   * @param overrides - values that win over every other source, and where they come from.
   * @throws ValidationError (`INVALID_CONFIG`, exit 2) when a value is missing or does not fit.
   */
  resolveVars(workflow: Workflow, overrides?: { values: Readonly<Record<string, unknown>>; origin: string }): Record<string, unknown> {
    const file = overrides?.origin ?? this.environment.loadedConfig.file ?? 'idflow.config.yaml';
    const configVars = { ...(this.isolated ? {} : this.environment.config.vars), ...overrides?.values };
    // With --sandbox, the sandbox organisation's variables fill what the config does not set.
    const sandboxVars: Record<string, unknown> = {};
    for (const sandbox of [...this.sandboxes].reverse()) Object.assign(sandboxVars, sandbox.vars ?? {});
    const fromSandbox = (pointer: string): boolean => {
      const name = pointer.split('/')[1] ?? '';
      return Object.hasOwn(sandboxVars, name) && !Object.hasOwn(configVars, name);
    };
    const resolved = resolveVars(workflow.vars, { ...sandboxVars, ...configVars }, overrides === undefined ? this.environment.loadedConfig.varsOrigin ?? file : file);
    const values = resolved.values;
    const problems = resolved.problems.map((p) => (fromSandbox(p.path) ? { ...p, file: 'the sandbox organisation (its "vars")', line: 0, column: 0 } : p));
    if (problems.some((p) => p.severity === 'error')) {
      throw new ValidationError('INVALID_CONFIG', `The organisation variables of ${workflow.id} are not right in ${file}; nothing was run`, problems);
    }
    return values;
  }

  /**
   * A run's inputs from `--input name=value` pairs (strings, coerced to the declared types) and
   * an optional `--inputs FILE` (typed values, with positions); the command line wins.
   * @throws ValidationError (`INVALID_INPUT`, exit 2) listing every problem; nothing has run.
   */
  resolveInputs(workflow: Workflow, given: { pairs: Readonly<Record<string, string>>; file?: InputsFile }): Record<string, unknown> {
    const { pairs, file } = given;
    const fromCli = (pointer: string) => Object.hasOwn(pairs, pointer.split('/')[1] ?? '');
    const origin: InputOrigin = file === undefined
      ? { file: '--input' }
      : { file: file.origin.file, locate: (pointer, at) => (fromCli(pointer) ? undefined : file.origin.locate?.(pointer, at)) };
    // Command-line values are strings, coerced to the declared types; the file's keep theirs.
    const result = resolveInputs(workflow.inputs, { ...(file?.values ?? {}), ...pairs }, { coerceStrings: true, origin });
    const problems = [...(file?.problems ?? []), ...result.problems.map((p) => (fromCli(p.path) ? { ...p, file: '--input' } : p))];
    if (problems.some((p) => p.severity === 'error')) {
      throw new ValidationError('INVALID_INPUT', `The inputs for ${workflow.id} have problems; nothing was run`, problems);
    }
    return result.values;
  }

  /** Who a run is recorded as started by: the flag, else the config, else the OS user. */
  initiatedBy(flag: string | undefined): string {
    if (flag !== undefined && flag.trim() !== '') return flag.trim();
    const configured = this.environment.config.run.initiated_by;
    if (configured !== undefined) return configured;
    try {
      return userInfo().username;
    } catch {
      return this.env['USER'] ?? 'unknown';
    }
  }

  /**
   * One named object of the running sandboxes (a template test's `state:`): the first sandbox
   * that knows the kind answers (see `SandboxInstance.inspect`).
   * @throws Error when no running sandbox can inspect objects, or none knows the kind.
   */
  inspectSandbox(ref: string): unknown {
    const inspectors = this.sandboxes.filter((s) => s.inspect !== undefined);
    if (inspectors.length === 0) throw new Error(`no running sandbox can show "${ref}"`);
    let lastError: unknown;
    for (const sandbox of inspectors) {
      try {
        return sandbox.inspect?.(ref);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Human lines describing the running sandboxes (for stderr). */
  describeSandboxes(): string[] {
    return this.sandboxes.flatMap((s) => s.describe());
  }

  /** Stops the sandboxes. Safe to call more than once. */
  async close(): Promise<void> {
    const sandboxes = this.sandboxes.splice(0);
    await Promise.all(sandboxes.map((s) => s.close()));
  }
}

/**
 * Starts the sandbox of every loaded pack that has one. Its state lives in the store
 * (`sandbox/<pack>-<data file hash>.json`), so that successive `--sandbox` runs and resumed
 * runs see the organisation as earlier runs left it; `--sandbox-reset` starts afresh.
 */
async function startSandboxes(environment: CommandEnvironment, store: RunStore, options: RuntimeOptions, redactor: Redactor): Promise<SandboxInstance[]> {
  const providers = environment.registry.listPacks().filter(({ pack }) => pack.sandbox !== undefined);
  if (providers.length === 0) throw new ValidationError('INVALID_INPUT', '--sandbox was given, but no loaded plugin pack provides a sandbox');
  const started: SandboxInstance[] = [];
  try {
    for (const { pack } of providers) {
      const sandbox = pack.sandbox!;
      const dataFile = typeof options.sandbox === 'string'
        ? resolve(options.cwd, options.sandbox)
        : sandbox.defaultDataFile === undefined ? undefined : join(packageRoot(), sandbox.defaultDataFile);
      const key = createHash('sha256').update(dataFile ?? '').update(JSON.stringify(options.sandboxAmendment ?? null)).digest('hex').slice(0, 8);
      const stateFile = join(store.root, 'sandbox', `${pack.name}-${key}.json`);
      if (options.sandboxReset) rmSync(stateFile, { force: true });
      const startFrom = options.sandboxAmendment === undefined ? dataFile : await amendedDataFile(pack.name, sandbox, dataFile, options.sandboxAmendment, join(store.root, 'sandbox', `${pack.name}-${key}.org.json`));
      const instance = await sandbox.start({ ...(startFrom === undefined ? {} : { dataFile: startFrom }), stateFile });
      redactor.add(instance.apiKey);
      started.push(instance);
      for (const line of instance.describe()) options.log?.(line);
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
  return started;
}

/**
 * Writes the organisation a template test starts from: the pack's data file (or none) with the
 * test's changes applied by the pack, as a new file in the store.
 * @throws ValidationError (`INVALID_INPUT`) when the pack cannot amend its data or refuses the changes.
 */
async function amendedDataFile(packName: string, sandbox: SandboxProvider, dataFile: string | undefined, amendment: SandboxAmendment, target: string): Promise<string> {
  if (sandbox.amendData === undefined) throw new ValidationError('INVALID_INPUT', `the ${packName} sandbox cannot take changes to its organisation; give a whole organisation file instead`);
  let data: unknown = {};
  if (dataFile !== undefined) {
    try {
      data = JSON.parse(readFileSync(dataFile, 'utf8')) as unknown;
    } catch (error) {
      throw new ValidationError('INVALID_INPUT', `cannot read the sandbox organisation ${dataFile}: ${(error as Error).message}`);
    }
  }
  let amended: unknown;
  try {
    amended = sandbox.amendData(data, amendment);
  } catch (error) {
    throw new ValidationError('INVALID_INPUT', `the changes to the ${packName} sandbox organisation${dataFile === undefined ? '' : ` (${dataFile})`} are not right: ${(error as Error).message}`);
  }
  makePrivateDir(dirname(target));
  rmSync(target, { force: true });
  writeNewPrivateFile(target, `${JSON.stringify(amended, null, 2)}\n`);
  return target;
}
