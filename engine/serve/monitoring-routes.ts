import type { IncomingMessage } from 'node:http';
import { AmbiguousError } from '../errors/action-errors.js';
import { IdflowError } from '../errors/idflow-error.js';
import { RunNotFoundError } from '../errors/usage-errors.js';
import { RUN_STATUSES, type RunStatus } from '../store/journal-events.js';
import { buildRunReport } from '../store/run-report.js';
import type { RunStore } from '../store/run-store.js';
import type { WorkflowSummary } from '../workflows/workflow-summary.js';
import type { EventView } from './event-intake.js';
import { markAuthenticated } from './connection-gate.js';
import { errorReply, header, type HttpReply } from './http-io.js';
import { sameSecret } from './signature.js';

const STATUSES: readonly RunStatus[] = RUN_STATUSES;

/** What the monitoring API reads. */
export interface MonitoringDeps {
  /** The bearer token; undefined when none is configured (every monitoring call is then 401). */
  token: string | undefined;
  store: RunStore;
  workflows(): WorkflowSummary[];
  /** An accepted event's record with its runs' statuses; undefined when unknown. */
  event(source: string, id: string): EventView | undefined;
  health(): Record<string, unknown>;
}

/**
 * Checks `Authorization: Bearer <token>` (constant-time). Without a configured token the
 * monitoring API stays closed: it shows who is being offboarded, which is not public.
 */
export function authorise(request: IncomingMessage, token: string | undefined): HttpReply | undefined {
  const challenge = { 'www-authenticate': 'Bearer realm="idflow"' };
  if (token === undefined) return errorReply(401, 'MONITORING_DISABLED', 'the monitoring API needs serve.token: { env: NAME } in the config', challenge);
  const given = /^Bearer\s+(.+)$/i.exec(header(request, 'authorization')?.trim() ?? '')?.[1];
  if (given === undefined) return errorReply(401, 'UNAUTHORISED', 'send the monitoring token as "Authorization: Bearer <token>"', challenge);
  if (!sameSecret(given.trim(), token)) return errorReply(401, 'UNAUTHORISED', 'the bearer token is wrong', challenge);
  markAuthenticated(request);
  return undefined;
}

/** `GET /workflows`: every served workflow with its state, triggers, last run and next slot. */
export function listWorkflows(deps: MonitoringDeps): HttpReply {
  return { status: 200, body: { workflows: deps.workflows() } };
}

/** `GET /runs?workflow=ID&status=S&limit=N`: run records, newest first (the filters of `idflow runs`). */
export function listRuns(url: URL, deps: MonitoringDeps): HttpReply {
  const workflow = url.searchParams.get('workflow') ?? undefined;
  const status = url.searchParams.get('status') ?? undefined;
  const limitText = url.searchParams.get('limit') ?? undefined;
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) return errorReply(400, 'INVALID_FILTER', `status must be one of ${STATUSES.join(', ')}`);
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = /^\d{1,6}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!Number.isInteger(limit) || limit < 1) return errorReply(400, 'INVALID_FILTER', 'limit must be a positive whole number');
  }
  const runs = deps.store.listRuns({ ...(workflow === undefined ? {} : { workflow }), ...(status === undefined ? {} : { status: status as RunStatus }), ...(limit === undefined ? {} : { limit }) });
  return { status: 200, body: { runs } };
}

/** `GET /runs/{id}`: what `idflow runs show --json` prints (any unique id prefix works). */
export function showRun(runId: string, deps: MonitoringDeps): HttpReply {
  try {
    const handle = deps.store.openRun(runId);
    return { status: 200, body: buildRunReport(handle.meta(), handle.events(), handle.output()) };
  } catch (error) {
    if (error instanceof RunNotFoundError) return errorReply(404, 'RUN_NOT_FOUND', `no run with id "${runId}"`);
    if (error instanceof AmbiguousError) return errorReply(400, 'AMBIGUOUS_RUN_ID', error.message);
    throw error;
  }
}

/**
 * `GET /events/{source}/{id}`: what became of an event: its runs with their status now, the
 * workflows still pending (waiting for a slot, or for a transient failure to pass) and the ones
 * skipped, with why. A sender that got no answer, or whose retry was answered `duplicate`, can
 * tell a succeeded run from an interrupted or failed one.
 */
export function showEvent(source: string, id: string, deps: MonitoringDeps): HttpReply {
  let view: EventView | undefined;
  try {
    view = deps.event(source, id);
  } catch (error) {
    if (error instanceof IdflowError && error.code === 'INVALID_SOURCE') return errorReply(404, 'EVENT_NOT_FOUND', error.message);
    throw error;
  }
  if (view === undefined) return errorReply(404, 'EVENT_NOT_FOUND', `no event with id "${id}" was accepted from the source "${source}" (or its record is older than serve.event_retention)`);
  return { status: 200, body: view };
}

/** `GET /healthz` (open, no token): whether serve accepts work. */
export function health(deps: MonitoringDeps, draining: boolean): HttpReply {
  return { status: draining ? 503 : 200, body: { status: draining ? 'draining' : 'ok', ...deps.health() } };
}
