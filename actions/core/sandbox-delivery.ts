import { isLoopbackHost } from '../../engine/plugin-api/loopback-host.js';

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
