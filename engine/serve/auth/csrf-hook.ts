import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServeLogger } from '../serve-logger.js';
import { appWide } from './app-wide.js';
import type { ConsoleAuthState } from './console-auth-state.js';
import { requestSession } from './request-session.js';
import { equalText } from './signed-token.js';

/** Methods that change something: they need a CSRF token when a session cookie authenticates them. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The form field and the header that carry the CSRF token. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * An app-wide `preHandler` hook: a state-changing request authenticated by a console session
 * must carry the session's CSRF token (form field `_csrf` or header `x-csrf-token`), else 403
 * `CSRF_TOKEN_INVALID` and nothing is done. The cookie is SameSite=Strict, but that alone does
 * not stop every cross-site request in every browser; the token does. Exempt: requests
 * authenticated by an API token (a page of another site cannot send the header) and signed
 * webhooks (`POST /events/...`).
 */
export const consoleCsrfHook = appWide(async (app: FastifyInstance, options: { auth: ConsoleAuthState }): Promise<void> => {
  app.addHook('preHandler', async (request, reply) => {
    if (!STATE_CHANGING.has(request.method) || request.url.startsWith('/events/')) return;
    await refuseWithoutCsrf(request, reply, options.auth.logger);
    // An async hook that answered must return the reply, or Fastify goes on to the handler.
    if (reply.sent) return reply;
    return undefined;
  });
}, 'idflow-console-csrf');

/**
 * Answers 403 `CSRF_TOKEN_INVALID` (and logs who was refused) when a request authenticated by a
 * console session lacks its session's CSRF token; does nothing for a request that carries it or
 * has no session (API tokens, anonymous). The app-wide hook runs it before every state-changing
 * request; the console's form posts run it again themselves, so that a page can never be
 * registered without it.
 */
export async function refuseWithoutCsrf(request: FastifyRequest, reply: FastifyReply, logger: ServeLogger): Promise<void> {
  if (reply.sent) return;
  const session = requestSession(request);
  if (session === undefined) return;
  const given = givenToken(request);
  if (given !== undefined && equalText(given, session.csrfToken)) return;
  logger.warn(`refused ${request.method} ${request.url} by ${session.claims.name}: ${given === undefined ? 'no' : 'a wrong'} CSRF token`, { user: session.claims.name, address: request.ip });
  await reply.code(403).send({ error: { code: 'CSRF_TOKEN_INVALID', message: `${request.method} ${request.url} needs the session's CSRF token in the ${CSRF_FIELD} form field or the ${CSRF_HEADER} header; ${given === undefined ? 'none was sent' : 'the one sent is not this session\'s'} (reload the page and try again)` } });
}

function givenToken(request: FastifyRequest): string | undefined {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string' && header !== '') return header;
  const body = request.body;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const field = (body as Record<string, unknown>)[CSRF_FIELD];
    if (typeof field === 'string' && field !== '') return field;
  }
  return undefined;
}
