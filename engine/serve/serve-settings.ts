import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Problem } from '../diagnostics/problem.js';
import type { DurationSetting, Environment, ServeConfig } from '../config/index.js';
import type { SourceLocation } from '../loader/source-map.js';
import { parseDuration } from '../loader/duration.js';
import type { ApiToken } from './http/api-tokens.js';
import { resolveConsoleAuthSettings, type ConsoleAuthSettings } from './auth/console-auth-settings.js';
import { settingsProblems } from './settings-problems.js';

/** `idflow serve`'s settings with defaults filled and secrets resolved. */
export interface ServeSettings {
  host: string;
  port: number;
  /** `serve.token`: an admin API token named `serve.token`; undefined when not configured. */
  token: string | undefined;
  /**
   * Every API token: `serve.api_tokens` and, when set, `serve.token` (an admin named
   * `serve.token`). Without any, the API answers 401 to every bearer token.
   */
  apiTokens: ApiToken[];
  /** The proxies whose `X-Forwarded-*` headers serve believes (`serve.trust_proxy`); none by default. */
  trustProxy: string[];
  /** Webhook sources by name, each with its HMAC key. */
  sources: ReadonlyMap<string, { secret: string }>;
  signatureToleranceMs: number;
  maxBodyBytes: number;
  concurrency: number;
  shutdownGraceMs: number;
  timerIntervalMs: number;
  missedScheduleWindowMs: number;
  /** How long accepted events' records are kept; 0 keeps them forever. */
  eventRetentionMs: number;
  /** At start-up, whether serve resumes the runs it started that were interrupted, or only reports them. */
  recover: 'resume' | 'report';
  /** Connections served at once, as configured (the descriptor limit may lower it: see `fd-budget.ts`). */
  maxConnections: number;
  /** Of those, connections not yet authenticated. */
  maxUnauthenticatedConnections: number;
  /** The certificate and key to serve HTTPS with (read and checked as a pair); undefined: plain HTTP. */
  tls: { cert: Buffer; key: Buffer; certFile: string; keyFile: string } | undefined;
  /** Who may sign in to the web console, and how (`serve.console`). */
  console: ConsoleAuthSettings;
}

/** Defaults of {@link ServeSettings}. */
export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8787,
  signatureToleranceMs: 5 * 60_000,
  maxBodyBytes: 1024 * 1024,
  concurrency: 4,
  shutdownGraceMs: 30_000,
  timerIntervalMs: 30_000,
  missedScheduleWindowMs: 60 * 60_000,
  eventRetentionMs: 30 * 24 * 60 * 60_000,
  recover: 'resume',
  maxConnections: 256,
  maxUnauthenticatedConnections: 64,
} as const;

/** The command line's say, which wins over the config. */
export interface ServeFlags {
  host?: string;
  port?: string;
}

/**
 * Fills `serve:` from the config (already schema-checked) with defaults and the command line,
 * and reads its secrets from the environment. A secret whose variable is not set is a problem
 * now, at start-up, rather than a 401 for every sender later.
 *
 * The TLS certificate and key are read now too (relative to `where.baseDir`, the config file's
 * folder) and checked to be PEM and a matching pair.
 *
 * @param locate - places problems at their config entry.
 * @returns the settings, or every problem found.
 */
export function resolveServeSettings(
  config: ServeConfig | undefined,
  env: Environment,
  flags: ServeFlags,
  where: { file: string; baseDir?: string; locate?: (pointer: string) => SourceLocation | undefined },
): { settings: ServeSettings; problems: Problem[] } {
  const serve = config ?? {};
  const { problems, problem, secret } = settingsProblems(env, where);
  let port: number = serve.port ?? SERVE_DEFAULTS.port;
  if (flags.port !== undefined) {
    const parsed = /^\d{1,5}$/.test(flags.port.trim()) ? Number(flags.port.trim()) : Number.NaN;
    if (!Number.isInteger(parsed) || parsed > 65535) problems.push({ file: '--port', line: 0, column: 0, path: '', code: 'invalid-port', message: `--port must be a TCP port from 0 to 65535, got "${flags.port}"`, severity: 'error' });
    else port = parsed;
  }
  const host = flags.host?.trim() || serve.host || SERVE_DEFAULTS.host;
  const token = serve.token === undefined ? undefined : secret(serve.token, '/serve/token', 'serve.token');
  const apiTokens = resolveApiTokens(serve, token, secret, problem);
  const trustProxy = [...(serve.trust_proxy ?? [])];
  trustProxy.forEach((entry, index) => {
    if (!isAddressOrRange(entry)) problem(`/serve/trust_proxy/${index}`, 'invalid-proxy', `serve.trust_proxy[${index}]: "${entry}" is not an IP address or a range like 10.0.0.0/8 or fd00::/8`, 'List the addresses of the proxies in front of serve, e.g. [127.0.0.1] for a proxy on this machine');
  });
  const sources = new Map<string, { secret: string }>();
  for (const [name, source] of Object.entries(serve.sources ?? {})) {
    const value = secret(source.secret, `/serve/sources/${name}/secret`, `the shared secret of source "${name}"`);
    if (value !== undefined) sources.set(name, { secret: value });
  }
  const tls = serve.tls === undefined ? undefined : readTls(serve.tls, where.baseDir ?? process.cwd(), problem);
  const consoleAuth = resolveConsoleAuthSettings(serve.console, env, where);
  problems.push(...consoleAuth.problems);
  const duration = (value: DurationSetting | undefined, fallback: number): number => (value === undefined ? fallback : parseDuration(value) ?? fallback);
  return {
    settings: {
      host,
      port,
      token,
      apiTokens,
      trustProxy,
      sources,
      signatureToleranceMs: duration(serve.signature_tolerance, SERVE_DEFAULTS.signatureToleranceMs),
      maxBodyBytes: serve.max_body_bytes ?? SERVE_DEFAULTS.maxBodyBytes,
      concurrency: serve.concurrency ?? SERVE_DEFAULTS.concurrency,
      shutdownGraceMs: duration(serve.shutdown_grace, SERVE_DEFAULTS.shutdownGraceMs),
      timerIntervalMs: Math.max(100, duration(serve.timer_interval, SERVE_DEFAULTS.timerIntervalMs)),
      missedScheduleWindowMs: duration(serve.missed_schedule_window, SERVE_DEFAULTS.missedScheduleWindowMs),
      eventRetentionMs: duration(serve.event_retention, SERVE_DEFAULTS.eventRetentionMs),
      recover: serve.recover ?? SERVE_DEFAULTS.recover,
      maxConnections: serve.max_connections ?? SERVE_DEFAULTS.maxConnections,
      maxUnauthenticatedConnections: serve.max_unauthenticated_connections ?? SERVE_DEFAULTS.maxUnauthenticatedConnections,
      tls,
      console: consoleAuth.settings,
    },
    problems,
  };
}

