import type { FastifyRequest } from 'fastify';
import type { SessionClaims } from './session-cookie.js';

/**
 * The console session a request was signed in with, kept beside the request (not on it, so that
 * no route can mistake it for the principal, which every sign-in method sets).
 */
const sessions = new WeakMap<FastifyRequest, { claims: SessionClaims; csrfToken: string }>();

/** Records that `request` is authenticated by a console session (the session hook does). */
export function setRequestSession(request: FastifyRequest, session: { claims: SessionClaims; csrfToken: string }): void {
  sessions.set(request, session);
}

/** The session `request` was authenticated by; undefined for API tokens and anonymous requests. */
export function requestSession(request: FastifyRequest): { claims: SessionClaims; csrfToken: string } | undefined {
  return sessions.get(request);
}

/**
 * The CSRF token to put in the console's forms (a hidden `_csrf` field) and fetch calls (an
 * `x-csrf-token` header) for this request's session; undefined when it has none (API tokens and
 * anonymous requests need none).
 */
export function csrfToken(request: FastifyRequest): string | undefined {
  return sessions.get(request)?.csrfToken;
}
