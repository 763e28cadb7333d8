import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the test server received. */
export interface ReceivedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How the server answers one request; `hang` never answers (for timeouts and aborts). */
export type Responder = (request: ReceivedRequest, response: ServerResponse) => void | 'hang';

/** A real HTTP server on loopback, recording every request. */
export interface HttpTestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: ReceivedRequest[];
  /** Sets how the next requests are answered (default: 200 `ok`). */
  respond(responder: Responder): void;
  /** Resolves when the server has received `count` requests in total. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Answers with a status, headers and a body (objects are sent as JSON). */
export function reply(status: number, body: unknown = '', headers: Record<string, string> = {}): Responder {
  return (_request, response) => {
    const isJson = typeof body !== 'string';
    response.writeHead(status, { 'content-type': isJson ? 'application/json' : 'text/plain', ...headers });
    response.end(isJson ? JSON.stringify(body) : body);
  };
}

/** Starts a node:http server on 127.0.0.1 with a random port. */
export async function startHttpServer(): Promise<HttpTestServer> {
  const requests: ReceivedRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let responder: Responder = reply(200, 'ok');
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      if (responder(request, res) === 'hang') hanging.add(res);
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      responder = next;
    },
    received(count) {
      return requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
