import { Ajv } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { classifyError } from '../../errors/classify.js';
import { ValidationError } from '../../errors/usage-errors.js';
import { TIMER_STATES, type TimerState } from '../../timers/timer-record.js';
import type { Principal } from '../auth/principal.js';
import { requireRole } from '../auth/request-principal.js';
import type { RunProgressEvent, ServeOperations } from '../operations/serve-operations.js';

/** Options of {@link writeRoutes}. */
export interface WriteRoutesOptions {
  /** What the routes do (see createServeOperations; `RunningServe.operations`). */
  operations: ServeOperations;
  /** How often an idle progress stream sends a comment, so proxies keep it open. Default 15 s. */
  heartbeatMs?: number;
}

/** Workflow ids as the template language allows them. */
const WORKFLOW_ID = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';
/** Run ids (`20261122-2305-k3x9p2`) and their unique prefixes; timer ids (`tm-…`) likewise. */
const RECORD_ID = '^[a-z0-9][a-z0-9-]{0,63}$';

const workflowParams = { type: 'object', properties: { id: { type: 'string', pattern: WORKFLOW_ID } }, required: ['id'], additionalProperties: false } as const;
const recordParams = { type: 'object', properties: { id: { type: 'string', pattern: RECORD_ID } }, required: ['id'], additionalProperties: false } as const;
const inputsBody = {
  type: 'object',
  properties: { inputs: { type: 'object', description: 'The workflow\'s inputs by name; strings are read as the declared type (form fields).' } },
  additionalProperties: false,
} as const;
/** A body is optional on the routes that need none; when given it must be a JSON object. */
const emptyBody = { type: 'object', additionalProperties: false } as const;

/** Error codes and the HTTP status each answers with (others: by the error's class, else 500). */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  RUN_NOT_FOUND: 404,
  WORKFLOW_NOT_FOUND: 404,
  TIMER_NOT_FOUND: 404,
  RUN_NOT_RESUMABLE: 409,
  RUN_NOT_RUNNING: 409,
  RUN_ACTIVE: 409,
  RUN_RECORD_CHANGED: 409,
  TIMER_NOT_PENDING: 409,
  TIMER_FIRING: 409,
  SUBJECT_LOCKED: 409,
  AMBIGUOUS: 409,
  INVALID_INPUT: 400,
  INVALID_PARAMS: 400,
  INVALID_CONFIG: 400,
  INVALID_WORKFLOW_ID: 400,
  SERVE_STOPPING: 503,
};

/**
 * The API's write routes and the run progress stream, as a Fastify plugin (register it under
 * the API's prefix-free root: the paths below are absolute):
 *
 * - `POST /api/workflows/:id/plan` `{inputs}` → 200, the plan as `idflow plan --json` prints it;
 * - `POST /api/workflows/:id/runs` `{inputs}` → 202 `{run_id}` (`queued: true` when every run slot is busy);
 * - `POST /api/runs/:id/resume` → 202 `{run_id}`; `POST /api/runs/:id/cancel` → 202 `{run_id, status}`;
 * - `POST /api/workflows/:id/enable|disable` → 200, the workflow's summary;
 * - `GET /api/timers?state=&limit=` → 200 `{timers}`; `POST /api/timers/:id/cancel` → 200, the timer;
 * - `GET /api/runs/:id/progress` → `text/event-stream` of the run's journal (event `journal`,
 *   `id` the line's number, so `Last-Event-ID` resumes after it), ending with event `end`.
 *
 * Writes need the `operator` role, reads `viewer` (requireRole; `request.principal` is set by
 * the sign-in hooks registered before). Params and bodies are checked by route schemas (400
 * naming the field); errors answer in serve's shape `{error: {code, message}}` (plus `problems`
 * for inputs), with 404 for what does not exist, 409 for a state that does not allow the
 * operation, 400 for bad input.
 */
