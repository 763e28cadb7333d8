import type { FastifyInstance } from 'fastify';
import '../auth/request-principal.js';

/**
 * Declares `request.principal` (undefined until a sign-in hook recognises the sender), once per
 * app: the API tokens and the console's sign-in both call it, whichever is registered first.
 */
export function decoratePrincipal(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
}
