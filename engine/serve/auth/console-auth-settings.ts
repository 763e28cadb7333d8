import type { Problem } from '../../diagnostics/problem.js';
import type { ConsoleConfig, Environment } from '../../config/index.js';
import { parseDuration } from '../../loader/duration.js';
import { parsePasswordHash } from './password-hash.js';
import { ROLES, type Role } from './principal.js';
import { settingsProblems, type SettingsSource } from '../settings-problems.js';

/** `serve.console`'s settings with defaults filled and secrets resolved. */
export interface ConsoleAuthSettings {
  /** Local users by name. */
  users: ReadonlyMap<string, { role: Role; passwordHash: string }>;
  /**
   * The key that signs session cookies and CSRF tokens, and how long a session lasts;
   * undefined when `serve.console.session` is not configured: then nobody can sign in, and the
   * sign-in page says so (see {@link ConsoleAuthSettings.unavailable}).
   */
  session: { secret: string; maxAgeMs: number } | undefined;
  /** Single sign-on; undefined when not configured. */
  oidc: OidcSettings | undefined;
  /** Why nobody can sign in, in words for the sign-in page; undefined when someone can. */
  unavailable: string | undefined;
}

/** `serve.console.oidc` with defaults filled. */
export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** The callback URL; undefined: derived from the URL the browser used. */
  redirectUrl: URL | undefined;
  scopes: readonly string[];
  roleClaim: string;
  /** Claims tried in order for the principal's name. */
  nameClaims: readonly string[];
  /** Group names granting each role. */
  roles: Readonly<Record<Role, readonly string[]>>;
  /** How the sign-in page names the provider. */
  displayName: string;
}

/** Defaults of {@link ConsoleAuthSettings}. */
export const CONSOLE_AUTH_DEFAULTS = {
  sessionMaxAgeMs: 8 * 3_600_000,
  scopes: ['openid', 'profile', 'email', 'groups'],
  roleClaim: 'groups',
  nameClaims: ['preferred_username', 'email'],
} as const;

/** The fewest characters of the session key: it signs every session, so it must not be guessable offline. */
export const MIN_SESSION_SECRET_CHARS = 32;

/** Hosts where the issuer may be plain http (a provider the tests or a developer run locally). */
const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/**
 * Fills `serve.console` (already schema-checked) with defaults and reads its secrets from the
 * environment, the way `resolveServeSettings` does for the rest of `serve:`: a missing or weak
 * secret, a password hash idflow cannot verify, a user listed twice or an insecure issuer is a
 * problem at start-up, at its place in the config, rather than a refused sign-in later.
 *
 * @param locate - places problems at their config entry.
 */
export function resolveConsoleAuthSettings(
  config: ConsoleConfig | undefined,
  env: Environment,
  where: SettingsSource,
): { settings: ConsoleAuthSettings; problems: Problem[] } {
  const { problems, problem, secret } = settingsProblems(env, where);

  const users = new Map<string, { role: Role; passwordHash: string }>();
  (config?.users ?? []).forEach((user, index) => {
    const pointer = `/serve/console/users/${index}`;
    if (users.has(user.name)) {
      problem(`${pointer}/name`, 'duplicate-user', `serve.console.users[${index}]: the user "${user.name}" is listed twice`, 'Give each user one entry');
      return;
    }
    const parsed = parsePasswordHash(user.password_hash);
    if (!parsed.ok) {
      problem(`${pointer}/password_hash`, 'invalid-password-hash', `serve.console.users[${index}].password_hash of "${user.name}" ${parsed.reason}`, 'Print a new one with idflow serve hash-password');
      return;
    }
    users.set(user.name, { role: user.role, passwordHash: user.password_hash });
  });

  let session: ConsoleAuthSettings['session'];
  if (config?.session !== undefined) {
    const value = secret(config.session.secret, '/serve/console/session/secret', 'serve.console.session.secret');
    const maxAgeMs = config.session.max_age === undefined ? CONSOLE_AUTH_DEFAULTS.sessionMaxAgeMs : parseDuration(config.session.max_age) ?? CONSOLE_AUTH_DEFAULTS.sessionMaxAgeMs;
    if (maxAgeMs < 60_000) problem('/serve/console/session/max_age', 'invalid-duration', `serve.console.session.max_age is ${maxAgeMs} ms; a session must last at least 1m`);
    if (value !== undefined && value.trim().length < MIN_SESSION_SECRET_CHARS) {
      problem('/serve/console/session/secret', 'weak-secret', `serve.console.session.secret reads the environment variable ${config.session.secret.env}, whose value is ${value.trim().length} characters long; the key that signs sessions needs at least ${MIN_SESSION_SECRET_CHARS}`, `Set ${config.session.secret.env} to a generated value, e.g. $(openssl rand -hex 32)`);
    } else if (value !== undefined) session = { secret: value, maxAgeMs };
  } else if (config !== undefined && (users.size > 0 || config.oidc !== undefined)) {
    problem('/serve/console', 'session-missing', 'serve.console has users or oidc but no session: without a session key nobody can sign in', 'Add session: { secret: { env: IDFLOW_SESSION_SECRET } } and set that variable to $(openssl rand -hex 32)');
  }

  const oidc = config?.oidc === undefined ? undefined : resolveOidc(config.oidc, secret, problem);
  const unavailable = session === undefined
    ? 'Sign-in is not configured on this server: serve.console.session (the key that signs sessions) is not set. An administrator must add it to the config.'
    : users.size === 0 && oidc === undefined
      ? 'Sign-in is not configured on this server: serve.console has neither users nor oidc. An administrator must add one of them to the config.'
      : undefined;
  return { settings: { users, session, oidc, unavailable }, problems };
}

