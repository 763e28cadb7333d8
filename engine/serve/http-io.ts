import type { ServerResponse } from 'node:http';

/** An HTTP answer: status, JSON body, extra headers. */
export interface HttpReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Close the connection after answering (the request body was not read to its end). */
  close?: boolean;
}

/** An error answer: `{ error: { code, message } }`. */
export function errorReply(status: number, code: string, message: string, headers?: Record<string, string>): HttpReply {
  return { status, body: { error: { code, message } }, ...(headers === undefined ? {} : { headers }) };
}

/** Writes a reply as JSON on a bare `node:http` response (outside Fastify). */
export function sendReply(response: ServerResponse, reply: HttpReply): void {
  const text = `${JSON.stringify(reply.body, null, 2)}\n`;
  response.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(reply.close ? { connection: 'close' } : {}),
    ...reply.headers,
  });
  response.end(text);
}
