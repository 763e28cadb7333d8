/**
 * The configuration idflow reads from `idflow.config.yaml` (or `--config FILE`), validated by
 * `schemas/config.schema.json`, with paths resolved and defaults filled.
 */

/** A secret written as a reference to an environment variable: `{ env: NAME }`. */
export interface SecretRef {
  env: string;
}

/** Defaults for `idflow run`. */
export interface RunDefaults {
  /** Who runs are recorded as started by when `--initiated-by` is not given. */
  initiated_by?: string;
  /** The most subjects a bulk run may start without `--yes` or an interactive confirmation (default 10). */
  blast_radius?: number;
}

/** The loaded configuration. */
export interface IdflowConfig {
  /** Organisation variable values by name (templates declare which they read). */
  vars: Record<string, unknown>;
  /** Named connections; values may be {@link SecretRef}s (see `resolveConnections`). */
  connections: Record<string, Record<string, unknown>>;
  /** Secrets by name, each a reference to an environment variable. */
  secrets: Record<string, SecretRef>;
  /** Plugins as written; relative paths are relative to {@link IdflowConfig.baseDir}. */
  plugins: string[];
  /** The folder of the config file (or the working directory when there is none). */
  baseDir: string;
  /** Where run records go: absolute (default `<baseDir>/.idflow`). */
  store: string;
  run: RunDefaults;
  /** Settings of `idflow serve` (schema-checked; defaults are filled by `engine/serve/serve-settings.ts`). */
  serve?: ServeConfig;
  /** Event sources `idflow serve` polls (schema-checked; each provider checks its own options). */
  event_sources?: EventSourceConfig[];
}

/**
 * A duration as the config writes it: `"500ms"`, `"30s"`, `"5m"`, `"1h"`, or whole
 * milliseconds.
 */
export type DurationSetting = string | number;

/** The `serve:` section: where `idflow serve` listens, its secrets and its limits. */
export interface ServeConfig {
  /** Address to listen on (default `127.0.0.1`). */
  host?: string;
  /** TCP port (default 8787; 0 picks a free one). */
  port?: number;
  /** An admin API token (named `serve.token`); `api_tokens` gives each script its own name and role. */
  token?: SecretRef;
  /** API tokens for scripts, each with a name (recorded as who acted) and a role. */
  api_tokens?: Array<{ name: string; role: 'viewer' | 'operator' | 'admin'; token: SecretRef }>;
  /** The proxies (addresses or ranges) whose `X-Forwarded-*` headers serve believes; none by default. */
  trust_proxy?: string[];
  /** Webhook senders by source name (the first segment of an event name), each with its HMAC key. */
  sources?: Record<string, { secret: SecretRef }>;
  /** How far a signed timestamp may be from the clock (default 5m). */
  signature_tolerance?: DurationSetting;
  /** Largest event body in bytes (default 1 MiB). */
  max_body_bytes?: number;
  /** Runs executed at once (default 4). */
  concurrency?: number;
  /** How long SIGTERM lets in-flight steps finish (default 30s). */
  shutdown_grace?: DurationSetting;
  /** How often due timers are looked for (default 30s). */
  timer_interval?: DurationSetting;
  /** How old a missed schedule slot may be and still run at start-up (default 1h). */
  missed_schedule_window?: DurationSetting;
  /** How long accepted events' records are kept for exactly-once (default 720h; 0: forever). */
  event_retention?: DurationSetting;
  /** What to do at start-up with interrupted runs serve started: `resume` them (default) or only `report` them. */
  recover?: 'resume' | 'report';
  /** Connections served at once (default 256; lowered to fit the open-file limit). */
  max_connections?: number;
  /** Of those, connections not yet authenticated (default 64). */
  max_unauthenticated_connections?: number;
  /** Serve HTTPS: PEM files, relative to the config file. */
  tls?: { cert: string; key: string };
  /** Who may sign in to the web console, and how (see `engine/serve/auth/console-auth-settings.ts`). */
  console?: ConsoleConfig;
}

/** The `serve.console:` section: local users, sessions and single sign-on. */
export interface ConsoleConfig {
  /** Local users, each with a password hash printed by `idflow serve hash-password`. */
  users?: Array<{ name: string; role: 'viewer' | 'operator' | 'admin'; password_hash: string }>;
  /** The key that signs session cookies and CSRF tokens, and how long a session lasts (default 8h). */
  session?: { secret: SecretRef; max_age?: DurationSetting };
  /** Single sign-on through an OpenID Connect provider. */
  oidc?: ConsoleOidcConfig;
}

/** `serve.console.oidc:`: the identity provider and how its groups map to roles. */
export interface ConsoleOidcConfig {
  /** The issuer URL (discovery is read from `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  client_id: string;
  client_secret: SecretRef;
  /** Where the provider sends the browser back; default: `/auth/oidc/callback` on the URL the browser used. */
  redirect_url?: string;
  /** Default `openid profile email groups`. */
  scopes?: string[];
  /** The claim holding the user's groups (default `groups`). */
  role_claim?: string;
  /** Group names that grant each role; the strongest role granted wins. */
  roles: { admin?: string[]; operator?: string[]; viewer?: string[] };
  /** The claim that names the user (default `preferred_username`, then `email`). */
  name_claim?: string;
  /** The name the sign-in page gives the provider (default: the issuer's host). */
  display_name?: string;
}

/** One entry of `event_sources:`; keys beyond these are the provider's own options. */
export interface EventSourceConfig {
  /** The provider type, e.g. `jumpcloud.directory_insights`. */
  type: string;
  /** The source's name in the store and in run records (default: the type). */
  name?: string;
  /** The connection it reads with. */
  connection?: string;
  /** Wait between polls when nothing is new. */
  interval?: DurationSetting;
  services?: string[];
  /** `now` or an RFC 3339 time: where a source without a cursor starts. */
  start?: string;
  /** `false` keeps it configured but not polled. */
  enabled?: boolean;
  [option: string]: unknown;
}

/** The file name looked for in the working directory. */
export const CONFIG_FILE_NAME = 'idflow.config.yaml';

/** The store folder used when the config does not name one, relative to its base folder. */
export const DEFAULT_STORE = '.idflow';
