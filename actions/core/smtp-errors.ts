import { IdflowError } from '../../engine/errors/idflow-error.js';
import { PermanentError, TransientError } from '../../engine/errors/action-errors.js';
import { classifyError } from '../../engine/errors/classify.js';
import { abortedError } from './abort-error.js';
import { smtpServerName, type SmtpSettings } from './smtp-settings.js';

/** The fields nodemailer puts on its errors (see nodemailer's `NodemailerError`). */
interface NodemailerErrorFields {
  name?: string;
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejected?: string[];
  originalCode?: string;
}

/** Node's codes for a certificate the client does not trust. */
const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS/;

/**
 * Turns an error from nodemailer's SMTP transport into an idflow error that says what went
 * wrong with which server, and whether trying again can help:
 * - unreachable server, dropped connection, timeouts, `421` and other `4xx` replies: transient;
 * - failed login (`535`), missing credentials (`530`), rejected recipients (`550`), other `5xx`
 *   replies and untrusted certificates: permanent, with a hint at the setting to fix;
 * - the step's signal: a timeout or a cancellation.
 *
 * The password never appears in the message: it is cut out of any server reply quoted.
 */
export function smtpError(error: unknown, settings: SmtpSettings, signal: AbortSignal): IdflowError {
  if (error instanceof IdflowError) return error;
  const server = smtpServerName(settings);
  const fields: NodemailerErrorFields = typeof error === 'object' && error !== null ? (error as NodemailerErrorFields) : {};
  const scrub = (text: string): string => (settings.password === undefined || settings.password === '' ? text : text.split(settings.password).join('[redacted]'));
  const reply = scrub(fields.response ?? fields.message ?? String(error));
  const setting = (key: string) => `connections.${settings.connection}.${key}`;

  if (fields.name === 'AbortError' || fields.code === 'EABORT' || signal.aborted) {
    return abortedError(signal, `Sending email through SMTP server ${server}`, error);
  }
  const code = fields.responseCode;
  if (fields.code === 'EAUTH') {
    if (code !== undefined && code >= 400 && code < 500) {
      return new TransientError(`SMTP server ${server} could not check the login of "${settings.username ?? ''}" right now: ${reply}`, { cause: error });
    }
    return new PermanentError(
      `SMTP server ${server} rejected the login of "${settings.username ?? ''}"${code === undefined ? '' : ` (${code})`}: ${reply}. Check ${setting('username')} and ${setting('password')}`,
      { code: 'SMTP_AUTH_FAILED', cause: error, details: { server, ...(code === undefined ? {} : { responseCode: code }) } },
    );
  }
  if (fields.code === 'ENOAUTH' || code === 530) {
    return new PermanentError(`SMTP server ${server} requires a login: set ${setting('username')} and ${setting('password')}`, {
      code: 'SMTP_AUTH_REQUIRED',
      cause: error,
      details: { server },
    });
  }
  const certificate = [fields.originalCode, fields.code].find((c) => c !== undefined && CERTIFICATE_CODES.test(c));
  if (fields.code === 'ETLS' || certificate !== undefined) {
    return new PermanentError(
      `TLS with SMTP server ${server} failed: ${scrub(fields.message ?? String(error))}. If this is a test server with a self-signed certificate, set ${setting('tls_reject_unauthorized')}: false`,
      { code: 'SMTP_TLS', cause: error, details: { server } },
    );
  }
  if (code !== undefined) {
    // RFC 5321: 4yz replies are transient; 503 (bad sequence) too, a new session can pass.
    if ((code >= 400 && code < 500) || code === 503) {
      return new TransientError(`SMTP server ${server} refused the message for now (${fields.command ?? 'reply'}): ${reply}`, { cause: error, details: { server, responseCode: code } });
    }
    if (fields.code === 'EENVELOPE' && fields.command === 'RCPT TO') {
      const rejected = fields.rejected ?? [];
      return new PermanentError(`SMTP server ${server} rejected the recipient${rejected.length === 1 ? '' : 's'} ${rejected.join(', ')}: ${reply}`, {
        code: 'SMTP_RECIPIENT_REJECTED',
        cause: error,
        details: { server, responseCode: code, rejected },
      });
    }
    if (code >= 500) {
      return new PermanentError(`SMTP server ${server} rejected the message (${fields.command ?? 'reply'}): ${reply}`, { code: 'SMTP_REJECTED', cause: error, details: { server, responseCode: code } });
    }
  }
  if (fields.code === 'ECONNECTION' || fields.code === 'ESOCKET' || fields.code === 'ETIMEDOUT' || fields.code === 'EDNS' || fields.code === 'EPROTOCOL') {
    return new TransientError(`Could not deliver through SMTP server ${server}: ${scrub(fields.message ?? String(error))}`, { cause: error, details: { server } });
  }
  if (fields.code === 'ECONFIG') {
    return new PermanentError(`The email could not be prepared for SMTP server ${server}: ${scrub(fields.message ?? String(error))}`, { code: 'SMTP_CONFIG', cause: error });
  }
  const classified = classifyError(error);
  const message = `Sending email through SMTP server ${server} failed: ${scrub(classified.message)}`;
  return classified.retryable ? new TransientError(message, { cause: error }) : new PermanentError(message, { cause: error });
}
