import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** Writes a reply as JSON. */
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

/** The body as bytes, or `too-large` as soon as it passes `limit` (the rest is not read). */
export async function readBody(request: IncomingMessage, limit: number): Promise<{ kind: 'ok'; body: Buffer } | { kind: 'too-large' }> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) return { kind: 'too-large' };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) return { kind: 'too-large' };
    chunks.push(buffer);
  }
  return { kind: 'ok', body: Buffer.concat(chunks) };
}

/** One header's value (the first, when sent several times). */
export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
