import type { FastifyInstance } from 'fastify';
import { IdflowError } from '../../errors/idflow-error.js';
import { requireRole } from '../auth/request-principal.js';
import type { EventView } from '../event-intake.js';
import { sendError } from './error-reply.js';

/** Options of {@link apiEventRoutes}. */
export interface ApiEventOptions {
  /** An accepted event's record with its runs' statuses; undefined when unknown. */
  event(source: string, id: string): EventView | undefined;
}

/**
 * `GET /api/events/{source}/{id}` (viewer): what became of an event: its runs with their status
 * now, the workflows still pending (waiting for a slot, or for a transient failure to pass) and
 * the ones skipped, with why. A sender that got no answer, or whose retry was answered
 * `duplicate`, can tell a succeeded run from an interrupted or failed one.
 */
export async function apiEventRoutes(app: FastifyInstance, options: ApiEventOptions): Promise<void> {
  app.get<{ Params: { source: string; id: string } }>('/api/events/:source/:id', { preHandler: requireRole('viewer') }, async (request, reply) => {
    const { source, id } = request.params;
    let view: EventView | undefined;
    try {
      view = options.event(source, id);
    } catch (error) {
      if (error instanceof IdflowError && error.code === 'INVALID_SOURCE') return sendError(reply, 404, 'EVENT_NOT_FOUND', error.message);
      throw error;
    }
    if (view === undefined) return sendError(reply, 404, 'EVENT_NOT_FOUND', `no event with id "${id}" was accepted from the source "${source}" (or its record is older than serve.event_retention)`);
    return view;
  });
}
