import type { FastifyInstance } from 'fastify';
import { appWide } from './app-wide.js';
import type { ConsoleAuthState } from './console-auth-state.js';
import { setRequestSession } from './request-session.js';
import { SESSION_COOKIE } from './session-cookie.js';

/**
 * An app-wide `onRequest` hook that signs in requests carrying a valid console session cookie:
 * it sets `request.principal` (`via: 'password'` or `'oidc'`) and records the session for the
 * CSRF check and `csrfToken(request)`. It leaves alone requests that already have a principal or
 * carry an Authorization header (API tokens decide those). A local user's role is read from the
 * config at every request, and a user removed from it or given a new password is signed out. A
 * cookie that is expired, signed out, tampered with or signed with another key is ignored (the
 * request is anonymous) and cleared.
 *
 * Needs @fastify/cookie registered before it (`consoleAuthPlugin` does).
 */
export const consoleSessionHook = appWide(async (app: FastifyInstance, options: { auth: ConsoleAuthState }): Promise<void> => {
  const { sessions, settings, tls } = options.auth;
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    if (request.principal !== undefined || request.headers.authorization !== undefined) return;
    const value = request.cookies[SESSION_COOKIE];
    if (value === undefined || value === '') return;
    const claims = sessions?.read(value);
    let role = claims?.role;
    if (claims !== undefined && claims.via === 'password') {
      const user = settings.users.get(claims.name);
      role = user !== undefined && sessions?.matchesPassword(claims, user.passwordHash) ? user.role : undefined;
    }
    if (claims === undefined || sessions === undefined || role === undefined) {
      // The browser stops sending a cookie that can no longer sign anyone in.
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: tls });
      return;
    }
    request.principal = { name: claims.name, role, via: claims.via };
    setRequestSession(request, { claims, csrfToken: sessions.csrfToken(claims) });
  });
}, 'idflow-console-session');
