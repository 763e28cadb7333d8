import type { FastifyInstance } from 'fastify';

/** Options of {@link healthRoute}. */
export interface HealthRouteOptions {
  /** What serve reports about itself: counts, never runs or people. */
  health(): Record<string, unknown>;
}

/**
 * `GET /healthz` (open, no token, for load balancers): `{status: "ok", …counts}`. While serve
 * shuts down every request, this one included, is answered 503 by the guards (see serve-guards.ts).
 */
export async function healthRoute(app: FastifyInstance, options: HealthRouteOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok', ...options.health() }));
}
