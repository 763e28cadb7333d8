import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IdflowError } from '../../errors/idflow-error.js';
import { ConnectionGate } from '../connection-gate.js';
import type { ConnectionCaps } from '../fd-budget.js';
import { createServeApp, type ServeAppDeps } from './serve-app.js';

/** What the HTTP server serves. */
export interface HttpServerDeps extends Omit<ServeAppDeps, 'gate'> {
  /** How many connections to serve at once (see `fd-budget.ts`). */
  connections: ConnectionCaps;
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
 * Starts serve's HTTP surface (see {@link createServeApp}) on `host:port`: one address, as
 * given, never the several `localhost` may resolve to.
 *
 * @throws IdflowError `LISTEN_FAILED` saying why (the port is taken, needs privileges, the
 *   address is not this machine's) and what to change.
 */
export async function startHttpServer(deps: HttpServerDeps, host: string, port: number): Promise<RunningHttpServer> {
  const gate = new ConnectionGate({ caps: deps.connections, logger: deps.logger });
  const { app, server } = await createServeApp({ ...deps, gate });
  try {
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
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${deps.tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`,
    port: address.port,
    close: async (waitMs = 5_000) => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, waitMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      // The plugins' own onClose hooks (the server is closed already).
      await app.close();
    },
  };
}
