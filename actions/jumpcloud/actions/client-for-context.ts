import { setMaxListeners } from 'node:events';
import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { ActionContext, ConnectionSettings } from '../../../engine/plugin-api/context.js';
import { createJumpCloudClient, type JumpCloudClient } from '../client/jumpcloud-client.js';
import { LookupCache } from '../client/name-cache.js';
import type { JumpCloudClientOptions, JumpCloudRetryOptions } from '../client/options.js';
import { resolveConnectionSettings } from '../client/settings.js';
import { readProtectedAccounts, type ProtectedAccounts } from './protected-accounts.js';

/** The connection name every JumpCloud action uses unless its `connection` parameter names another. */
export const DEFAULT_CONNECTION = 'jumpcloud';

/** The parameters every JumpCloud action shares. */
export interface ConnectionParams {
  /** The named connection from the config; default `jumpcloud`. */
  connection?: string;
  /** The organisation (`x-org-id`); wins over the connection's `org_id` and `JUMPCLOUD_ORG_ID`. */
  org_id?: string;
}

/** Everything an action needs to talk to one JumpCloud organisation for one step. */
export interface JumpCloudSession {
  client: JumpCloudClient;
  /** The connection's name, for messages. */
  connectionName: string;
  /** The connection's settings (secrets resolved); empty when the environment alone configures JumpCloud. */
  connection: ConnectionSettings;
  /** True when the connection points at the emulator: nothing is read from the environment. */
  sandbox: boolean;
  /** The accounts that can never be disabled or deleted. */
  protectedAccounts: ProtectedAccounts;
  /** Where `jumpcloud.user.backup` writes by default (`backup_root`), if set. */
  backupRoot: string | undefined;
}

/** Options of {@link openJumpCloud}. */
export interface OpenOptions {
  /** A read-only client (what `plan()` gets): any request that could change something throws. */
  readOnly: boolean;
}

// Look-ups (group, system, application and server names) shared by every step of a run, so that
// each object is fetched once per run rather than once per step or attempt. Bounded, so a long
// `idflow serve` process or a bulk run does not keep every run's names forever.
const MAX_SHARED_CACHES = 32;
// Listeners the step's signal may carry before Node warns: requests queued or in flight at once.
const SIGNAL_LISTENERS = 1000;
const sharedCaches = new Map<string, LookupCache>();

function lookupCacheFor(runId: string, baseUrl: string, orgId: string | undefined): LookupCache {
  const key = `${runId}\u0000${baseUrl}\u0000${orgId ?? ''}`;
  let cache = sharedCaches.get(key);
  if (cache === undefined) {
    cache = new LookupCache();
    if (sharedCaches.size >= MAX_SHARED_CACHES) {
      const oldest = sharedCaches.keys().next();
      if (oldest.done !== true) sharedCaches.delete(oldest.value);
    }
  } else {
    // Most recently used last, so the oldest run's cache is the one dropped.
    sharedCaches.delete(key);
  }
  sharedCaches.set(key, cache);
  return cache;
}

/**
 * Opens a JumpCloud client for one step: settings from the named connection (`base_url`,
 * `org_id`, `api_key`, `region`), the step's `org_id`, and — only for a real organisation —
 * the environment (`JUMPCLOUD_API_KEY` through `ctx.secrets`, `JUMPCLOUD_API_URL`,
 * `JUMPCLOUD_ORG_ID`).
 *
 * @remarks
 * A sandbox connection (`sandbox: true`, or any run started with `--sandbox`) reads nothing
 * from the environment and must name its own `base_url` and `api_key`: a real key must never
 * reach the emulator, nor the emulator's key JumpCloud. A run started with `--sandbox` uses only
 * connections marked `sandbox: true` (the sandbox's own, or one to an emulator): a step naming
 * a real connection from the config fails rather than reach the real organisation. In a sandbox the step's `org_id` is
 * ignored too (the template passes the real organisation's id, which the emulator does not
 * know); the sandbox connection's own `org_id` applies.
 *
 * The API key is registered with `ctx.addRedaction`, the client logs through `ctx.logger`, stops
 * with `ctx.signal`, and shares its look-ups with the other steps of the run.
 *
 * @throws PermanentError when the connection is missing or malformed, no API key is configured,
 *   or a sandbox run names a real connection.
 */