export async function writeRoutes(app: FastifyInstance, options: WriteRoutesOptions): Promise<void> {
  const ops = options.operations;
  const operator = requireRole('operator');
  const viewer = requireRole('viewer');
  const by = (request: FastifyRequest): Principal => {
    // requireRole let the request through: a principal is there.
    return request.principal as Principal;
  };

  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
  // Fastify's default ajv drops unknown members silently (removeAdditional): a misspelt field
  // must be refused instead, naming it. One ajv for these routes, each schema compiled once.
  const ajv = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));

  app.post<{ Params: { id: string }; Body: { inputs?: Record<string, unknown> } | undefined }>('/api/workflows/:id/plan', {
    preHandler: operator,
    schema: { params: workflowParams, body: inputsBody },
  }, async (request) => ops.plan(request.params.id, request.body?.inputs ?? {}, by(request)));

  app.post<{ Params: { id: string }; Body: { inputs?: Record<string, unknown> } | undefined }>('/api/workflows/:id/runs', {
    preHandler: operator,
    schema: { params: workflowParams, body: inputsBody },
  }, async (request, reply) => {
    const started = await ops.start(request.params.id, request.body?.inputs ?? {}, by(request));
    return reply.code(202).header('location', `/api/runs/${started.runId}`).send({ run_id: started.runId, ...(started.queued === true ? { queued: true } : {}) });
  });

  app.post<{ Params: { id: string } }>('/api/runs/:id/resume', {
    preHandler: operator,
    schema: { params: recordParams, body: emptyBody },
  }, async (request, reply) => {
    const resumed = await ops.resume(request.params.id, by(request));
    return reply.code(202).header('location', `/api/runs/${resumed.runId}`).send({ run_id: resumed.runId });
  });

  app.post<{ Params: { id: string } }>('/api/runs/:id/cancel', {
    preHandler: operator,
    schema: { params: recordParams, body: emptyBody },
  }, async (request, reply) => {
    const cancelled = await ops.cancel(request.params.id, by(request));
    return reply.code(202).send({ run_id: cancelled.runId, status: cancelled.status });
  });

  for (const enabled of [true, false]) {
    app.post<{ Params: { id: string } }>(`/api/workflows/:id/${enabled ? 'enable' : 'disable'}`, {
      preHandler: operator,
      schema: { params: workflowParams, body: emptyBody },
    }, async (request) => ops.setEnabled(request.params.id, enabled, by(request)));
  }

  app.get<{ Querystring: { state?: TimerState; limit?: number } }>('/api/timers', {
    preHandler: viewer,
    schema: {
      querystring: {
        type: 'object',
        properties: { state: { type: 'string', enum: [...TIMER_STATES] }, limit: { type: 'integer', minimum: 1, maximum: 10_000 } },
        additionalProperties: false,
      },
    },
  }, async (request) => ({
    timers: ops.timers({ ...(request.query.state === undefined ? {} : { state: request.query.state }), ...(request.query.limit === undefined ? {} : { limit: request.query.limit }) }),
  }));

  app.post<{ Params: { id: string } }>('/api/timers/:id/cancel', {
    preHandler: operator,
    schema: { params: recordParams, body: emptyBody },
  }, async (request) => ops.cancelTimer(request.params.id, by(request)));

  app.get<{ Params: { id: string }; Querystring: { after?: number } }>('/api/runs/:id/progress', {
    preHandler: viewer,
    schema: {
      params: recordParams,
      querystring: { type: 'object', properties: { after: { type: 'integer', minimum: 0 } }, additionalProperties: false },
      headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,12}$' } } },
    },
  }, async (request, reply) => {
    const lastEventId = request.headers['last-event-id'];
    const after = typeof lastEventId === 'string' ? Number(lastEventId) : request.query.after ?? 0;
    // Events the follower gives before the stream is open wait here; following first means an
    // unknown run still gets a 404 in serve's shape.
    const early: RunProgressEvent[] = [];
    let send = (event: RunProgressEvent): void => {
      early.push(event);
    };
    const stop = ops.follow(request.params.id, (event) => send(event), after);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    raw.write('retry: 2000\n\n');
    const heartbeat = setInterval(() => raw.write(': still running\n\n'), options.heartbeatMs ?? 15_000);
    heartbeat.unref();
    const close = (): void => {
      clearInterval(heartbeat);
      stop();
    };
    raw.on('close', close);
    send = (event) => {
      if (raw.writableEnded) return;
      if (event.type === 'journal') {
        raw.write(`id: ${event.seq}\nevent: journal\ndata: ${JSON.stringify(event.event)}\n\n`);
      } else {
        raw.write(`event: end\ndata: ${JSON.stringify({ status: event.status })}\n\n`);
        close();
        raw.end();
      }
    };
    for (const event of early.splice(0)) send(event);
  });
}

/** Answers an error in serve's shape, with the status its code or class calls for. */
function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation !== undefined) {
    const where = error.validationContext ?? 'request';
    const problems = error.validation.map((problem) => {
      const params = problem.params as { additionalProperty?: unknown; allowedValues?: unknown };
      const detail = typeof params.additionalProperty === 'string'
        ? `: "${params.additionalProperty}"`
        : Array.isArray(params.allowedValues) ? `: ${params.allowedValues.join(', ')}` : '';
      return `${where}${problem.instancePath} ${problem.message ?? 'is invalid'}${detail}`;
    });
    return reply.code(400).send({ error: { code: 'INVALID_REQUEST', message: problems.join('; ') } });
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 && typeof error.code === 'string' && error.code.startsWith('FST_')) {
    // Fastify's own refusals (a body that is not JSON, too large, a wrong content type).
    return reply.code(error.statusCode).send({ error: { code: 'INVALID_REQUEST', message: error.message } });
  }
  const classified = classifyError(error);
  const status = STATUS_OF_CODE[classified.code] ?? statusOfClass(classified.name);
  if (status >= 500) request.log.error({ err: error }, 'operation failed');
  const problems = error instanceof ValidationError && error.problems.length > 0
    ? { problems: error.problems.map((problem) => ({ path: problem.path, code: problem.code, message: problem.message })) }
    : {};
  return reply.code(status).send({ error: { code: classified.code, message: classified.message, ...problems } });
}

function statusOfClass(name: string): number {
  switch (name) {
    case 'NotFoundError':
      return 404;
    case 'ConflictError':
    case 'AmbiguousError':
      return 409;
    case 'ValidationError':
    case 'UsageError':
      return 400;
    default:
      return 500;
  }
}
