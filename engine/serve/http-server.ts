import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { classifyError } from '../errors/classify.js';
import { IdflowError } from '../errors/idflow-error.js';
import { ConnectionGate } from './connection-gate.js';
import type { ConnectionCaps } from './fd-budget.js';
import { errorReply, sendReply, type HttpReply } from './http-io.js';
import { authorise, health, listRuns, listWorkflows, showEvent, showRun, type MonitoringDeps } from './monitoring-routes.js';
import type { ServeLogger } from './serve-logger.js';
import { handleEventRequest, type WebhookDeps } from './webhook-route.js';

/** What the HTTP server serves. */
export interface HttpServerDeps {
  webhook: WebhookDeps;
  monitoring: MonitoringDeps;
  /** True once shutdown began: every request is then answered 503. */
  draining(): boolean;
  logger: ServeLogger;
  /** How many connections to serve at once (see `fd-budget.ts`). */
  connections: ConnectionCaps;
  /** A PEM certificate chain and private key: serve HTTPS instead of HTTP. */
  tls?: { cert: Buffer; key: Buffer };
}

/** A listening server. */
export interface RunningHttpServer {
  server: Server;
  /** `http://host:port`, or `https://…` with TLS. */
  url: string;
  port: number;
  /** Stops accepting connections, closes idle ones, and waits (at most `waitMs`) for open requests. */
  close(waitMs?: number): Promise<void>;
}

/**
 * Serve's HTTP side on `node:http`. Five routes and a JSON body do not need a framework: the
 * standard library gives streaming bodies with a hard size cap, exact status codes and headers,
 * and no dependency to keep patched for a service that holds admin credentials.
 *
 * Routes: `POST /events/{name}` (signed webhooks), `GET /workflows`, `GET /runs`,
 * `GET /runs/{id}`, `GET /events/{source}/{id}` (bearer token), `GET /healthz` (open). Anything else is 404; a known path
 * with the wrong method is 405 with `Allow`. While shutting down every request is 503, and so is
 * a request on a connection beyond the caps ({@link ConnectionGate}). An answer sent before the
 * request's body was read to its end closes the connection: the rest is never read.
 */
export async function startHttpServer(deps: HttpServerDeps, host: string, port: number): Promise<RunningHttpServer> {
  const gate = new ConnectionGate({ caps: deps.connections, logger: deps.logger });
  // Timeouts are checked every second (node's default is every 30 s), so they hold to the second.
  const options = { connectionsCheckingInterval: 1_000 };
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    void handle(request, response, deps, gate);
  };
  const server: Server = deps.tls === undefined ? createServer(options, onRequest) : createHttpsServer({ ...options, cert: deps.tls.cert, key: deps.tls.key }, onRequest);
  gate.attach(server);
  // Slow clients must not hold a connection open forever (headers in 10 s, a whole request in 30 s).
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void => {
      const why = error.code === 'EADDRINUSE' ? 'the port is already in use' : error.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : error.code === 'EADDRNOTAVAIL' ? 'the address is not one of this machine\'s' : error.message;
      reject(new IdflowError('LISTEN_FAILED', `idflow serve cannot listen on ${host}:${port}: ${why}; choose another with --port / --host or serve.port / serve.host`, { cause: error, details: { host, port } }));
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${deps.tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`,
    port: address.port,
    close: (waitMs = 5_000) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.closeAllConnections();
        resolve();
      }, waitMs);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, deps: HttpServerDeps, gate: ConnectionGate): Promise<void> {
  let reply: HttpReply;
  try {
    reply = gate.refusal(request) ?? (deps.draining() ? errorReply(503, 'SHUTTING_DOWN', 'idflow serve is shutting down; try again when it is back', { 'retry-after': '30' }) : await route(request, deps));
  } catch (error) {
    const classified = classifyError(error);
    deps.logger.error(`${request.method ?? ''} ${request.url ?? ''} failed: ${classified.message}`);
    reply = errorReply(500, 'INTERNAL', `the request could not be handled: ${classified.message}`);
  }
  const code = (reply.body as { error?: { code?: string } }).error?.code;
  // Load shedding is logged once per burst by the gate, not once per request.
  if (reply.status >= 400 && reply.status !== 404 && code !== 'OVERLOADED') deps.logger.warn(`${request.method ?? ''} ${pathOf(request)} → ${reply.status} ${code ?? ''}`);
  // Answered before the body was read to its end (an unknown source, a wrong method, 413, 503):
  // close once answered, rather than let node read the rest of a body nobody authenticated.
  const close = reply.close === true || !request.complete;
  sendReply(response, close ? { ...reply, close: true } : reply);
  if (close) response.once('finish', () => request.destroy());
}

async function route(request: IncomingMessage, deps: HttpServerDeps): Promise<HttpReply> {
  const url = new URL(request.url ?? '/', 'http://idflow.invalid');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = request.method ?? 'GET';
  const only = (allowed: 'GET' | 'POST'): HttpReply | undefined => {
    if (method === allowed || (allowed === 'GET' && method === 'HEAD')) return undefined;
    return errorReply(405, 'METHOD_NOT_ALLOWED', `${path} accepts ${allowed} only`, { allow: allowed === 'GET' ? 'GET, HEAD' : allowed });
  };
  const events = /^\/events\/([^/]+)$/.exec(path);
  if (events !== null) {
    const name = decode(events[1] as string);
    return only('POST') ?? (name === undefined ? errorReply(404, 'UNKNOWN_EVENT', 'the event name is not valid URL text') : handleEventRequest(request, name, deps.webhook));
  }
  if (path === '/healthz') return only('GET') ?? health(deps.monitoring, false);
  const accepted = /^\/events\/([^/]+)\/([^/]+)$/.exec(path);
  if (accepted !== null) {
    const refused = only('GET') ?? authorise(request, deps.monitoring.token);
    if (refused !== undefined) return refused;
    const source = decode(accepted[1] as string);
    const id = decode(accepted[2] as string);
    return source === undefined || id === undefined ? errorReply(404, 'EVENT_NOT_FOUND', 'the source or event id is not valid URL text') : showEvent(source, id, deps.monitoring);
  }
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (path === '/workflows' || path === '/runs' || run !== null) {
    const refused = only('GET') ?? authorise(request, deps.monitoring.token);
    if (refused !== undefined) return refused;
    if (path === '/workflows') return listWorkflows(deps.monitoring);
    if (path === '/runs') return listRuns(url, deps.monitoring);
    const id = decode((run as RegExpExecArray)[1] as string);
    return id === undefined ? errorReply(404, 'RUN_NOT_FOUND', 'the run id is not valid URL text') : showRun(id, deps.monitoring);
  }
  return errorReply(404, 'NOT_FOUND', `no route ${path}; idflow serve answers POST /events/{name}, GET /events/{source}/{id}, GET /workflows, GET /runs, GET /runs/{id} and GET /healthz`);
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?')[0] ?? '/';
}
