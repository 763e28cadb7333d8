import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { consolePages } from '../../engine/console/console-pages.js';
import { IdflowError } from '../../engine/errors/idflow-error.js';
import { ValidationError } from '../../engine/errors/usage-errors.js';
import { resolveInputs } from '../../engine/inputs/index.js';
import { createRunLogger } from '../../engine/logging/run-logger.js';
import type { ConsoleOptions } from '../../engine/runner/run-services.js';
import { planRun } from '../../engine/runner/plan-run.js';
import { resumeRun } from '../../engine/runner/resume-run.js';
import { startRun } from '../../engine/runner/start-run.js';
import { Runtime, type LoadedWorkflow } from '../../engine/runtime/runtime.js';
import { isRole, type Principal } from '../../engine/serve/auth/principal.js';
import type { RunProgressEvent, ServeOperations } from '../../engine/serve/operations/serve-operations.js';
import { TimerStore } from '../../engine/timers/timer-store.js';
import { WorkflowStateStore } from '../../engine/workflows/workflow-state.js';
import { summariseWorkflows } from '../../engine/workflows/workflow-summary.js';
import '../../engine/serve/auth/request-principal.js';

/**
 * The console's pages in a Fastify app for tests, over a real runtime: the JumpCloud emulator
 * (`--sandbox`), a store in a temporary folder, the shipped offboarding template and an example.
 *
 * Sign-in is another part of serve: here a test says who it is with the `idflow_test_principal`
 * cookie or header (`name:role`). The CSRF token is an HMAC of that principal, checked on every
 * form post, so a post without it is refused as serve's own check would refuse it.
 */
export interface ConsoleApp {
  app: FastifyInstance;
  runtime: Runtime;
  operations: TestOperations;
  loaded: LoadedWorkflow[];
  /** The emulator's admin API (faults, state), from the sandbox connection. */
  emulator: { url: string; apiKey: string };
  /** The CSRF token of a principal, as its forms carry it. */
  csrfFor(principal: string): string;
  close(): Promise<void>;
}

/** The templates the app serves. */
export const CONSOLE_TEMPLATES = ['templates/jumpcloud-offboarding.yaml', 'examples/hello.yaml'];

const CSRF_SECRET = 'console-test-csrf-secret';

export async function startConsoleApp(options: { templates?: string[]; store?: string } = {}): Promise<ConsoleApp> {
  const store = options.store ?? join(mkdtempSync(join(tmpdir(), 'idflow-console-')), 'store');
  const runtime = await Runtime.create({ cwd: resolve('.'), env: {}, store, sandbox: true, log: () => undefined });
  runtime.services.retryDelayScale = 0.001;
  const loaded = await Promise.all((options.templates ?? CONSOLE_TEMPLATES).map((file) => runtime.loadWorkflow(file)));
  const operations = new TestOperations(runtime, loaded);
  const app = Fastify({ logger: false });
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    request.principal = principalFrom(request);
  });
  const csrfFor = (principal: string): string => createHmac('sha256', CSRF_SECRET).update(principal).digest('base64url');
  await app.register(consolePages, {
    operations,
    store: runtime.services.store,
    workflows: () => summariseWorkflows(loaded, { states: operations.states, store: runtime.services.store }),
    loadedWorkflows: () => loaded,
    csrfToken: (request: FastifyRequest) => csrfFor(principalText(request) ?? ''),
    verifyCsrf: async (request: FastifyRequest, reply: FastifyReply) => {
      const given = (request.body as Record<string, unknown> | undefined)?.['_csrf'];
      const expected = Buffer.from(csrfFor(principalText(request) ?? ''));
      if (typeof given !== 'string' || given.length !== expected.length || !timingSafeEqual(Buffer.from(given), expected)) {
        await reply.code(403).send({ error: { code: 'CSRF_TOKEN_INVALID', message: 'the form has no valid CSRF token (_csrf); reload the page and try again' } });
      }
    },
  });
  // The progress stream the run page's script follows (serve's own is part of the API).
  app.get<{ Params: { id: string } }>('/api/runs/:id/progress', (request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const stop = operations.follow(request.params.id, (event) => {
      reply.raw.write(`data: ${JSON.stringify(event)}\n\n`);
      if (event.type === 'end') reply.raw.end();
    });
    request.raw.on('close', stop);
  });
  const sandbox = runtime.services.connections.get('jumpcloud') as { base_url: string; api_key: string };
  return {
    app,
    runtime,
    operations,
    loaded,
    emulator: { url: sandbox.base_url, apiKey: sandbox.api_key },
    csrfFor,
    async close() {
      await app.close();
      await operations.settle();
      await runtime.close();
    },
  };
}

