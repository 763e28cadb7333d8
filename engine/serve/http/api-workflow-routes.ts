import type { FastifyInstance } from 'fastify';
import { requireRole } from '../auth/request-principal.js';
import type { WorkflowDetail } from '../../workflows/workflow-detail.js';
import type { WorkflowSummary } from '../../workflows/workflow-summary.js';
import { sendError } from './error-reply.js';

/** Options of {@link apiWorkflowRoutes}. */
export interface ApiWorkflowOptions {
  /** Every served workflow's summary. */
  workflows(): WorkflowSummary[];
  /** One served workflow in full; undefined when serve does not serve that id. */
  workflow(id: string): WorkflowDetail | undefined;
}

/**
 * `GET /api/workflows`: every served workflow with its state, triggers, last run and next slot.
 * `GET /api/workflows/{id}`: one of them in full (inputs, variables, triggers, steps, its YAML).
 * Both need the viewer role.
 */
export async function apiWorkflowRoutes(app: FastifyInstance, options: ApiWorkflowOptions): Promise<void> {
  const viewer = requireRole('viewer');
  app.get('/api/workflows', { preHandler: viewer }, async () => ({ workflows: options.workflows() }));
  app.get<{ Params: { id: string } }>('/api/workflows/:id', { preHandler: viewer }, async (request, reply) => {
    const found = options.workflow(request.params.id);
    if (found === undefined) return sendError(reply, 404, 'WORKFLOW_NOT_FOUND', `serve serves no workflow with the id "${request.params.id}" (GET /api/workflows lists them)`);
    return found;
  });
}
