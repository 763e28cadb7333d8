import type { ActionDefinition } from './action.js';

/**
 * A plugin pack: several actions plus optional services (a sandbox emulator, event sources).
 * A plugin module's default export is an {@link ActionDefinition}, an array of them, or a pack.
 */
export interface PluginPack {
  /** The pack's name, e.g. `jumpcloud`. */
  name: string;
  description?: string;
  actions: ActionDefinition[];
  /** A local emulator of the service the pack talks to (`idflow sandbox`, `run --sandbox`). */
  sandbox?: SandboxProvider;
  /** Sources of events for `idflow serve` (e.g. a directory event poller). */
  eventSources?: EventSourceProvider[];
}

/** Options common to every sandbox (`idflow sandbox` flags). */
export interface SandboxOptions {
  /** A data file describing the organisation to start with. */
  dataFile?: string;
  /**
   * A file the sandbox keeps its state in: loaded at start when it exists (instead of
   * `dataFile`), and written after every change, so that successive `--sandbox` runs, and a
   * resumed run, see the same organisation.
   */
  stateFile?: string;
  port?: number;
  host?: string;
  apiKey?: string;
  orgId?: string;
  /** Added latency per request, in milliseconds. */
  latencyMs?: number;
  /** Probability (0–1) of a random 5xx response. */
  failRate?: number;
  /** Requests per second before 429 with `Retry-After`. */
  rateLimit?: number;
  /** Probability (0–1) of dropping the connection without a response. */
  dropRate?: number;
  /** Seed for the sandbox's random choices (faults, generated ids), for reproducible sessions. */
  seed?: number | string;
}

/**
 * Changes to a sandbox organisation a template test starts from, in the words of the pack's
 * data file: `changes` adds objects or alters the named ones (by collection, e.g. `users`),
 * `remove` takes objects out by name.
 */
export interface SandboxAmendment {
  changes?: Record<string, unknown>;
  remove?: Record<string, string[]>;
}

/** A running sandbox. */
export interface SandboxInstance {
  /** Base URL of the emulator. */
  url: string;
  /** The API key it accepts. */
  apiKey: string;
  /** Connection settings that point the pack's actions at the sandbox, by connection name. */
  connections: Record<string, Record<string, unknown>>;
  /**
   * Organisation variables the sandbox's organisation defines (e.g. `it_team_emails`), by name.
   * With `--sandbox` the runtime uses them for the `vars:` a workflow declares that the config
   * does not set (the config's `vars:` win).
   */
  vars?: Record<string, unknown>;
  /** Human lines describing it (printed by `idflow sandbox` and `run --sandbox`). */
  describe(): string[];
  /**
   * Human lines saying how to point idflow (or another tool) at a sandbox that keeps running,
   * e.g. the environment variables to export; printed by `idflow sandbox` only.
   */
  usage?(): string[];
  /**
   * The current state of one named object, for template tests' `state:` expectations
   * (`idflow test`): `ref` is a kind and a name, e.g. `user john.smith`. Returns plain data (a
   * view a test can match a subset of), or `null` when no such object exists (e.g. deleted).
   * @throws Error naming the kinds it knows when the kind is not one of them.
   */
  inspect?(ref: string): unknown;
  close(): Promise<void>;
}

/** Starts a sandbox for a pack. */
export interface SandboxProvider {
  description: string;
  /** The default data file, relative to the package root (e.g. `examples/sandbox/org.json`). */
  defaultDataFile?: string;
  /**
   * Applies a template test's changes to an organisation (`sandbox.changes` and
   * `sandbox.remove` of a `*.test.yaml`): returns new data in the data file's format, leaving
   * `data` as it was. The result is checked like any data file when the sandbox starts.
   * @throws Error saying what is wrong (an unknown collection, a name to remove that is not there).
   */
  amendData?(data: unknown, amendment: SandboxAmendment): unknown;
  start(options: SandboxOptions): Promise<SandboxInstance>;
}

/** One event an event source emits to `idflow serve`. */
export interface SourcedEvent {
  /** Event name, e.g. `jumpcloud.user.suspended`. */
  name: string;
  /** Unique id of the event (for exactly-once processing). */
  id: string;
  payload: Record<string, unknown>;
}

/** What `idflow serve` gives an event source. */
export interface EventSourceContext {
  signal: AbortSignal;
  /** Resolved connection settings by name. */
  connection(name: string): Readonly<Record<string, unknown>> | undefined;
  /**
   * Whether serve runs with `--sandbox`: the built-in sandboxes stand in for the real services,
   * so a source must not fall back to real credentials (e.g. from the environment).
   */
  sandbox: boolean;
  /** The last persisted cursor, or undefined on first start. */
  cursor: unknown;
  /** Hands events to serve; resolves when they are durably accepted. The cursor is stored with them. */
  emit(events: SourcedEvent[], cursor: unknown): Promise<void>;
  logger: { info(m: string, meta?: Record<string, unknown>): void; warn(m: string, meta?: Record<string, unknown>): void; error(m: string, meta?: Record<string, unknown>): void };
}

/** A kind of event source a pack offers (configured under `event_sources:` in the config). */
export interface EventSourceProvider {
  /** Source type name, e.g. `jumpcloud.directory_insights`. */
  type: string;
  description: string;
  /** Runs until the signal aborts. */
  run(ctx: EventSourceContext, options: Record<string, unknown>): Promise<void>;
}
