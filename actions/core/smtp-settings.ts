import type { SMTPTransportOptions } from 'nodemailer';
import { PermanentError } from '../../engine/errors/action-errors.js';
import type { ConnectionSettings } from '../../engine/plugin-api/context.js';
import { didYouMean } from '../../engine/diagnostics/suggest.js';

/** An SMTP connection's settings, checked. */
export interface SmtpSettings {
  /** The connection's name in the config (`smtp` unless the step names another). */
  connection: string;
  host: string;
  port: number;
  /** TLS from the start (`smtps://`, port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  username?: string;
  /** Resolved by the engine from `{ env: NAME }`; the caller must register it for redaction. */
  password?: string;
  /** The default sender. */
  from?: string;
  /** False only for test servers with self-signed certificates. */
  rejectUnauthorized: boolean;
}

/** The settings an SMTP connection may have. */
const KNOWN_KEYS = ['url', 'host', 'port', 'secure', 'username', 'password', 'from', 'tls_reject_unauthorized', 'description'] as const;

/**
 * Checks an SMTP connection from the config and turns it into {@link SmtpSettings}.
 * Either `url` (`smtp://host:587`, `smtps://host`, optionally with `user:password@`) or `host`
 * (with `port` and `secure`) is required. Values may be strings, as they are when they come from
 * environment variables (`port: "587"`, `secure: "true"`).
 *
 * @param name - the connection's name, for messages (`connections.<name>.<key>`).
 * @param settings - the connection's settings, secrets resolved.
 * @param warn - told about unknown keys (a typo like `usernme` would otherwise fail later as a
 *   confusing authentication error).
 * @throws PermanentError (code `SMTP_CONFIG`) naming the key that is wrong.
 */
export function readSmtpSettings(name: string, settings: ConnectionSettings, warn: (message: string) => void = () => {}): SmtpSettings {
  const where = (key: string) => `connections.${name}.${key}`;
  const fail = (message: string): never => {
    throw new PermanentError(`SMTP connection "${name}": ${message}`, { code: 'SMTP_CONFIG' });
  };
  for (const key of Object.keys(settings)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      const hint = didYouMean(key, KNOWN_KEYS);
      warn(`SMTP connection "${name}" has an unknown setting "${key}"; it is ignored.${hint === undefined ? '' : ` ${hint}`}`);
    }
  }
  const text = (key: string): string | undefined => {
    const value = settings[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number') return String(value);
    if (typeof value !== 'string') return fail(`${where(key)} must be a string, got ${typeof value}`);
    return value.trim() === '' ? undefined : value;
  };
  const flag = (key: string): boolean | undefined => {
    const value = settings[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|yes|on|1)$/i.test(value.trim())) return true;
    if (typeof value === 'string' && /^(false|no|off|0)$/i.test(value.trim())) return false;
    return fail(`${where(key)} must be true or false, got ${JSON.stringify(value)}`);
  };
  const portOf = (value: string, key: string): number => {
    const port = Number(value);
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : fail(`${where(key)} must be a port number (1-65535), got "${value}"`);
  };

  let host: string;
  let port: number | undefined;
  let secure = flag('secure');
  let username = text('username');
  let password = text('password');
  const url = text('url');
  if (url !== undefined) {
    if (text('host') !== undefined) fail(`set either ${where('url')} or ${where('host')}, not both`);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return fail(`${where('url')} is not a valid URL; expected e.g. smtp://mail.example.com:587 or smtps://mail.example.com`);
    }
    if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') fail(`${where('url')} must start with smtp:// or smtps://, got "${parsed.protocol}//"`);
    if (parsed.hostname === '') fail(`${where('url')} has no host`);
    if (parsed.search !== '' || (parsed.pathname !== '' && parsed.pathname !== '/')) {
      fail(`${where('url')} must be just smtp[s]://[user:password@]host[:port]; put TLS options in ${where('tls_reject_unauthorized')}`);
    }
    const urlSecure = parsed.protocol === 'smtps:';
    if (secure !== undefined && secure !== urlSecure) fail(`${where('secure')} contradicts the ${parsed.protocol}// scheme of ${where('url')}`);
    secure = urlSecure;
    host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    if (parsed.port !== '') port = portOf(parsed.port, 'url');
    if (parsed.username !== '') {
      if (username !== undefined) fail(`the user name is given both in ${where('url')} and in ${where('username')}`);
      username = decodeURIComponent(parsed.username);
    }
    if (parsed.password !== '') {
      if (password !== undefined) fail(`the password is given both in ${where('url')} and in ${where('password')}`);
      password = decodeURIComponent(parsed.password);
    }
  } else {
    const configuredHost = text('host');
    if (configuredHost === undefined) {
      return fail(`set ${where('url')} (e.g. smtp://mail.example.com:587) or ${where('host')}`);
    }
    host = configuredHost;
  }
  const configuredPort = text('port');
  if (configuredPort !== undefined) {
    if (port !== undefined) fail(`the port is given both in ${where('url')} and in ${where('port')}`);
    port = portOf(configuredPort, 'port');
  }
  if (password !== undefined && username === undefined) fail(`${where('password')} is set but ${where('username')} is not`);
  if (username !== undefined && password === undefined) fail(`${where('username')} is set but ${where('password')} is not (e.g. password: { env: SMTP_PASSWORD })`);
  const from = text('from');
  const rejectUnauthorized = flag('tls_reject_unauthorized') ?? true;
  const isSecure = secure ?? port === 465;
  return {
    connection: name,
    host,
    port: port ?? (isSecure ? 465 : 587),
    secure: isSecure,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    ...(from === undefined ? {} : { from }),
    rejectUnauthorized,
  };
}

/** `host:port`, how messages name the server. */
export function smtpServerName(settings: Pick<SmtpSettings, 'host' | 'port'>): string {
  return settings.host.includes(':') ? `[${settings.host}]:${settings.port}` : `${settings.host}:${settings.port}`;
}

/**
 * nodemailer's SMTP transport options for these settings. Timeouts are shorter than
 * nodemailer's defaults (2 minutes to connect, 10 minutes idle) so that an unreachable server
 * fails the attempt in good time and the step's retry policy takes over.
 */
export function smtpTransportOptions(settings: SmtpSettings): SMTPTransportOptions {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.username === undefined ? {} : { auth: { user: settings.username, ...(settings.password === undefined ? {} : { pass: settings.password }) } }),
    tls: { rejectUnauthorized: settings.rejectUnauthorized },
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    socketCloseTimeout: 1_000,
  };
}
