import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface SeenRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** Path and query as sent. */
  target: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The body parsed as JSON (undefined when empty or not JSON). */
  body: unknown;
  rawBody: string;
  /** `performance.timeOrigin + performance.now()` when the request had been read. */
  at: number;
}

/**
 * Answers one request. Return `'hang'` to never answer (the server notes when the client goes
 * away), `'drop'` to destroy the connection without an answer.
 */
export type Handler = (request: SeenRequest, response: ServerResponse) => void | 'hang' | 'drop' | Promise<void | 'hang' | 'drop'>;

/** A real HTTP server on 127.0.0.1 that records what it is asked and how many requests overlap. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: SeenRequest[];
  /** The most requests the server was handling at the same time. */
  readonly maxInFlight: number;
  /** Requests whose client went away before an answer (aborted or dropped). */
  readonly clientsGone: number;
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

/** Writes a JSON answer. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(status, { ...(text === '' ? {} : { 'content-type': 'application/json' }), ...headers });
  response.end(text);
}

/** Starts the server on a random loopback port. */
export async function startLoopbackServer(handler: Handler): Promise<LoopbackServer> {
  const requests: SeenRequest[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let clientsGone = 0;
  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      inFlight--;
    };
    res.on('finish', done);
    res.on('close', () => {
      if (!res.writableFinished) clientsGone++;
      done();
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: url.pathname,
        target: req.url ?? '/',
        query: url.searchParams,
        headers: req.headers,
        body,
        rawBody,
        at: performance.timeOrigin + performance.now(),
      };
      requests.push(seen);
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      Promise.resolve(handler(seen, res)).then(
        (outcome) => {
          if (outcome === 'drop') req.socket.destroy();
        },
        (error: unknown) => {
          if (!res.headersSent) sendJson(res, 500, { message: `test handler failed: ${String(error)}` });
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    get clientsGone() {
      return clientsGone;
    },
    received(count) {
      return requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A logger that keeps every line, for assertions (and for grepping for the API key). */
export function recordingLogger(): {
  lines: Array<{ level: 'debug' | 'info' | 'warn'; message: string; meta?: Record<string, unknown> }>;
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  text(): string;
} {
  const lines: Array<{ level: 'debug' | 'info' | 'warn'; message: string; meta?: Record<string, unknown> }> = [];
  const push = (level: 'debug' | 'info' | 'warn') => (message: string, meta?: Record<string, unknown>) => {
    lines.push({ level, message, ...(meta === undefined ? {} : { meta }) });
  };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), text: () => lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.meta ?? {})}`).join('\n') };
}

/** A generated 24-hex id (`prefix` then a zero-padded counter), like JumpCloud's ObjectIds. */
export function objectId(n: number, prefix = '5f'): string {
  return `${prefix}${n.toString(16).padStart(24 - prefix.length, '0')}`;
}
