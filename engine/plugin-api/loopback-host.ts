import { isIP } from 'node:net';

/**
 * Whether a host name reaches only this machine: `localhost` (and `*.localhost`, RFC 6761),
 * `127.0.0.0/8`, `::1` (bare or in brackets, as `URL.hostname` gives it). A plugin uses it to
 * keep a sandbox run (`ctx.sandbox`) away from real services.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}
