import type { FastifyInstance } from 'fastify';
import { AmbiguousError } from '../../errors/action-errors.js';
import { IdflowError } from '../../errors/idflow-error.js';
import { RunNotFoundError } from '../../errors/usage-errors.js';
import { RUN_STATUSES, type RunStatus } from '../../store/journal-events.js';
import { RunPager, type RunQuery } from '../../store/run-pager.js';
import { buildRunReport } from '../../store/run-report.js';
import type { RunStore } from '../../store/run-store.js';
import { requireRole } from '../auth/request-principal.js';
import type { ServeLogger } from '../serve-logger.js';
import { sendError } from './error-reply.js';

/** Options of {@link apiRunRoutes}. */
export interface ApiRunOptions {
  store: RunStore;
  logger: ServeLogger;
}

/** Runs on a page when `limit` is not given, and the most a page may have. */
export const RUNS_PAGE = { default: 100, max: 1000 } as const;

/** A date (`2026-12-07`, a whole UTC day) or a date and time with its zone (`2026-12-07T09:30:00Z`). */
const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}:\\d{2}))?$';
const DATE_HINT = 'must be a date (2026-12-07, a UTC day) or a date and time with its zone (2026-12-07T09:30:00Z)';

const PARAMETER_HINTS: Readonly<Record<string, string>> = {
  workflow: 'must be a workflow id',
  status: `must be one of ${RUN_STATUSES.join(', ')}`,
  subject: 'must be 1 to 500 characters',
  since: DATE_HINT,
  until: DATE_HINT,
  before: 'must be a run id (the "next" of the page before)',
  offset: 'must be a whole number, 0 or more',
  limit: `must be a whole number from 1 to ${RUNS_PAGE.max}`,
};

interface RunsQuerystring {
  workflow?: string;
  status?: RunStatus;
  subject?: string;
  since?: string;
  until?: string;
  before?: string;
  offset?: number;
  limit?: number;
}

const runsQuerySchema = {
  type: 'object',
  properties: {
    workflow: { type: 'string', minLength: 1, maxLength: 200 },
    status: { type: 'string', enum: RUN_STATUSES },
    subject: { type: 'string', minLength: 1, maxLength: 500 },
    since: { type: 'string', pattern: DATE_PATTERN },
    until: { type: 'string', pattern: DATE_PATTERN },
    before: { type: 'string', minLength: 1, maxLength: 200 },
    offset: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: RUNS_PAGE.max },
  },
} as const;

/**
 * `GET /api/runs` (viewer): run records, newest first, filtered by `workflow`, `status`,
 * `subject` (contains, any case), `since` and `until` (start time; a date alone is a whole UTC
 * day), a page at a time: `limit` (default 100, at most 1000) and either the `before` cursor
 * (the `next` of the page before) or `offset`. Answers `{runs, total, next}`. A parameter that
 * is unknown or not of its form is answered 400 `INVALID_FILTER` naming it.
 *
 * `GET /api/runs/{id}` (viewer): what `idflow runs show ID --json` prints (any unique prefix).
 */
export async function apiRunRoutes(app: FastifyInstance, options: ApiRunOptions): Promise<void> {
  const viewer = requireRole('viewer');
  const pager = new RunPager(options.store);
  app.get<{ Querystring: RunsQuerystring }>('/api/runs', {
    schema: { querystring: runsQuerySchema },
    config: { invalidCode: 'INVALID_FILTER', parameterHints: PARAMETER_HINTS },
    preHandler: viewer,
  }, async (request, reply) => {
    const unknown = Object.keys(request.query as object).filter((name) => !Object.hasOwn(runsQuerySchema.properties, name));
    if (unknown.length > 0) return sendError(reply, 400, 'INVALID_FILTER', `the query parameter "${unknown[0]}" is not one GET /api/runs takes (${Object.keys(runsQuerySchema.properties).join(', ')})`);
    const query = request.query;
    if (query.before !== undefined && query.offset !== undefined) return sendError(reply, 400, 'INVALID_FILTER', 'give either the query parameter "before" or "offset", not both');
    const since = query.since === undefined ? undefined : parseDate(query.since, 'start');
    const until = query.until === undefined ? undefined : parseDate(query.until, 'end');
    if (since === null) return sendError(reply, 400, 'INVALID_FILTER', `the query parameter "since" ${DATE_HINT} (got ${JSON.stringify(query.since)}: no such day or time)`);
    if (until === null) return sendError(reply, 400, 'INVALID_FILTER', `the query parameter "until" ${DATE_HINT} (got ${JSON.stringify(query.until)}: no such day or time)`);
    const wanted: RunQuery = {
      limit: query.limit ?? RUNS_PAGE.default,
      ...(query.workflow === undefined ? {} : { workflow: query.workflow }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.subject === undefined ? {} : { subject: query.subject }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      ...(query.before === undefined ? {} : { before: query.before }),
      ...(query.offset === undefined ? {} : { offset: query.offset }),
    };
    try {
      return pager.page(wanted, (runId, error) => options.logger.warn(`cannot read run ${runId}: ${error.message}`));
    } catch (error) {
      if (error instanceof IdflowError && error.code === 'INVALID_FILTER') return sendError(reply, 400, 'INVALID_FILTER', `the query parameter ${error.message}`);
      throw error;
    }
  });
  app.get<{ Params: { id: string } }>('/api/runs/:id', { preHandler: viewer }, async (request, reply) => {
    const runId = request.params.id;
    try {
      const handle = options.store.openRun(runId);
      return buildRunReport(handle.meta(), handle.events(), handle.output());
    } catch (error) {
      if (error instanceof RunNotFoundError) return sendError(reply, 404, 'RUN_NOT_FOUND', `no run with id "${runId}"`);
      if (error instanceof AmbiguousError) return sendError(reply, 400, 'AMBIGUOUS_RUN_ID', error.message);
      throw error;
    }
  });
}

/**
 * A query's date: a whole UTC day's start (`since`) or the start of the next day (`until`, so
 * that the day itself is included), or the exact time given; null for a day or time that does
 * not exist (2026-02-30).
 */
function parseDate(text: string, edge: 'start' | 'end'): Date | null {
  if (text.length === 10) {
    const day = new Date(`${text}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text) return null;
    return edge === 'start' ? day : new Date(day.getTime() + 24 * 60 * 60_000);
  }
  const time = new Date(text.replace(' ', 'T'));
  return Number.isNaN(time.getTime()) ? null : time;
}
