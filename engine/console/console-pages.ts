import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyAuditTrail } from '../audit/verify-audit-trail.js';
import { AmbiguousError } from '../errors/action-errors.js';
import { IdflowError } from '../errors/idflow-error.js';
import { RunNotFoundError, ValidationError } from '../errors/usage-errors.js';
import type { Workflow } from '../language/types.js';
import type { LoadedWorkflow } from '../runtime/runtime.js';
import { hasRole, type Role } from '../serve/auth/principal.js';
import { requireRole } from '../serve/auth/request-principal.js';
import type { ServeOperations } from '../serve/operations/serve-operations.js';
import { RUN_STATUSES, type RunStatus } from '../store/journal-events.js';
import { buildRunReport } from '../store/run-report.js';
import type { RunStore } from '../store/run-store.js';
import type { TimerRecord } from '../timers/timer-record.js';
import type { WorkflowSummary } from '../workflows/workflow-summary.js';
import { ASSET_CACHE_CONTROL, findAsset } from './console-assets.js';
import { renderPage, trustedHtml, type ConsolePage, type PageFrame } from './console-view.js';
import { CONSOLE_SECURITY_HEADERS } from './content-security.js';
import { carriedInputs, inputFields, inputsFromForm, type FormBody, type FormProblem } from './input-form.js';
import { planView } from './plan-page.js';
import { readRunLog } from './run-log.js';
import { runView } from './run-page.js';
import { servedWorkflowFinder, workflowFlow } from './workflow-flow.js';
import { highlightYaml } from './yaml-highlight.js';

