import type { FastifyInstance } from 'fastify';
import type { Role } from '../auth/principal.js';
import '../auth/request-principal.js';
import { markAuthenticated } from '../connection-gate.js';
import { sameSecret } from '../signature.js';
import { sendError } from './error-reply.js';
import { decoratePrincipal } from './principal-decorator.js';
import { sharedPlugin } from './shared-plugin.js';

/** An API token for scripts: who it stands for and what it may do. */
export interface ApiToken {
  /** Recorded as who acted (`initiated_by`, audit entries, serve's log). */
  name: string;
  role: Role;
  /** The token itself (resolved from the environment). */
  token: string;
}

/** Options of {@link apiTokens}. */
export interface ApiTokensOptions {
  tokens: readonly ApiToken[];
}

const CHALLENGE = { 'www-authenticate': 'Bearer realm="idflow"' };

/**
 * Signs in requests that carry `Authorization: Bearer <token>`: the token is compared, in
 * constant time, with every configured one (all of them, so the time taken says nothing about
 * which came close), and a match sets `request.principal` to the token's name and role, signed
 * in `via: 'token'`. A bearer token that matches none is answered 401 at once, never treated as
 * an anonymous request. Requests without one stay anonymous for the console's sign-in to
 * recognise, and each route's `requireRole` decides. Routes whose config says `bearer: false`
 * (the webhooks, authenticated by their signature) are left alone.
 */
export const apiTokens = sharedPlugin(async (app: FastifyInstance, options: ApiTokensOptions): Promise<void> => {
  decoratePrincipal(app);
  const tokens = [...options.tokens];
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.bearer === false) return undefined;
    const authorization = request.headers.authorization;
    const given = authorization === undefined ? undefined : /^Bearer[ \t]+(\S.*)$/i.exec(authorization.trim())?.[1]?.trim();
    if (given === undefined) return undefined;
    if (tokens.length === 0) return sendError(reply, 401, 'UNAUTHORISED', 'idflow serve has no API tokens (serve.api_tokens, serve.token in the config): a bearer token is never accepted', CHALLENGE);
    let found: ApiToken | undefined;
    for (const token of tokens) if (sameSecret(given, token.token) && found === undefined) found = token;
    if (found === undefined) return sendError(reply, 401, 'UNAUTHORISED', 'the bearer token is not one of serve.api_tokens', CHALLENGE);
    request.principal = { name: found.name, role: found.role, via: 'token' };
    markAuthenticated(request.raw);
    return undefined;
  });
});
