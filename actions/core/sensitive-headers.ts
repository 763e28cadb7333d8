import type { ActionContext } from '../../engine/plugin-api/context.js';

/** Header names whose values are credentials (matched case-insensitively, anywhere in the name). */
const SENSITIVE_HEADER = /auth|token|key|secret|password|signature|cookie|session/i;

/**
 * Registers the values of credential-bearing headers (`Authorization`, `X-Api-Key`, `Cookie`,
 * `X-Hub-Signature`, …) for redaction, so that no log line or record shows them even when they
 * were typed into the template instead of coming from `{{secret "…"}}`. Other header values
 * (`Content-Type`, `Accept`) are left alone: redacting common words would garble every log.
 * For `Authorization: Bearer <token>` the token alone is registered too.
 */
export function redactSensitiveHeaders(ctx: Pick<ActionContext, 'addRedaction'>, headers: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!SENSITIVE_HEADER.test(name) || value.trim() === '') continue;
    ctx.addRedaction(value);
    const credentials = /^\s*\S+\s+(\S{4,})\s*$/.exec(value)?.[1];
    if (credentials !== undefined) ctx.addRedaction(credentials);
  }
}