/** What the console's pages read and do. */
export interface ConsolePagesOptions {
  /** What the buttons do (plan, start, resume, cancel, enable/disable, cancel a timer). */
  operations: ServeOperations;
  /** The run store the run pages read. */
  store: RunStore;
  /** The served workflows with their state, triggers, last run and next slot (as `GET /api/workflows`). */
  workflows(): WorkflowSummary[];
  /** The served workflows as loaded (steps, inputs, source) for the workflow and start pages. */
  loadedWorkflows(): readonly LoadedWorkflow[];
  /** The CSRF token that the request's forms carry (`_csrf`), for the signed-in session. */
  csrfToken(request: FastifyRequest): string;
  /**
   * Refuses a state-changing request without a valid CSRF token (replies itself); run before
   * every form post of the console.
   */
  verifyCsrf(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/** Runs a page of `/runs` shows. */
export const RUNS_PAGE_SIZE = 50;

/** A workflow's recent runs on its page. */
const RECENT_RUNS = 10;

/** Ended timers shown under the pending ones. */
const ENDED_TIMERS = 50;


/** What a redirect after a form post says on the next page (`?notice=`): fixed texts, never text from the request. */
const NOTICES: Readonly<Record<string, string>> = {
  enabled: 'The workflow is enabled: its triggers start runs again.',
  disabled: 'The workflow is disabled: its events and schedules start no run until it is enabled again.',
  started: 'The run has started.',
  resumed: 'The run is resuming where it stopped.',
  cancelling: 'The run was asked to stop: it stops at its next step boundary and ends cancelled.',
  cancelled: 'The run is cancelled.',
  'timer-cancelled': 'The timer is cancelled: it will not fire.',
};

/**
 * The web console's pages, as one Fastify plugin: the workflows, a workflow, the start form and
 * its plan, the runs (filtered, paged), a run, the timers, and the form posts behind their
 * buttons (each calling {@link ServeOperations} on behalf of the signed-in principal, then
 * redirecting with a notice, or showing the page again with the error). Every page needs a
 * signed-in viewer (anonymous visitors are sent to `/sign-in`); the buttons that change anything
 * are shown to operators only, their posts need the operator role and a CSRF token. Every
 * response carries the console's Content-Security-Policy; assets are served under `/assets/`
 * with their content hash in the name.
 *
 * Sign-in is not here: a hook registered before this plugin sets `request.principal`.
 */
export async function consolePages(app: FastifyInstance, options: ConsolePagesOptions): Promise<void> {
  // Form posts (`application/x-www-form-urlencoded`); a parent that already parses them is used as is.
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody, { bodyLimit: 256 * 1024 });

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) reply.header(name, value);
    // Pages show live state and who is being offboarded: never kept by a browser or a proxy.
    if (reply.getHeader('cache-control') === undefined) reply.header('cache-control', 'no-store');
    return payload;
  });

  const viewer = requireRole('viewer', '/sign-in');
  const operator = [viewer, refuseBelow('operator')];
  const posting = [viewer, refuseBelow('operator'), options.verifyCsrf];
  const find = (id: string): { summary: WorkflowSummary; loaded: LoadedWorkflow } | undefined => {
    const summary = options.workflows().find((workflow) => workflow.id === id);
    const loaded = options.loadedWorkflows().find((candidate) => candidate.workflow.id === id);
    return summary === undefined || loaded === undefined ? undefined : { summary, loaded };
  };

  /** Renders a page for the request (its principal, CSRF token and `?notice=`). */
  const page = (request: FastifyRequest, reply: FastifyReply, name: ConsolePage, model: object, frame: Omit<PageFrame, 'principal' | 'csrf'>, status = 200): FastifyReply => {
    const notice = noticeOf(request);
    const principal = request.principal;
    const canOperate = principal !== undefined && hasRole(principal.role, 'operator');
    const html = renderPage(name, { ...model, canOperate }, { ...frame, ...(principal === undefined ? {} : { principal, csrf: options.csrfToken(request) }), ...(notice === undefined || frame.notice !== undefined ? {} : { notice }) });
    return reply.code(status).type('text/html; charset=utf-8').send(html);
  };
  const notFound = (request: FastifyRequest, reply: FastifyReply, what: string, back: { href: string; label: string }): FastifyReply =>
    page(request, reply, 'message', { heading: 'Not found', text: what, back }, { title: 'Not found' }, 404);

  function refuseBelow(role: Role) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const principal = request.principal;
      if (principal === undefined || hasRole(principal.role, role)) return;
      await page(request, reply, 'message', { heading: 'Not allowed', text: `${principal.name} is signed in as a ${principal.role}; this needs the ${role} role.`, back: { href: '/', label: 'Back to the workflows' } }, { title: 'Not allowed' }, 403);
    };
  }

  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = findAsset(`/assets/${request.params.file}`);
    if (asset === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('No such asset: its name changes with each version of idflow; reload the page.');
    return reply.header('cache-control', ASSET_CACHE_CONTROL).type(asset.contentType).send(asset.body);
  });

  app.get('/', { preHandler: viewer }, async (request, reply) => {
    const workflows = options.workflows();
    return page(request, reply, 'workflows', { workflows }, { title: 'Workflows', section: 'workflows' });
  });

  app.get<{ Params: { id: string } }>('/workflows/:id', { preHandler: viewer }, async (request, reply) => {
    const found = find(request.params.id);
    if (found === undefined) return notFound(request, reply, `No workflow with the id "${request.params.id}" is served.`, { href: '/', label: 'Back to the workflows' });
    return page(request, reply, 'workflow', workflowModel(found.summary, found.loaded, options), { title: found.summary.name, section: 'workflows' });
  });

  app.get<{ Params: { id: string } }>('/workflows/:id/start', { preHandler: operator }, async (request, reply) => {
    const found = find(request.params.id);
    if (found === undefined) return notFound(request, reply, `No workflow with the id "${request.params.id}" is served.`, { href: '/', label: 'Back to the workflows' });
    return page(request, reply, 'start', startModel(found.loaded.workflow), { title: `Start ${found.summary.name}`, section: 'workflows' });
  });

  /**
   * A start form posted to `/workflows/{id}/{plan|run}`: the workflow's page is not found, or the
   * form comes back with its problems (400), or `act` gets the typed inputs; an operation's
   * error shows the form again with what is wrong.
   */
  const postedForm = (act: (workflow: Workflow, inputs: Record<string, unknown>, body: FormBody, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) =>
    async (request: FastifyRequest<{ Params: { id: string }; Body: FormBody }>, reply: FastifyReply): Promise<FastifyReply> => {
      const found = find(request.params.id);
      if (found === undefined) return notFound(request, reply, `No workflow with the id "${request.params.id}" is served.`, { href: '/', label: 'Back to the workflows' });
      const workflow = found.loaded.workflow;
      const body = request.body ?? {};
      const { inputs, problems } = inputsFromForm(workflow.inputs, body);
      const again = (error: PageFrame['error'], status: number) => page(request, reply, 'start', startModel(workflow, body), { title: `Start ${workflow.name}`, section: 'workflows', error }, status);
      if (problems.length > 0) return again(formError(problems), 400);
      try {
        return await act(workflow, inputs, body, request, reply);
      } catch (error) {
        const { status, shown } = problemOf(error, request);
        return again(shown, status);
      }
    };

  app.post<{ Params: { id: string }; Body: FormBody }>('/workflows/:id/plan', { preHandler: posting }, postedForm(async (workflow, inputs, body, request, reply) => {
    const plan = await options.operations.plan(workflow.id, inputs, request.principal as NonNullable<FastifyRequest['principal']>);
    const { carried, secrets } = carriedInputs(workflow.inputs, body);
    return page(request, reply, 'plan', { ...planView(plan), carried, secrets, canRun: true }, { title: `Plan: ${workflow.name}`, section: 'workflows' });
  }));

  app.post<{ Params: { id: string }; Body: FormBody }>('/workflows/:id/run', { preHandler: posting }, postedForm(async (workflow, inputs, _body, request, reply) => {
    const { runId } = await options.operations.start(workflow.id, inputs, request.principal as NonNullable<FastifyRequest['principal']>);
    return reply.redirect(`/runs/${encodeURIComponent(runId)}?notice=started`, 303);
  }));

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post<{ Params: { id: string } }>(`/workflows/:id/${verb}`, { preHandler: posting }, async (request, reply) => {
      const id = request.params.id;
      try {
        await options.operations.setEnabled(id, enabled, request.principal as NonNullable<FastifyRequest['principal']>);
      } catch (error) {
        const { status, shown } = problemOf(error, request);
        return page(request, reply, 'workflows', { workflows: options.workflows() }, { title: 'Workflows', section: 'workflows', error: shown }, status);
      }
      return reply.redirect(`${backTo(request, `/workflows/${encodeURIComponent(id)}`)}?notice=${enabled ? 'enabled' : 'disabled'}`, 303);
    });
  }

  app.get<{ Querystring: Record<string, string | undefined> }>('/runs', { preHandler: viewer }, async (request, reply) => {
    const query = request.query;
    const { filters, problems } = runFilters(query);
    const workflows = options.workflows();
    const workflowChoices = workflows.map((workflow) => ({ id: workflow.id, name: workflow.name, selected: workflow.id === filters.workflow }));
    if (filters.workflow !== undefined && !workflows.some((workflow) => workflow.id === filters.workflow)) workflowChoices.push({ id: filters.workflow, name: filters.workflow, selected: true });
    const statusChoices = RUN_STATUSES.map((value) => ({ value, selected: value === filters.status }));
    const frame = { title: 'Runs', section: 'runs' as const };
    if (problems.length > 0) {
      return page(request, reply, 'runs', { filters: query, workflowChoices, statusChoices, runs: [], emptyText: 'Fix the filter to see runs.' }, { ...frame, error: { message: 'The filter is not right', code: 'INVALID_FILTER', problems } }, 400);
    }
    const pageNumber = filters.page;
    const result = options.store.pageRuns({
      ...(filters.workflow === undefined ? {} : { workflow: filters.workflow }),
      ...(filters.status === undefined ? {} : { status: filters.status as RunStatus }),
      ...(filters.subject === undefined ? {} : { subject: filters.subject }),
      ...(filters.from === undefined ? {} : { from: filters.from }),
      ...(filters.to === undefined ? {} : { to: filters.to }),
      offset: (pageNumber - 1) * RUNS_PAGE_SIZE,
      limit: RUNS_PAGE_SIZE,
    });
    const link = (n: number): string => {
      const params = new URLSearchParams();
      for (const key of ['workflow', 'status', 'subject', 'from', 'to'] as const) if (filters[key] !== undefined) params.set(key, filters[key] as string);
      if (n > 1) params.set('page', String(n));
      const text = params.toString();
      return text === '' ? '/runs' : `/runs?${text}`;
    };
    const filtered = ['workflow', 'status', 'subject', 'from', 'to'].some((key) => filters[key as keyof typeof filters] !== undefined);
    const first = (pageNumber - 1) * RUNS_PAGE_SIZE + 1;
    const caption = result.runs.length === 0 ? undefined : `Runs ${first}–${first + result.runs.length - 1}${result.total === undefined ? '' : ` of ${result.total}`}, newest first`;
    return page(request, reply, 'runs', {
      filters,
      workflowChoices,
      statusChoices,
      runs: result.runs,
      caption,
      emptyText: filtered || pageNumber > 1 ? 'No run matches.' : 'No run yet.',
      pager: pageNumber > 1 || result.more ? { page: pageNumber, ...(pageNumber > 1 ? { newer: link(pageNumber - 1) } : {}), ...(result.more ? { older: link(pageNumber + 1) } : {}) } : undefined,
    }, frame);
  });

  app.get<{ Params: { id: string } }>('/runs/:id', { preHandler: viewer }, async (request, reply) => {
    const id = request.params.id;
    let handle;
    try {
      handle = options.store.openRun(id);
    } catch (error) {
      if (error instanceof RunNotFoundError) return notFound(request, reply, `No run with the id "${id}".`, { href: '/runs', label: 'Back to the runs' });
      if (error instanceof AmbiguousError) return page(request, reply, 'message', { heading: 'Which run?', text: error.message, back: { href: '/runs', label: 'Back to the runs' } }, { title: 'Which run?' }, 400);
      throw error;
    }
    const report = buildRunReport(handle.meta(), handle.events(), handle.output());
    try {
      handle.pinnedRecord();
    } catch (error) {
      if (error instanceof IdflowError && error.code === 'RUN_RECORD_CHANGED') report.recordChanged = error.message;
    }
    const view = runView(report, verifyAuditTrail(handle.dir), readRunLog(handle.logFile));
    return page(request, reply, 'run', view, { title: `Run ${report.meta.id}`, section: 'runs', run: { id: report.meta.id, status: report.meta.status } });
  });

  const runAction = (verb: 'resume' | 'cancel') => async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const id = request.params.id;
    const by = request.principal as NonNullable<FastifyRequest['principal']>;
    try {
      if (verb === 'resume') {
        const { runId } = await options.operations.resume(id, by);
        return await reply.redirect(`/runs/${encodeURIComponent(runId)}?notice=resumed`, 303);
      }
      const { runId, status } = await options.operations.cancel(id, by);
      return await reply.redirect(`/runs/${encodeURIComponent(runId)}?notice=${status === 'cancelling' ? 'cancelling' : 'cancelled'}`, 303);
    } catch (error) {
      const { status, shown } = problemOf(error, request);
      if (status === 404) return notFound(request, reply, shown.message, { href: '/runs', label: 'Back to the runs' });
      return page(request, reply, 'message', { heading: verb === 'resume' ? 'The run was not resumed' : 'The run was not cancelled', text: shown.message, back: { href: `/runs/${encodeURIComponent(id)}`, label: 'Back to the run' } }, { title: 'Not done', section: 'runs', error: shown }, status);
    }
  };
  app.post<{ Params: { id: string } }>('/runs/:id/resume', { preHandler: posting }, runAction('resume'));
  app.post<{ Params: { id: string } }>('/runs/:id/cancel', { preHandler: posting }, runAction('cancel'));

  app.get('/timers', { preHandler: viewer }, async (request, reply) => {
    return page(request, reply, 'timers', timersModel(options.operations), { title: 'Timers', section: 'timers' });
  });

  app.post<{ Params: { id: string } }>('/timers/:id/cancel', { preHandler: posting }, async (request, reply) => {
    try {
      await options.operations.cancelTimer(request.params.id, request.principal as NonNullable<FastifyRequest['principal']>);
    } catch (error) {
      const { status, shown } = problemOf(error, request);
      return page(request, reply, 'timers', timersModel(options.operations), { title: 'Timers', section: 'timers', error: shown }, status);
    }
    return reply.redirect('/timers?notice=timer-cancelled', 303);
  });
}