function principalText(request: FastifyRequest): string | undefined {
  const header = request.headers['x-idflow-test-principal'];
  if (typeof header === 'string') return header;
  const cookie = /(?:^|;\s*)idflow_test_principal=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  return cookie === undefined ? undefined : decodeURIComponent(cookie);
}

function principalFrom(request: FastifyRequest): Principal | undefined {
  const text = principalText(request);
  if (text === undefined) return undefined;
  const [name, role] = text.split(':');
  return name !== undefined && name !== '' && isRole(role) ? { name, role, via: 'password' } : undefined;
}

const quiet: ConsoleOptions = { stream: new Writable({ write: (_chunk, _encoding, done) => done() }), mode: 'silent' };

/**
 * {@link ServeOperations} over the real runner (planRun, startRun, resumeRun), the workflow
 * states and the timer store: small, for the console's tests; serve's own replaces it.
 */
export class TestOperations implements ServeOperations {
  readonly states: WorkflowStateStore;
  private readonly timerStore: TimerStore;
  private readonly inFlight = new Map<string, { done: Promise<unknown>; drain: AbortController }>();

  constructor(private readonly runtime: Runtime, private readonly loaded: readonly LoadedWorkflow[]) {
    this.states = new WorkflowStateStore(runtime.services.store.root);
    this.timerStore = new TimerStore(runtime.services.store.root);
  }

  async plan(workflowId: string, given: Record<string, unknown>, by: Principal) {
    const { workflow, file, source } = this.workflow(workflowId);
    const inputs = this.inputs(workflowId, given);
    const runId = `plan-${Date.now()}`;
    const data = { inputs, vars: this.runtime.resolveVars(workflow), event: {}, steps: {}, run: { id: runId, workflow_id: workflow.id, started_at: new Date().toISOString(), initiated_by: by.name, dry_run: true } };
    const logger = createRunLogger({ runId, workflowId, redactor: this.runtime.services.redactor, console: quiet });
    return planRun({ workflow, data, logger, signal: new AbortController().signal, template: { path: file, text: source } }, this.runtime.services);
  }

  async start(workflowId: string, given: Record<string, unknown>, by: Principal) {
    const loaded = this.workflow(workflowId);
    const inputs = this.inputs(workflowId, given);
    const drain = new AbortController();
    let created: (runId: string) => void = () => undefined;
    const runId = new Promise<string>((resolvePromise) => (created = resolvePromise));
    const done = startRun({
      workflow: loaded.workflow,
      template: { path: loaded.file, text: loaded.source, hash: loaded.hash },
      inputs,
      vars: this.runtime.resolveVars(loaded.workflow),
      trigger: { type: 'manual' },
      initiatedBy: by.name,
      signal: new AbortController().signal,
      drain: drain.signal,
      console: quiet,
      onRunCreated: (id) => created(id),
    }, this.runtime.services);
    const id = await Promise.race([runId, done.then((outcome) => outcome.runId)]);
    this.inFlight.set(id, { done: done.catch(() => undefined), drain });
    return { runId: id };
  }

  /** Starts a run and waits for its end (to seed the store). */
  async run(workflowId: string, given: Record<string, unknown>, by: Principal): Promise<string> {
    const { runId } = await this.start(workflowId, given, by);
    await this.inFlight.get(runId)?.done;
    return runId;
  }

