import { createHmac, timingSafeEqual } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { consolePages } from '../../engine/console/console-pages.js';
import { Runtime, type LoadedWorkflow } from '../../engine/runtime/runtime.js';
import { hashPassword } from '../../engine/serve/auth/password-hash.js';
import { isRole, type Principal } from '../../engine/serve/auth/principal.js';
import type { ServeOperations } from '../../engine/serve/operations/serve-operations.js';
import { startServe, type RunningServe } from '../../engine/serve/serve-host.js';
import { WorkflowStateStore } from '../../engine/workflows/workflow-state.js';
import { summariseWorkflows } from '../../engine/workflows/workflow-summary.js';
import '../../engine/serve/auth/request-principal.js';

/**
 * A real `idflow serve --sandbox` for the console's tests, in-process: the JumpCloud emulator, a
 * store in a temporary folder, the shipped offboarding template and an example, console users
 * (`olga` operator, `vera` viewer, `alice` admin, all with {@link CONSOLE_PASSWORD}), a session
 * key, and its own operations (plan, start, resume, cancel…) behind the console and the API.
 *
 * Besides serve itself (`url`: sign in through `/sign-in` as a browser does), `app` serves the
 * console's pages plugin alone over the same serve's operations and store, for `inject` tests of
 * the pages: there a test says who it is with the `x-idflow-test-principal` header
 * (`name:role`), and the CSRF token is an HMAC of that principal, checked on every form post as
 * serve's own check is.
 */
export interface ConsoleApp {
  /** serve's URL (`http://127.0.0.1:PORT`). */
  url: string;
  serve: RunningServe;
  /** The console's pages alone, for `inject` (see above). */
  app: FastifyInstance;
  runtime: Runtime;
  operations: ConsoleTestOperations;
  loaded: readonly LoadedWorkflow[];
  /** The emulator's admin API (faults, state), from the sandbox connection. */
  emulator: { url: string; apiKey: string };
  /** The CSRF token of a principal in `app`, as its forms carry it. */
  csrfFor(principal: string): string;
  /** Everything serve logged. */
  log(): string;
  close(): Promise<void>;
}

/** serve's operations, and what the tests need on top: run to the end, wait for every run, workflow states. */
export interface ConsoleTestOperations extends ServeOperations {
  /** Starts a run and waits for its end (to seed the store); returns its id. */
  run(workflowId: string, inputs: Record<string, unknown>, by: Principal): Promise<string>;
  /** Waits until no run in the store is running. */
  settle(): Promise<void>;
  states: WorkflowStateStore;
}

/** The templates serve serves. */
export const CONSOLE_TEMPLATES = ['templates/jumpcloud-offboarding.yaml', 'examples/hello.yaml'];

/** The password of every console user of the test serve. */
export const CONSOLE_PASSWORD = 'correct horse battery staple';

/** The console users of the test serve, by name, with their roles. */
export const CONSOLE_USERS = { olga: 'operator', vera: 'viewer', alice: 'admin' } as const;

const SESSION_SECRET = 'console-test-session-key-0123456789abcdef';
const TEST_CSRF_SECRET = 'console-test-csrf-secret';

export async function startConsoleApp(options: { templates?: string[]; config?: string[]; env?: Record<string, string> } = {}): Promise<ConsoleApp> {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-console-'));
  mkdirSync(join(dir, 'templates'));
  for (const file of options.templates ?? CONSOLE_TEMPLATES) copyFileSync(resolve(file), join(dir, 'templates', basename(file)));
  const hash = await hashPassword(CONSOLE_PASSWORD);
  writeFileSync(join(dir, 'idflow.config.yaml'), [
    'serve:',
    '  console:',
    '    users:',
    ...Object.entries(CONSOLE_USERS).map(([name, role]) => `      - { name: ${name}, role: ${role}, password_hash: "${hash}" }`),
    '    session:',
    '      secret: { env: IDFLOW_SESSION_SECRET }',
    ...(options.config ?? []),
    '',
  ].join('\n'));
  const env = { IDFLOW_SESSION_SECRET: SESSION_SECRET, ...options.env };
  const store = join(dir, '.idflow');
  let logged = '';
  const log = new Writable({ write(chunk, _encoding, done) { logged += String(chunk); done(); } });
  const runtime = await Runtime.create({ cwd: dir, env, store, sandbox: true, log: () => undefined });
  runtime.services.retryDelayScale = 0.001;
  let serve: RunningServe;
  try {
    serve = await startServe({ runtime, workflowsDir: 'templates', cwd: dir, env, flags: { port: '0', host: '127.0.0.1' }, log });
  } catch (error) {
    await runtime.close();
    throw new Error(`serve did not start: ${(error as Error).message}\n${logged}`);
  }
  const loaded = await Promise.all((options.templates ?? CONSOLE_TEMPLATES).map((file) => runtime.loadWorkflow(join(dir, 'templates', basename(file)))));
  const states = new WorkflowStateStore(runtime.services.store.root);
  const storeOf = runtime.services.store;
  const settle = async (): Promise<void> => {
    await waitFor(() => storeOf.listRuns({ status: 'running' }).length === 0, 'every run to end');
  };
  const operations: ConsoleTestOperations = Object.assign(Object.create(serve.operations) as ServeOperations, {
    states,
    settle,
    async run(workflowId: string, inputs: Record<string, unknown>, by: Principal): Promise<string> {
      const { runId } = await serve.operations.start(workflowId, inputs, by);
      await waitFor(() => {
        try {
          return storeOf.openRun(runId).meta().status !== 'running';
        } catch {
          return false; // queued: no record yet
        }
      }, `run ${runId} to end`);
      return runId;
    },
  });

  const csrfFor = (principal: string): string => createHmac('sha256', TEST_CSRF_SECRET).update(principal).digest('base64url');
  const app = Fastify({ logger: false });
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    request.principal = principalFrom(request);
  });
  await app.register(consolePages, {
    operations: serve.operations,
    store: storeOf,
    workflows: () => summariseWorkflows(loaded, { states, store: storeOf }),
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
  const sandbox = runtime.services.connections.get('jumpcloud') as { base_url: string; api_key: string };
  return {
    url: serve.url,
    serve,
    app,
    runtime,
    operations,
    loaded,
    emulator: { url: sandbox.base_url, apiKey: sandbox.api_key },
    csrfFor,
    log: () => logged,
    async close() {
      await app.close();
      await serve.shutdown();
      await runtime.close();
    },
  };
}

function principalText(request: FastifyRequest): string | undefined {
  const header = request.headers['x-idflow-test-principal'];
  return typeof header === 'string' ? header : undefined;
}

function principalFrom(request: FastifyRequest): Principal | undefined {
  const text = principalText(request);
  if (text === undefined) return undefined;
  const [name, role] = text.split(':');
  return name !== undefined && name !== '' && isRole(role) ? { name, role, via: 'password' } : undefined;
}

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}