function resolveOidc(
  oidc: NonNullable<ConsoleConfig['oidc']>,
  secret: (ref: { env: string }, pointer: string, what: string) => string | undefined,
  problem: (pointer: string, code: string, message: string, suggestion?: string) => void,
): OidcSettings | undefined {
  const issuer = url(oidc.issuer, '/serve/console/oidc/issuer', 'serve.console.oidc.issuer', problem);
  const redirectUrl = oidc.redirect_url === undefined ? undefined : url(oidc.redirect_url, '/serve/console/oidc/redirect_url', 'serve.console.oidc.redirect_url', problem);
  if (redirectUrl !== undefined && !redirectUrl.pathname.endsWith('/auth/oidc/callback')) {
    problem('/serve/console/oidc/redirect_url', 'invalid-redirect-url', `serve.console.oidc.redirect_url must end in /auth/oidc/callback, where idflow serve receives the provider's answer; got ${redirectUrl.pathname}`);
  }
  const clientSecret = secret(oidc.client_secret, '/serve/console/oidc/client_secret', 'serve.console.oidc.client_secret');
  const roles = { viewer: oidc.roles.viewer ?? [], operator: oidc.roles.operator ?? [], admin: oidc.roles.admin ?? [] };
  if (ROLES.every((role) => roles[role].length === 0)) problem('/serve/console/oidc/roles', 'no-role-mapping', 'serve.console.oidc.roles grants no role to any group: nobody could sign in', 'List the provider\'s group names under admin, operator or viewer');
  if (issuer === undefined || clientSecret === undefined) return undefined;
  const scopes = oidc.scopes ?? CONSOLE_AUTH_DEFAULTS.scopes;
  return {
    issuer,
    clientId: oidc.client_id,
    clientSecret,
    redirectUrl,
    // The ID token (and with it the nonce check) comes only with the openid scope.
    scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
    roleClaim: oidc.role_claim ?? CONSOLE_AUTH_DEFAULTS.roleClaim,
    nameClaims: oidc.name_claim === undefined ? CONSOLE_AUTH_DEFAULTS.nameClaims : [oidc.name_claim],
    roles,
    displayName: oidc.display_name ?? issuer.host,
  };
}

/** An https URL, or http on loopback; else a problem. */
function url(text: string, pointer: string, what: string, problem: (pointer: string, code: string, message: string, suggestion?: string) => void): URL | undefined {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    problem(pointer, 'invalid-url', `${what} is not a URL: "${text}"`);
    return undefined;
  }
  if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) return parsed;
  problem(pointer, 'insecure-url', `${what} must be an https URL (plain http only on loopback); got ${parsed.protocol}//${parsed.host}`, 'Sign-in codes and tokens must not cross the network in clear text');
  return undefined;
}
