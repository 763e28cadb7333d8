import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyInstance, type FastifyPluginOptions } from 'fastify';
import type { ConnectionGate } from '../connection-gate.js';
import type { ServeLogger } from '../serve-logger.js';
import { apiEventRoutes, type ApiEventOptions } from './api-event-routes.js';
import { apiRunRoutes } from './api-run-routes.js';
import { apiTokenRoutes } from './api-token-routes.js';
import { apiTokens, type ApiToken } from './api-tokens.js';
import { apiWorkflowRoutes, type ApiWorkflowOptions } from './api-workflow-routes.js';
import { clientErrorHandler, frameworkErrors } from './framework-errors.js';
import { healthRoute, type HealthRouteOptions } from './health-route.js';
import { jsonBody } from './json-body.js';
import { decoratePrincipal } from './principal-decorator.js';
import { serveErrors } from './serve-errors.js';
import { serveGuards } from './serve-guards.js';
import type { ServePlugin } from './shared-plugin.js';
import { webhookRoutes, type WebhookDeps } from './webhook-routes.js';
import type { RunStore } from '../../store/run-store.js';

/** Headers must arrive within this long, and a whole request within {@link REQUEST_TIMEOUT_MS}. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** How long a whole request (headers and body) may take to arrive. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** A plugin and its options, registered as given (so that an app-wide plugin stays app-wide). */
export interface RegisteredPlugin {
  /** Registers the plugin on the app itself (not in a child context). */
  register(app: FastifyInstance): Promise<void>;
}

/** Pairs a plugin with its options, type-checked against each other. */
export function registered<Options extends FastifyPluginOptions>(plugin: ServePlugin<Options>, options: Options): RegisteredPlugin {
  return {
    async register(app) {
      await app.register(plugin, options);
    },
  };
}

/** What serve's HTTP surface serves. */
export interface ServeAppDeps {
  webhook: WebhookDeps;
  /** What the read API shows. */
  api: ApiWorkflowOptions & ApiEventOptions & HealthRouteOptions & { store: RunStore };
  /** Who may use the API with a bearer token (`serve.api_tokens`, `serve.token`). */
  tokens: readonly ApiToken[];
  /** True once shutdown began: every request is then answered 503. */
  draining(): boolean;
  logger: ServeLogger;
  /** Keeps serve within its connection caps (attached to the server the app creates). */
  gate: ConnectionGate;
  /** A PEM certificate chain and private key: serve HTTPS instead of HTTP. */
  tls?: { cert: Buffer; key: Buffer };
  /**
   * The proxies whose `X-Forwarded-For` / `-Proto` / `-Host` serve believes (`serve.trust_proxy`),
   * or none: then `request.ip` is the peer's address and `request.protocol` what serve speaks.
   */
  trustProxy: readonly string[];
  /**
   * More pieces (the console, sign-in, write routes), each registered after the guards, the
   * API tokens and the JSON body reader, in order.
   */
  plugins?: readonly RegisteredPlugin[];
}

/**
 * Builds serve's whole HTTP surface on Fastify: the server (HTTP or HTTPS, behind the
 * {@link ConnectionGate}, with header and request timeouts), the guards every request passes
 * (load shedding, draining, 404/405 before any body is read, connections closed after an early
 * answer), serve's error shape, the JSON body reader, the API tokens, and the routes: the
 * webhooks, `/healthz` and the read API under `/api/`.
 *
 * Fastify's own logger is off: serve logs through its own {@link ServeLogger} (one line per
 * refusal or failure, secrets redacted). `trustProxy` is off unless `serve.trust_proxy` names
 * the proxies: believing `X-Forwarded-For` from anyone would let any sender choose the address
 * that rate limits and logs see, and `X-Forwarded-Proto` whether a cookie is marked Secure.
 */
export async function createServeApp(deps: ServeAppDeps): Promise<{ app: FastifyInstance; server: Server }> {
  let server: Server | undefined;
  const serverFactory = (handler: (request: IncomingMessage, response: ServerResponse) => void): Server => {
    // Timeouts are checked every second (node's default is every 30 s), so they hold to the second.
    const options = { connectionsCheckingInterval: 1_000 };
    const created: Server = deps.tls === undefined ? createServer(options, handler) : createHttpsServer({ ...options, cert: deps.tls.cert, key: deps.tls.key }, handler);
    deps.gate.attach(created);
    // Slow clients must not hold a connection open forever.
    created.headersTimeout = HEADERS_TIMEOUT_MS;
    created.requestTimeout = REQUEST_TIMEOUT_MS;
    server = created;
    return created;
  };
  const app = Fastify({
    serverFactory,
    logger: false,
    trustProxy: deps.trustProxy.length === 0 ? false : [...deps.trustProxy],
    bodyLimit: deps.webhook.settings.maxBodyBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    frameworkErrors,
    clientErrorHandler,
    // Event ids are up to 200 characters, URL-encoded up to three times that.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1_000 },
  });
  // Answers are pretty-printed, one JSON document and a line feed, as serve always answered.
  app.setReplySerializer((payload) => `${JSON.stringify(payload, null, 2)}\n`);
  decoratePrincipal(app);
  await app.register(serveGuards, { gate: deps.gate, draining: deps.draining, logger: deps.logger });
  await app.register(serveErrors, { logger: deps.logger, maxBodyBytes: deps.webhook.settings.maxBodyBytes });
  await app.register(jsonBody);
  await app.register(apiTokens, { tokens: deps.tokens });
  await app.register(webhookRoutes, deps.webhook);
  await app.register(healthRoute, { health: deps.api.health });
  await app.register(apiWorkflowRoutes, { workflows: deps.api.workflows, workflow: deps.api.workflow });
  await app.register(apiRunRoutes, { store: deps.api.store, logger: deps.logger });
  await app.register(apiEventRoutes, { event: deps.api.event });
  await app.register(apiTokenRoutes, { tokens: deps.tokens });
  for (const plugin of deps.plugins ?? []) await plugin.register(app);
  await app.ready();
  if (server === undefined) throw new Error('Fastify did not create its server');
  return { app, server };
}
