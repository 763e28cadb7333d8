import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpReply } from '../http-io.js';

/** The stable code of each request's error answer, for serve's log line (see serve-guards.ts). */
const answeredCodes = new WeakMap<FastifyRequest, string>();

/** The error code the request was answered with, if it was answered `{error: {code}}`. */
export function answeredCode(request: FastifyRequest): string | undefined {
  return answeredCodes.get(request);
}

/** Remembers the error code of an answer body, when it has serve's error shape. */
export function noteAnsweredCode(request: FastifyRequest, body: unknown): void {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  if (typeof code === 'string') answeredCodes.set(request, code);
}

/**
 * Answers with serve's error shape `{ "error": { "code", "message" } }`. Returns the reply, so an
 * async hook can `return sendError(…)` to end the request there.
 */
export function sendError(reply: FastifyReply, status: number, code: string, message: string, headers?: Record<string, string>): FastifyReply {
  if (headers !== undefined) void reply.headers(headers);
  return reply.code(status).send({ error: { code, message } });
}

/** Answers an {@link HttpReply} (status, body, headers; `close` ends the connection after it). */
export function sendHttpReply(reply: FastifyReply, answer: HttpReply): FastifyReply {
  if (answer.headers !== undefined) void reply.headers(answer.headers);
  if (answer.close === true) closeAfterAnswer(reply);
  return reply.code(answer.status).send(answer.body);
}

const closing = new WeakSet<FastifyReply>();

/** Closes the connection once this answer is sent (`Connection: close`, then the socket is destroyed). */
export function closeAfterAnswer(reply: FastifyReply): void {
  closing.add(reply);
}

/** Whether the connection is to be closed after this answer. */
export function closesAfterAnswer(reply: FastifyReply): boolean {
  return closing.has(reply);
}
