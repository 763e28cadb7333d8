import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import type { ConnectionGate } from '../connection-gate.js';
import type { ServeLogger } from '../serve-logger.js';
import { answeredCode, closeAfterAnswer, closesAfterAnswer, noteAnsweredCode, sendError, sendHttpReply } from './error-reply.js';
import { sharedPlugin } from './shared-plugin.js';

/** Options of {@link serveGuards}. */
export interface ServeGuardsOptions {
  gate: ConnectionGate;
  /** True once shutdown began: every request is then answered 503. */
  draining(): boolean;
  logger: ServeLogger;
}

/** The methods a path is checked for when another method was asked for (HEAD comes with GET). */
const METHODS: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * What every request to serve goes through, whichever plugin added its route, before anything
 * reads its body:
 *
 * - a request on a connection the {@link ConnectionGate} turned away is answered 503
 *   `OVERLOADED` with Retry-After, and one that comes while serve shuts down 503
 *   `SHUTTING_DOWN`;
 * - a path no route serves is answered 404 `NOT_FOUND`, and a path served for other methods 405
 *   `METHOD_NOT_ALLOWED` with `Allow` (Fastify would answer both 404, after reading the body);
 * - an answer sent before the request's body was read to its end (an unknown source, a wrong
 *   method, 413, 503) closes the connection: the rest of a body nobody authenticated is never
 *   read;
 * - answers are `Cache-Control: no-store` unless a route says otherwise (they show who is being
 *   offboarded), and every refusal but 404 and load shedding is logged as one line.
 */
export const serveGuards = sharedPlugin(async (app: FastifyInstance, options: ServeGuardsOptions): Promise<void> => {
  const { gate, logger } = options;
  app.addHook('onRequest', async (request, reply) => {
    const refused = gate.refusal(request.raw);
    if (refused !== undefined) return sendHttpReply(reply, refused);
    if (options.draining()) return sendError(reply, 503, 'SHUTTING_DOWN', 'idflow serve is shutting down; try again when it is back', { 'retry-after': '30' });
    if (!request.is404) return undefined;
    const path = pathOf(request.url);
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (allowed.length > 0) {
      return sendError(reply, 405, 'METHOD_NOT_ALLOWED', `${path} accepts ${allowed.filter((m) => m !== 'HEAD').join(', ')} only`, { allow: allowed.join(', ') });
    }
    return sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${path}; idflow serve answers POST /events/{name}, GET /healthz, the API under /api/ and the console (see docs/serve.md)`);
  });
  app.addHook('preSerialization', async (request, _reply, payload) => {
    noteAnsweredCode(request, payload);
    return payload;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    if (closesAfterAnswer(reply) || bodyUnread(request.raw)) {
      closeAfterAnswer(reply);
      void reply.header('connection', 'close');
      reply.raw.once('finish', () => request.raw.destroy());
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const code = answeredCode(request);
    // Load shedding is logged once per burst by the gate, not once per request.
    if (reply.statusCode >= 400 && reply.statusCode !== 404 && code !== 'OVERLOADED') logger.warn(`${request.method} ${pathOf(request.url)} → ${reply.statusCode} ${code ?? ''}${who(request)}`);
  });
});

/** Whether a request has a body that was not read to its end. */
export function bodyUnread(request: IncomingMessage): boolean {
  if (request.complete) return false;
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function who(request: FastifyRequest): string {
  return request.principal === undefined ? '' : ` (${request.principal.name})`;
}

/** The path of a request target, without its query. */
export function pathOf(url: string): string {
  return url.split('?')[0] ?? '/';
}
