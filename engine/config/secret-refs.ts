import { PermanentError } from '../errors/action-errors.js';
import type { ConnectionResolver, ConnectionSettings, SecretResolver } from '../plugin-api/context.js';
import type { IdflowConfig, SecretRef } from './config-types.js';
import { weakSecretReason } from './secret-strength.js';

/** The environment secrets are read from (normally `process.env`). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** True for `{ env: NAME }` (and nothing else in the map). */
export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'env' && typeof (value as SecretRef).env === 'string';
}

/**
 * The value of a secret reference.
 * @param where - what needs it, for the error (e.g. `connection "jumpcloud" (api_key)`).
 * @throws PermanentError (`SECRET_MISSING`) naming the variable and `where` when it is unset or empty;
 *   (`SECRET_WEAK`) when its value is too short or only white space (see `weakSecretReason`).
 */
export function resolveSecretRef(ref: SecretRef, env: Environment, where: string): string {
  const value = env[ref.env];
  if (value === undefined || value === '') {
    throw new PermanentError(`${where} needs the environment variable ${ref.env}, which is ${value === undefined ? 'not set' : 'empty'}; set it before running idflow`, {
      code: 'SECRET_MISSING',
      details: { variable: ref.env, where },
    });
  }
  return checkedSecret(value, `${where} reads the environment variable ${ref.env}`, { variable: ref.env, where });
}

/**
 * `value` when it is strong enough to be a secret.
 * @param what - names the secret for the error, e.g. `the secret "PSA_TOKEN"`.
 * @throws PermanentError (`SECRET_WEAK`) saying why, never quoting the value.
 */
export function checkedSecret(value: string, what: string, details: Record<string, unknown> = {}): string {
  const reason = weakSecretReason(value);
  if (reason === undefined) return value;
  throw new PermanentError(`${what}, whose value ${reason}; nothing was sent with it`, { code: 'SECRET_WEAK', details });
}

/**
 * The config's connections with their `{ env: NAME }` values resolved.
 *
 * Every secret value that is available is reported through `onSecret` at once (so that it is
 * redacted from everything written afterwards, whichever connection is used); a variable that
 * is missing is an error only when a connection that needs it is used (`get` throws a
 * `PermanentError` naming the variable and the connection and key), so an unrelated workflow
 * is not blocked by a connection it never touches.
 */
export function resolveConnections(config: Pick<IdflowConfig, 'connections'>, env: Environment, onSecret: (value: string) => void): ConnectionResolver {
  const resolved = new Map<string, ConnectionSettings>();
  for (const settings of Object.values(config.connections)) reportSecrets(settings, env, onSecret);
  return {
    get(name: string): ConnectionSettings | undefined {
      if (!Object.hasOwn(config.connections, name)) return undefined;
      const cached = resolved.get(name);
      if (cached) return cached;
      const settings = resolveDeep(config.connections[name], env, (key) => `connection "${name}" (${key})`, onSecret) as ConnectionSettings;
      resolved.set(name, Object.freeze(settings));
      return settings;
    },
  };
}

/**
 * Secrets by name: the config's `secrets:` references, else an environment variable of that
 * name. Every value returned is reported through `onSecret`; `require` throws a
 * `PermanentError` (`SECRET_MISSING`) naming the secret, and both throw `SECRET_WEAK` for a
 * value too short to be a secret (the config's own are refused at start-up already; an
 * environment variable a template names is checked here, when it is read).
 */
export function resolveSecrets(config: Pick<IdflowConfig, 'secrets'>, env: Environment, onSecret: (value: string) => void): SecretResolver {
  for (const ref of Object.values(config.secrets)) {
    const value = env[ref.env];
    if (value) onSecret(value);
  }
  const lookup = (name: string): string | undefined => {
    const ref = Object.hasOwn(config.secrets, name) ? config.secrets[name] : undefined;
    const value = ref ? env[ref.env] : env[name];
    if (value === undefined || value === '') return undefined;
    // Registered before the check: a refused value is still never written.
    onSecret(value);
    return checkedSecret(value, ref ? `The secret "${name}" reads the environment variable ${ref.env}` : `The secret "${name}" is the environment variable ${name}`, { secret: name });
  };
  return {
    get: lookup,
    require(name: string): string {
      const value = lookup(name);
      if (value !== undefined) return value;
      const ref = Object.hasOwn(config.secrets, name) ? config.secrets[name] : undefined;
      const how = ref ? `the config's secrets: reads it from the environment variable ${ref.env}, which is not set` : `it is not under secrets: in the config file and no environment variable ${name} is set`;
      throw new PermanentError(`The secret "${name}" is needed but not configured: ${how}`, { code: 'SECRET_MISSING', details: { secret: name } });
    },
  };
}

function reportSecrets(value: unknown, env: Environment, onSecret: (value: string) => void): void {
  if (isSecretRef(value)) {
    const secret = env[value.env];
    if (secret) onSecret(secret);
  } else if (Array.isArray(value)) for (const item of value) reportSecrets(item, env, onSecret);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) reportSecrets(item, env, onSecret);
}

function resolveDeep(value: unknown, env: Environment, where: (key: string) => string, onSecret: (value: string) => void, key = ''): unknown {
  if (isSecretRef(value)) {
    const secret = resolveSecretRef(value, env, where(key));
    onSecret(secret);
    return secret;
  }
  if (Array.isArray(value)) return value.map((item, index) => resolveDeep(item, env, where, onSecret, `${key}[${index}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, resolveDeep(item, env, where, onSecret, key === '' ? k : `${key}.${k}`)]));
  }
  return value;
}
