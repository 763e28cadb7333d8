import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { appWide } from './app-wide.js';
import { consoleAuthState, type ConsoleAuthOptions } from './console-auth-state.js';
import { consoleCsrfHook } from './csrf-hook.js';
import { oidcRoutes } from './oidc-routes.js';
import { consoleSessionHook } from './session-hook.js';
import { signInRoutes } from './sign-in-routes.js';

/**
 * Signing in to the console, as one plugin to register before the routes: @fastify/cookie
 * (unless the app has it already), the session hook that sets `request.principal` from a
 * session cookie, the CSRF check of state-changing requests made with one, and the routes
 * `GET|POST /sign-in`, `POST /sign-out`, `GET /auth/oidc/start` and `GET /auth/oidc/callback`.
 * Its hooks apply app-wide; pages read `csrfToken(request)` for their forms.
 */
export const consoleAuthPlugin = appWide(async (app: FastifyInstance, options: ConsoleAuthOptions): Promise<void> => {
  const auth = consoleAuthState(options);
  if (!app.hasRequestDecorator('cookies')) await app.register(cookie);
  await app.register(consoleSessionHook, { auth });
  await app.register(consoleCsrfHook, { auth });
  await app.register(signInRoutes, { auth });
  await app.register(oidcRoutes, { auth });
}, 'idflow-console-auth');
