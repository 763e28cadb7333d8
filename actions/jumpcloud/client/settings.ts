import { PermanentError } from '../../../engine/errors/action-errors.js';
import { didYouMean } from '../../../engine/diagnostics/suggest.js';

/** JumpCloud's data-centre hosts, by the `region` a connection may name. */
export const JUMPCLOUD_REGION_URLS: Readonly<Record<string, string>> = Object.freeze({
  us: 'https://console.jumpcloud.com',
  eu: 'https://console.eu.jumpcloud.com',
  in: 'https://console.in.jumpcloud.com',
});

/** The host used when nothing else is configured. */
export const DEFAULT_JUMPCLOUD_URL = 'https://console.jumpcloud.com';

/** Where to reach JumpCloud and as whom: what {@link resolveJumpCloudSettings} yields. */
export interface JumpCloudSettings {
  /** Base URL without a trailing slash, e.g. `https://console.jumpcloud.com`. */
  baseUrl: string;
  /** The admin's API key (`x-api-key`). A secret: never log or record it. */
  apiKey: string;
  /** The organisation (`x-org-id`), for multi-tenant admins; absent for single-tenant admins. */
  orgId?: string;
}

/**
 * Decides the JumpCloud base URL, API key and organisation for a run.
 *
 * - `x-api-key`: the connection's `api_key`, else `JUMPCLOUD_API_KEY`.
 * - `x-org-id`: the `jumpcloud_org_id` variable (`orgIdVar`), else the connection's `org_id`,
 *   else `JUMPCLOUD_ORG_ID`.
 * - base URL: `JUMPCLOUD_API_URL`, else the connection's `base_url`, else its `region`
 *   (`us`, `eu`, `in`), else the US host.
 *
 * Empty strings count as "not set", so an empty environment variable does not shadow the config.
 *
 * @param connection - the resolved `connections.jumpcloud` settings (secrets already resolved), if any.
 * @param env - the environment to read (pass `process.env`).
 * @param orgIdVar - the value of the workflow's `jumpcloud_org_id` variable, if set.
 * @param connectionName - the connection's name in the config, for messages (default `jumpcloud`).
 * @throws PermanentError when no API key is configured, or a setting has the wrong type or an unknown region.
 */
export function resolveJumpCloudSettings(
  connection: Readonly<Record<string, unknown>> | undefined,
  env: NodeJS.ProcessEnv,
  orgIdVar?: string,
  connectionName = 'jumpcloud',
): JumpCloudSettings {
  const conn = connection ?? {};
  const where = `connections.${connectionName}`;
  const apiKey = firstSet(readConnectionString(conn, where, 'api_key'), env['JUMPCLOUD_API_KEY']);
  if (apiKey === undefined) {
    throw new PermanentError(
      `No JumpCloud API key is configured: set the JUMPCLOUD_API_KEY environment variable, or \`${where}.api_key: { env: NAME }\` in the config`,
      { code: 'JUMPCLOUD_NO_API_KEY' },
    );
  }
  const orgId = firstSet(orgIdVar, readConnectionString(conn, where, 'org_id'), env['JUMPCLOUD_ORG_ID']);
  const region = readConnectionString(conn, where, 'region');
  let regionUrl: string | undefined;
  if (region !== undefined) {
    regionUrl = JUMPCLOUD_REGION_URLS[region.toLowerCase()];
    if (regionUrl === undefined) {
      const hint = didYouMean(region, Object.keys(JUMPCLOUD_REGION_URLS));
      throw new PermanentError(
        `${where}.region "${region}" is not a JumpCloud region; use one of ${Object.keys(JUMPCLOUD_REGION_URLS).join(', ')}${hint ? `. ${hint}` : ''}`,
        { code: 'JUMPCLOUD_BAD_SETTING' },
      );
    }
  }
  const baseUrl = firstSet(env['JUMPCLOUD_API_URL'], readConnectionString(conn, where, 'base_url'), regionUrl) ?? DEFAULT_JUMPCLOUD_URL;
  return { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey, ...(orgId === undefined ? {} : { orgId }) };
}

function firstSet(...values: Array<string | undefined>): string | undefined {
  for (const value of values) {
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function readConnectionString(connection: Readonly<Record<string, unknown>>, where: string, key: string): string | undefined {
  const value = connection[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    // Never echo the value: for api_key it would be the secret itself.
    throw new PermanentError(`${where}.${key} must be a string, got ${Array.isArray(value) ? 'an array' : typeof value}`, {
      code: 'JUMPCLOUD_BAD_SETTING',
    });
  }
  return value;
}

/**
 * {@link resolveJumpCloudSettings} under the sandbox rule the actions and the Directory Insights
 * source share: a sandbox connection (`sandbox: true`, or a run or serve started with
 * `--sandbox`) must name its own `base_url` and reads nothing from the environment, nor the
 * step's organisation, so a real key never reaches an emulator and an emulator's key never
 * reaches JumpCloud. Any other connection falls back to `env()` (only called then, so a real
 * key read through a secret resolver is not even touched in a sandbox).
 *
 * @throws PermanentError for a sandbox connection without `base_url`, and as
 *   {@link resolveJumpCloudSettings} does.
 */
export function resolveConnectionSettings(
  connection: Readonly<Record<string, unknown>>,
  options: { connectionName: string; sandbox: boolean; env: () => NodeJS.ProcessEnv; orgId?: string | undefined },
): JumpCloudSettings {
  const { connectionName, sandbox } = options;
  if (!sandbox) return resolveJumpCloudSettings(connection, options.env(), options.orgId, connectionName);
  if (typeof connection['base_url'] !== 'string') {
    throw new PermanentError(
      `connections.${connectionName} is a sandbox connection without a base_url; a sandbox never falls back to JUMPCLOUD_API_URL or the JumpCloud host`,
      { code: 'JUMPCLOUD_BAD_SETTING', details: { connection: connectionName } },
    );
  }
  return resolveJumpCloudSettings(connection, {}, undefined, connectionName);
}
