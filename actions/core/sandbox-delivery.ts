import { isIP } from 'node:net';

/**
 * Whether a host name reaches only this machine: `localhost` (and `*.localhost`, RFC 6761),
 * `127.0.0.0/8`, `::1` (bare or in brackets, as `URL.hostname` gives it).
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * In sandbox mode, why a message for `server` is written to the outbox rather than sent; or
 * `undefined` when it may go out (not a sandbox run, or a server on this machine, such as a
 * local MailHog or a test webhook).
 *
 * @remarks
 * A sandbox run is for trying a template safely: the admin's config may well hold the real
 * SMTP server or Slack webhook, and a trial offboarding must not email a real manager.
 */
export function sandboxHoldReason(sandbox: boolean, hostname: string, server: string): string | undefined {
  if (!sandbox || isLoopbackHost(hostname)) return undefined;
  return `sandbox mode: ${server} is not on this machine, so nothing is sent to it`;
}