function workflowModel(summary: WorkflowSummary, loaded: LoadedWorkflow, options: ConsolePagesOptions): object {
  const { workflow } = loaded;
  const declarations = (entries: Workflow['inputs']) =>
    Object.entries(entries).map(([name, declaration]) => ({
      name,
      type: declaration.type === 'array' && declaration.items !== undefined ? `array of ${declaration.items.type}` : declaration.type,
      required: declaration.required === true,
      ...(declaration.enum === undefined ? {} : { choices: declaration.enum.map((value) => String(value)).join(', ') }),
      ...(declaration.format === undefined ? {} : { format: declaration.format }),
      ...(declaration.secret === true ? { secret: true } : {}),
      ...(declaration.default === undefined ? {} : { defaultText: JSON.stringify(declaration.default) }),
      ...(declaration.description === undefined ? {} : { description: declaration.description }),
    }));
  const served = options.loadedWorkflows().map((candidate) => ({ id: candidate.workflow.id, file: candidate.file }));
  const triggers = summary.triggers.map((trigger, index) => {
    const declared = workflow.triggers[index];
    return { ...trigger, ...(declared?.type === 'event' && declared.if !== undefined ? { condition: JSON.stringify(declared.if) } : {}) };
  });
  return {
    workflow: { ...summary, ...(workflow.version === undefined ? {} : { version: workflow.version }), ...(workflow.subject === undefined ? {} : { subject: workflow.subject }) },
    inputs: declarations(workflow.inputs),
    vars: declarations(workflow.vars),
    triggers,
    flow: workflowFlow(workflow, servedWorkflowFinder(served)),
    highlighted: trustedHtml(highlightYaml(loaded.source)),
    recentRuns: options.store.pageRuns({ workflow: workflow.id, offset: 0, limit: RECENT_RUNS }).runs,
  };
}

