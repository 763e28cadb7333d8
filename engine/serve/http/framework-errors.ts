import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { bodyUnread } from './serve-guards.js';

/**
 * Fastify's answer to a request its router cannot take (a path that is not valid URL text, a
 * segment over the length limit), in serve's shape `{error: {code, message}}`, and, as every
 * early answer, closing the connection when the body was not read. (These answers come before
 * any route or hook, so the guards cannot shape them.)
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0] ?? '/';
  const [status, code, message] = error.code === 'FST_ERR_BAD_URL'
    ? [400, 'BAD_URL', `the path ${JSON.stringify(path.slice(0, 200))} is not valid URL text (a % must be followed by two hex digits that make UTF-8)`]
    : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'URI_TOO_LONG', `a segment of the path ${JSON.stringify(path.slice(0, 200))}… is longer than idflow serve reads (1000 characters)`]
      : [400, 'BAD_REQUEST', error.message];
  void reply.header('cache-control', 'no-store');
  if (bodyUnread(request.raw)) {
    void reply.header('connection', 'close');
    reply.raw.once('finish', () => request.raw.destroy());
  }
  void reply.code(status).send({ error: { code, message } });
}

/**
 * Node's answer to bytes that are not an HTTP request (or headers too large, or too slow), in
 * serve's shape, then the connection closed: nothing after them can be trusted to be a request.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time (headers within 10 s, the whole request within 30 s)']
    : error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'the request\'s headers are larger than idflow serve reads']
      : [400, 'BAD_REQUEST', 'the request is not valid HTTP/1.1'];
  const body = `${JSON.stringify({ error: { code, message } }, null, 2)}\n`;
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy();
}