export function openJumpCloud(ctx: ActionContext, params: ConnectionParams, options: OpenOptions): JumpCloudSession {
  const connectionName = params.connection ?? DEFAULT_CONNECTION;
  const configured = ctx.connections.get(connectionName);
  const sandbox = ctx.sandbox || configured?.['sandbox'] === true;
  if (configured === undefined && (sandbox || connectionName !== DEFAULT_CONNECTION)) {
    throw new PermanentError(
      sandbox
        ? `No connection "${connectionName}" is available in this sandbox run; the JumpCloud sandbox provides the "${DEFAULT_CONNECTION}" connection`
        : `No connection "${connectionName}" is configured: add connections.${connectionName} (base_url, org_id, api_key: { env: NAME }) to idflow.config.yaml`,
      { code: 'JUMPCLOUD_NO_CONNECTION', details: { connection: connectionName } },
    );
  }
  if (ctx.sandbox && configured !== undefined && configured['sandbox'] !== true) {
    // A real connection from the config (a client organisation of an MSP, say): in a sandbox
    // run it would reach the real JumpCloud with the real key, so it is refused, plan included.
    throw new PermanentError(
      `Connection "${connectionName}" is a real JumpCloud connection from the config, and this is a sandbox run, which never uses one. ` +
        `Leave out "connection" to use the sandbox's "${DEFAULT_CONNECTION}" connection, or mark a connection to an emulator sandbox: true`,
      { code: 'JUMPCLOUD_NOT_SANDBOX', details: { connection: connectionName } },
    );
  }
  const connection: ConnectionSettings = configured ?? {};
  const settings = resolveConnectionSettings(connection, {
    connectionName,
    sandbox,
    // The key through ctx.secrets, so that it is redacted wherever it might show.
    env: () => ({ JUMPCLOUD_API_KEY: ctx.secrets.get('JUMPCLOUD_API_KEY'), JUMPCLOUD_API_URL: process.env['JUMPCLOUD_API_URL'], JUMPCLOUD_ORG_ID: process.env['JUMPCLOUD_ORG_ID'] }),
    orgId: params.org_id,
  });
  if (sandbox && params.org_id !== undefined && params.org_id.trim() !== '') {
    ctx.logger.debug(`JumpCloud sandbox: the step's org_id is ignored; the sandbox connection "${connectionName}" decides the organisation`);
  }
  // Every request waiting for a slot or in flight listens to the step's signal; a step that names
  // dozens of objects at once would otherwise trip Node's leak warning (10 listeners).
  setMaxListeners(SIGNAL_LISTENERS, ctx.signal);
  ctx.addRedaction(settings.apiKey);
  const tuning = readTuning(connectionName, connection);
  const clientOptions: JumpCloudClientOptions = {
    ...settings,
    ...tuning,
    signal: ctx.signal,
    readOnly: options.readOnly,
    lookupCache: lookupCacheFor(ctx.runId, settings.baseUrl, settings.orgId),
    logger: {
      debug: (message, meta) => ctx.logger.debug(message, meta),
      info: (message, meta) => ctx.logger.info(message, meta),
      warn: (message, meta) => ctx.logger.warn(message, meta),
    },
  };
  return {
    client: createJumpCloudClient(clientOptions),
    connectionName,
    connection,
    sandbox,
    protectedAccounts: readProtectedAccounts(connectionName, connection['protected_accounts']),
    backupRoot: readOptionalString(connectionName, connection, 'backup_root'),
  };
}

/**
 * Client tuning a connection may carry: `max_concurrency`, `max_requests_per_second` (a ceiling
 * over the rate the client learns), `timeout_ms`, `retry_attempts`,
 * `retry_min_delay_ms`, `retry_max_delay_ms` and `retry_max_wait_ms` (the longest
 * `Retry-After` the client waits out itself).
 */
function readTuning(name: string, connection: ConnectionSettings): Pick<JumpCloudClientOptions, 'maxConcurrency' | 'maxRequestsPerSecond' | 'timeoutMs' | 'retry'> {
  const maxConcurrency = readOptionalNumber(name, connection, 'max_concurrency');
  const maxRequestsPerSecond = readOptionalNumber(name, connection, 'max_requests_per_second');
  if (maxRequestsPerSecond === 0) {
    throw new PermanentError(`connections.${name}.max_requests_per_second must be above 0 (requests per second, e.g. 10 or 0.5); leave it out for no ceiling`, { code: 'JUMPCLOUD_BAD_SETTING' });
  }
  const timeoutMs = readOptionalNumber(name, connection, 'timeout_ms');
  const retry: JumpCloudRetryOptions = {};
  const attempts = readOptionalNumber(name, connection, 'retry_attempts');
  const minDelayMs = readOptionalNumber(name, connection, 'retry_min_delay_ms');
  const maxDelayMs = readOptionalNumber(name, connection, 'retry_max_delay_ms');
  const maxRetryAfterMs = readOptionalNumber(name, connection, 'retry_max_wait_ms');
  if (attempts !== undefined) retry.attempts = attempts;
  if (minDelayMs !== undefined) retry.minDelayMs = minDelayMs;
  if (maxDelayMs !== undefined) retry.maxDelayMs = maxDelayMs;
  if (maxRetryAfterMs !== undefined) retry.maxRetryAfterMs = maxRetryAfterMs;
  return {
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
    ...(maxRequestsPerSecond === undefined ? {} : { maxRequestsPerSecond }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(Object.keys(retry).length === 0 ? {} : { retry }),
  };
}

function readOptionalNumber(name: string, connection: ConnectionSettings, key: string): number | undefined {
  const value = connection[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new PermanentError(`connections.${name}.${key} must be a number ≥ 0, got ${JSON.stringify(value)}`, { code: 'JUMPCLOUD_BAD_SETTING' });
  }
  return value;
}

function readOptionalString(name: string, connection: ConnectionSettings, key: string): string | undefined {
  const value = connection[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new PermanentError(`connections.${name}.${key} must be a string, got ${Array.isArray(value) ? 'a list' : typeof value}`, { code: 'JUMPCLOUD_BAD_SETTING' });
  }
  return value.trim() === '' ? undefined : value;
}