function startModel(workflow: Workflow, given?: FormBody): object {
  return { workflow: { id: workflow.id, name: workflow.name }, fields: inputFields(workflow.inputs, given) };
}

function timersModel(operations: ServeOperations): { pending: TimerRecord[]; ended: TimerRecord[] } {
  const pending = operations.timers({ state: 'pending' });
  const ended = operations.timers({ limit: ENDED_TIMERS + pending.length }).filter((timer) => timer.state !== 'pending').slice(0, ENDED_TIMERS);
  return { pending, ended };
}

/** The `/runs` filters from the query string, each checked. */
function runFilters(query: Record<string, string | undefined>): { filters: { workflow?: string; status?: string; subject?: string; from?: string; to?: string; page: number }; problems: Array<{ where: string; message: string }> } {
  const problems: Array<{ where: string; message: string }> = [];
  const given = (key: string): string | undefined => {
    const value = query[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const status = given('status');
  if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) problems.push({ where: 'status', message: `must be one of ${RUN_STATUSES.join(', ')} (got "${status}")` });
  const day = (key: 'from' | 'to'): string | undefined => {
    const value = given(key);
    if (value !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) problems.push({ where: key, message: `must be a day as YYYY-MM-DD (got "${value}")` });
    return value;
  };
  const from = day('from');
  const to = day('to');
  if (from !== undefined && to !== undefined && from > to && problems.length === 0) problems.push({ where: 'to', message: `is before "from" (${from}): no run could match` });
  const pageText = given('page');
  let page = 1;
  if (pageText !== undefined) {
    page = /^\d{1,6}$/.test(pageText) ? Number(pageText) : 0;
    if (page < 1) problems.push({ where: 'page', message: `must be a whole number from 1 (got "${pageText}")` });
  }
  const workflow = given('workflow');
  const subject = given('subject');
  return {
    filters: { ...(workflow === undefined ? {} : { workflow }), ...(status === undefined ? {} : { status }), ...(subject === undefined ? {} : { subject }), ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), page: Math.max(page, 1) },
    problems,
  };
}