  async resume(runId: string, _by: Principal) {
    const handle = this.runtime.services.store.openRun(runId);
    const meta = handle.meta();
    if (!['failed', 'interrupted', 'cancelled'].includes(meta.status)) throw new IdflowError('RUN_NOT_RESUMABLE', `Run ${runId} is ${meta.status}; only an interrupted, failed or cancelled run can be resumed`);
    const workflow = (await this.runtime.loadPinnedWorkflow(handle.templateText(), meta.templatePath)).workflow;
    const drain = new AbortController();
    const done = resumeRun({ handle, workflow, templateChanged: false, signal: new AbortController().signal, drain: drain.signal, console: quiet }, this.runtime.services);
    this.inFlight.set(handle.id, { done: done.catch(() => undefined), drain });
    // The resumed session has begun once the journal says so.
    await waitFor(() => handle.events().some((event) => event.type === 'run.resumed') || handle.meta().status !== meta.status);
    return { runId: handle.id };
  }

  async cancel(runId: string, _by: Principal) {
    const handle = this.runtime.services.store.openRun(runId);
    const run = this.inFlight.get(handle.id);
    if (run === undefined || handle.meta().status !== 'running') throw new IdflowError('RUN_NOT_RUNNING', `Run ${handle.id} is not running here; there is nothing to cancel`);
    run.drain.abort();
    return { runId: handle.id, status: 'cancelling' as const };
  }

  async setEnabled(workflowId: string, enabled: boolean, by: Principal) {
    this.workflow(workflowId);
    this.states.set(workflowId, enabled, { changedBy: by.name });
    const summary = summariseWorkflows(this.loaded, { states: this.states, store: this.runtime.services.store }).find((workflow) => workflow.id === workflowId);
    if (summary === undefined) throw new IdflowError('WORKFLOW_NOT_FOUND', `No workflow "${workflowId}" is served`);
    return summary;
  }

  async cancelTimer(timerId: string, by: Principal) {
    const timer = this.timerStore.get(timerId);
    if (timer.state !== 'pending') throw new IdflowError('TIMER_NOT_PENDING', `Timer ${timer.id} is ${timer.state}, not pending; there is nothing to cancel`);
    return this.timerStore.cancel(timerId, `cancelled by ${by.name}`);
  }

  timers(filter: { state?: 'pending' | 'fired' | 'skipped' | 'failed' | 'cancelled'; limit?: number } = {}) {
    const all = this.timerStore.list(filter.state === undefined ? {} : { states: [filter.state] });
    const sorted = [...all.filter((timer) => timer.state === 'pending'), ...all.filter((timer) => timer.state !== 'pending').sort((a, b) => (b.finishedAt ?? b.createdAt).localeCompare(a.finishedAt ?? a.createdAt))];
    return filter.limit === undefined ? sorted : sorted.slice(0, filter.limit);
  }

  /** Follows a run by reading its journal every 50 ms (serve's own follows it as it is written). */
  follow(runId: string, listener: (event: RunProgressEvent) => void, afterSeq = 0): () => void {
    const handle = this.runtime.services.store.openRun(runId);
    let seen = afterSeq;
    const timer = setInterval(() => {
      const events = handle.events();
      for (; seen < events.length; seen++) listener({ type: 'journal', seq: seen + 1, event: events[seen] as unknown as Record<string, unknown> });
      const status = handle.meta().status;
      if (status !== 'running') {
        clearInterval(timer);
        listener({ type: 'end', status });
      }
    }, 50);
    return () => clearInterval(timer);
  }

  /** Waits for every run this object started or resumed. */
  async settle(): Promise<void> {
    await Promise.all([...this.inFlight.values()].map((run) => run.done));
  }

  private workflow(id: string): LoadedWorkflow {
    const found = this.loaded.find((candidate) => candidate.workflow.id === id);
    if (found === undefined) throw new IdflowError('WORKFLOW_NOT_FOUND', `No workflow "${id}" is served`);
    return found;
  }

  private inputs(workflowId: string, given: Record<string, unknown>): Record<string, unknown> {
    const result = resolveInputs(this.workflow(workflowId).workflow.inputs, given, { origin: 'the form' });
    if (result.problems.some((problem) => problem.severity === 'error')) throw new ValidationError('INVALID_INPUT', `The inputs of ${workflowId} are not right; nothing was planned or run`, result.problems);
    return result.values;
  }
}

async function waitFor(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the resumed run to begin');
    await new Promise((done) => setTimeout(done, 20));
  }
}
