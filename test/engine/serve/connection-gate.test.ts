import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionGate, markAuthenticated } from '../../../engine/serve/connection-gate.js';
import type { ConnectionCaps } from '../../../engine/serve/fd-budget.js';
import { sendReply } from '../../../engine/serve/http-io.js';
import type { ServeLogger } from '../../../engine/serve/serve-logger.js';

/** A logger that keeps its lines. */
function memoryLogger(): ServeLogger & { lines: string[] } {
  const lines: string[] = [];
  const logger: ServeLogger & { lines: string[] } = {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    child: () => logger,
  };
  return logger;
}

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** A server behind a gate: `/auth` authenticates its connection, anything else does not. */
async function gated(caps: ConnectionCaps, idleMs = 5_000): Promise<{ gate: ConnectionGate; port: number; logger: ReturnType<typeof memoryLogger> }> {
  const logger = memoryLogger();
  const gate = new ConnectionGate({ caps, logger, unauthenticatedIdleMs: idleMs });
  server = createServer((req, res) => {
    const refused = gate.refusal(req);
    if (refused !== undefined) {
      sendReply(res, refused);
      res.once('finish', () => req.destroy());
      return;
    }
    if (req.url === '/auth') markAuthenticated(req);
    req.resume();
    req.on('end', () => sendReply(res, { status: 200, body: { ok: true } }));
  });
  gate.attach(server);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { gate, port: (server.address() as AddressInfo).port, logger };
}

function idle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

function get(port: number, path: string, agent: import('node:http').Agent | false = false): Promise<{ status: number; retryAfter?: string; code?: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers['retry-after'] === undefined ? {} : { retryAfter: res.headers['retry-after'] }), ...(res.statusCode === 503 ? { code: (JSON.parse(text) as { error: { code: string } }).error.code } : {}) }));
    });
    req.on('error', () => resolve({ status: 0 }));
    req.end();
  });
}

const settle = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('ConnectionGate', () => {
  it('answers 503 with Retry-After once strangers fill the unauthenticated cap, and serves again when they leave', async () => {
    const { gate, port, logger } = await gated({ total: 6, unauthenticated: 3, hard: 10 });
    const strangers = [await idle(port), await idle(port), await idle(port)];
    await settle();
    expect(gate.counts).toMatchObject({ served: 3, unauthenticated: 3 });
    expect(await get(port, '/x')).toEqual({ status: 503, retryAfter: '5', code: 'OVERLOADED' });
    expect(await get(port, '/x')).toMatchObject({ status: 503 });
    for (const socket of strangers) socket.destroy();
    await settle();
    expect(gate.counts).toMatchObject({ served: 0, unauthenticated: 0 });
    expect(await get(port, '/x')).toEqual({ status: 200 });
    // Logged once for the burst, not once per refused request.
    expect(logger.lines.filter((line) => line.includes('shedding load')).length).toBe(1);
  });

  it('keeps authenticated connections out of the strangers\' cap', async () => {
    const { gate, port } = await gated({ total: 6, unauthenticated: 2, hard: 10 });
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(port, '/auth', agent)).toEqual({ status: 200 });
    await idle(port);
    await idle(port);
    await settle();
    expect(gate.counts).toMatchObject({ served: 3, unauthenticated: 2 });
    // The authenticated keep-alive connection is still served; a new stranger is not.
    expect(await get(port, '/auth', agent)).toEqual({ status: 200 });
    expect(await get(port, '/x')).toMatchObject({ status: 503 });
    agent.destroy();
  });

  it('closes a stranger idle for longer than its timeout', async () => {
    const { gate, port } = await gated({ total: 6, unauthenticated: 3, hard: 10 }, 200);
    const socket = await idle(port);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await closed;
    await settle();
    expect(gate.counts).toMatchObject({ served: 0, unauthenticated: 0, open: 0 });
  });

  it('gives the place of a stranger idle for a second to a new connection', async () => {
    const { gate, port, logger } = await gated({ total: 3, unauthenticated: 2, hard: 5 });
    const first = await idle(port);
    await idle(port);
    await settle(1_100);
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    expect(await get(port, '/x')).toEqual({ status: 200 });
    await closed; // the oldest idle stranger made room
    await settle();
    expect(gate.counts.served).toBe(1);
    expect(logger.lines.filter((line) => line.includes('shedding load'))).toEqual([]);
  });

  it('closes connections beyond the hard cap at once', async () => {
    const { gate, port } = await gated({ total: 1, unauthenticated: 1, hard: 2 });
    await idle(port);
    await idle(port); // turned away (answered 503 if it asks)
    await settle();
    const third = await idle(port);
    const closed = await new Promise<boolean>((resolve) => { third.once('close', () => resolve(true)); setTimeout(() => resolve(false), 1_000); });
    expect(closed).toBe(true);
    expect(gate.counts.open).toBe(2);
  });
});