function noticeOf(request: FastifyRequest): string | undefined {
  const code = (request.query as Record<string, unknown> | undefined)?.['notice'];
  return typeof code === 'string' ? NOTICES[code] : undefined;
}

/** Where an enable/disable form came from (the list or the workflow's page), so the person stays there. */
function backTo(request: FastifyRequest, fallback: string): string {
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return fallback;
  try {
    const path = new URL(referer).pathname;
    return path === '/' ? '/' : fallback;
  } catch {
    return fallback;
  }
}

function formError(problems: FormProblem[]): NonNullable<PageFrame['error']> {
  return { message: `${problems.length} input${problems.length === 1 ? ' is' : 's are'} not right; nothing was planned or run`, code: 'INVALID_INPUT', problems };
}

/** An operation's error as an HTTP status and what the page says (an unexpected one is logged, not shown). */
function problemOf(error: unknown, request: FastifyRequest): { status: number; shown: NonNullable<PageFrame['error']> } {
  if (!(error instanceof IdflowError)) {
    request.log.error({ err: error }, 'console operation failed');
    return { status: 500, shown: { message: 'Something went wrong on the server; serve\'s log says what. Nothing more was done.', code: 'INTERNAL' } };
  }
  const problems = error instanceof ValidationError
    ? error.problems.map((problem) => ({ where: problem.path === '' ? problem.file : problem.path.replace(/^\//, '').replaceAll('/', '.'), message: problem.message, ...(problem.suggestion === undefined ? {} : { suggestion: problem.suggestion }) }))
    : [];
  return { status: statusFor(error.code), shown: { message: error.message, code: error.code, ...(problems.length === 0 ? {} : { problems }) } };
}

function statusFor(code: string): number {
  if (code.endsWith('_NOT_FOUND')) return 404;
  if (code.startsWith('INVALID_') || code === 'AMBIGUOUS_RUN_ID' || code === 'AMBIGUOUS') return 400;
  if (code.startsWith('RUN_NOT_') || code === 'TIMER_NOT_PENDING' || code === 'SUBJECT_LOCKED' || code === 'CONFLICT' || code.endsWith('_LOCKED')) return 409;
  return 422;
}
