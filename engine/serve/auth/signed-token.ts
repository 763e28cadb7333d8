import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Small signed values for cookies: `base64url(JSON).base64url(HMAC-SHA256)`. The HMAC covers a
 * purpose label as well as the payload, so that a value signed for one cookie (the OIDC state)
 * is never accepted as another (a session), though one key signs both.
 */

/** What a signed value is for; part of what the HMAC covers. */
export type TokenPurpose = 'session' | 'oidc-state' | 'csrf' | 'pre-session';

/** Signs `payload` (plain JSON data) for `purpose`. */
export function signToken(secret: string, purpose: TokenPurpose, payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${body}.${mac(secret, purpose, body)}`;
}

/**
 * The payload of a value {@link signToken} made with the same key and purpose, or undefined for
 * anything else: a changed payload or signature, another purpose, text that is not a token.
 */
export function verifyToken(secret: string, purpose: TokenPurpose, token: string): unknown {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const body = token.slice(0, dot);
  if (!equalText(token.slice(dot + 1), mac(secret, purpose, body))) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** HMAC-SHA256 of `text` for `purpose`, base64url: also the CSRF tokens (see csrf.ts). */
export function mac(secret: string, purpose: TokenPurpose, text: string): string {
  return createHmac('sha256', secret).update(`idflow:${purpose}:${text}`).digest('base64url');
}

/** Compares two strings in time that does not depend on where they differ. */
export function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
