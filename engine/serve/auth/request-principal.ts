import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasRole, type Principal, type Role } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Who sent the request, once a sign-in hook recognised them (an API token, a console
     * session); undefined for anonymous requests.
     */
    principal: Principal | undefined;
  }
}

/**
 * A Fastify `preHandler` that lets through only a principal holding at least `role`: anonymous
 * requests get 401 (JSON routes) or a redirect to the sign-in page (console pages, when
 * `signInPath` is given), a weaker role 403. Errors use serve's shape `{error: {code, message}}`.
 */
export function requireRole(role: Role, signInPath?: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const principal = request.principal;
    if (principal === undefined) {
      if (signInPath !== undefined && request.method === 'GET') {
        await reply.redirect(`${signInPath}?next=${encodeURIComponent(request.url)}`, 303);
        return;
      }
      await reply.code(401).header('www-authenticate', 'Bearer realm="idflow"').send({ error: { code: 'UNAUTHORISED', message: 'sign in, or send an API token as "Authorization: Bearer <token>"' } });
      return;
    }
    if (!hasRole(principal.role, role)) {
      await reply.code(403).send({ error: { code: 'FORBIDDEN', message: `${principal.name} is a ${principal.role}; this needs the ${role} role` } });
    }
  };
}
