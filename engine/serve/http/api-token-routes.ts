import type { FastifyInstance } from 'fastify';
import { requireRole } from '../auth/request-principal.js';
import type { ApiToken } from './api-tokens.js';

/** Options of {@link apiTokenRoutes}. */
export interface ApiTokenRoutesOptions {
  tokens: readonly ApiToken[];
}

/**
 * `GET /api/tokens` (admin): who may use the API with a bearer token, `{tokens: [{name, role}]}`
 * in the order of the config (`serve.token`, when set, is the admin named `serve.token`). Never
 * a token's value, nor any part of it: the tokens live in the environment, and whoever reads
 * this list learns who can act, not how to act as them.
 */
export async function apiTokenRoutes(app: FastifyInstance, options: ApiTokenRoutesOptions): Promise<void> {
  const listed = options.tokens.map((token) => ({ name: token.name, role: token.role }));
  app.get('/api/tokens', { preHandler: requireRole('admin') }, async () => ({ tokens: listed }));
}