/**
 * Reads `serve.tls`'s PEM files and checks that they make a TLS context (PEM text, a key that
 * belongs to the certificate), so a wrong file stops serve at start-up with the entry named,
 * not at the first sender's handshake.
 */
function readTls(
  tls: { cert: string; key: string },
  baseDir: string,
  problem: (pointer: string, code: string, message: string, suggestion?: string) => void,
): ServeSettings['tls'] {
  const read = (which: 'cert' | 'key', what: string): { file: string; text: Buffer } | undefined => {
    const file = resolve(baseDir, tls[which]);
    try {
      return { file, text: readFileSync(file) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
      problem(`/serve/tls/${which}`, 'tls-unreadable', `serve.tls.${which}: cannot read the ${what} ${file}: ${why}`, 'Paths are relative to the config file');
      return undefined;
    }
  };
  const cert = read('cert', 'certificate');
  const key = read('key', 'private key');
  if (cert === undefined || key === undefined) return undefined;
  try {
    createSecureContext({ cert: cert.text, key: key.text });
  } catch (error) {
    const message = (error as Error).message;
    const why = /key values mismatch/i.test(message)
      ? `the private key ${key.file} does not belong to the certificate ${cert.file}`
      : `${cert.file} and ${key.file} are not a PEM certificate and private key (${message})`;
    problem('/serve/tls', 'tls-invalid', `serve.tls: ${why}`, 'Give the PEM certificate (chain) as cert and its unencrypted PEM private key as key');
    return undefined;
  }
  return { cert: cert.text, key: key.text, certFile: cert.file, keyFile: key.file };
}

/**
 * `serve.api_tokens` with their secrets read, plus `serve.token` as an admin token named
 * `serve.token`. Names must be unique (they are recorded as who acted), and so must the tokens:
 * one token with two names or roles would make who acted a guess.
 */
function resolveApiTokens(
  serve: ServeConfig,
  token: string | undefined,
  secret: (ref: { env: string }, pointer: string, what: string) => string | undefined,
  problem: (pointer: string, code: string, message: string, suggestion?: string) => void,
): ApiToken[] {
  const tokens: Array<ApiToken & { pointer: string }> = [];
  const names = new Map<string, number>();
  (serve.api_tokens ?? []).forEach((entry, index) => {
    const pointer = `/serve/api_tokens/${index}`;
    const earlier = names.get(entry.name);
    if (earlier !== undefined) {
      problem(`${pointer}/name`, 'duplicate-api-token', `serve.api_tokens[${index}]: the name "${entry.name}" is already the name of serve.api_tokens[${earlier}]; each token needs its own name (it is recorded as who acted)`);
      return;
    }
    names.set(entry.name, index);
    if (entry.name === 'serve.token' && token !== undefined) {
      problem(`${pointer}/name`, 'duplicate-api-token', `serve.api_tokens[${index}]: the name "serve.token" is the name serve.token's admin token has`, 'Give this token another name');
      return;
    }
    const value = secret(entry.token, `${pointer}/token`, `the API token "${entry.name}"`);
    if (value !== undefined) tokens.push({ name: entry.name, role: entry.role, token: value, pointer });
  });
  if (token !== undefined) tokens.push({ name: 'serve.token', role: 'admin', token, pointer: '/serve/token' });
  tokens.forEach((entry, index) => {
    const twin = tokens.findIndex((other, at) => at < index && other.token === entry.token);
    if (twin === -1) return;
    problem(entry.pointer, 'duplicate-api-token', `${where(entry.pointer)} has the same token as ${where(tokens[twin]?.pointer ?? '')}; give each name its own token (a shared one would make who acted a guess)`, 'Generate one per name, e.g. $(openssl rand -hex 24)');
  });
  return tokens.map(({ name, role, token: value }) => ({ name, role, token: value }));
}

function where(pointer: string): string {
  const index = /^\/serve\/api_tokens\/(\d+)$/.exec(pointer)?.[1];
  return index === undefined ? 'serve.token' : `serve.api_tokens[${index}]`;
}

/** An IPv4 or IPv6 address, optionally with a prefix length (a range). */
function isAddressOrRange(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}
