import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ConnectionCaps } from './fd-budget.js';
import { errorReply, type HttpReply } from './http-io.js';
import type { ServeLogger } from './serve-logger.js';

/** How long a connection that has not authenticated may stay idle (no bytes either way). */
export const UNAUTHENTICATED_IDLE_MS = 5_000;
/** Under pressure, a stranger idle this long (no request in progress) gives its place to a new connection. */
export const EVICTABLE_AFTER_MS = 1_000;
/** How long a connection that is being turned away may take to send the request it is answered 503 to. */
const SHED_WAIT_MS = 2_000;
/** The Retry-After of a 503 for load (seconds). */
export const OVERLOAD_RETRY_AFTER_SECONDS = 5;
/** A burst of shedding ends after this long without shedding (then it is summed up in the log). */
const BURST_QUIET_MS = 10_000;

interface ConnectionState {
  gate: ConnectionGate;
  /** The socket requests come on (the TLS socket over TLS). */
  socket: Socket;
  authenticated: boolean;
  /** Turned away at arrival: its first request is answered 503 and the connection closed. */
  shed: boolean;
  /** A request is being read or answered. */
  busy: boolean;
  /** When it last did something (arrived, or finished an answer). */
  lastActive: number;
  /** No longer counted (closed or evicted). */
  released: boolean;
}

/** Every open connection's state, found from a request (a socket belongs to one server). */
const states = new WeakMap<Socket, ConnectionState>();

/**
 * Marks the connection a request came on as authenticated (its signature or bearer token was
 * checked): it no longer counts against the cap on unauthenticated connections, and the short
 * idle timeout of strangers no longer applies to it.
 */
export function markAuthenticated(request: IncomingMessage): void {
  const state = states.get(request.socket);
  if (state === undefined || state.authenticated) return;
  state.gate.onAuthenticated(state);
}

/** Options of {@link ConnectionGate}. */
export interface ConnectionGateOptions {
  caps: ConnectionCaps;
  logger: ServeLogger;
  unauthenticatedIdleMs?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/**
 * Keeps serve within its connection caps ({@link ConnectionCaps}), so that no sender, nor many
 * idle strangers, can make it run out of file descriptors while runs are writing to the store.
 *
 * A new connection is served when there is room under both caps (every new connection counts as
 * unauthenticated until a request on it passes a signature or token check). When there is none,
 * the oldest stranger that has been idle for {@link EVICTABLE_AFTER_MS} (not authenticated, no
 * request in progress) is closed to make room, so idle connections cannot keep senders out;
 * failing that the new connection is turned away: its first request is answered `503` with
 * `Retry-After` and the connection closed. Beyond the hard cap a new connection is closed at once.
 * A stranger is also closed after {@link UNAUTHENTICATED_IDLE_MS} without traffic. Shedding is
 * logged once when a burst begins and summed up when it ends, never once per request.
 */
export class ConnectionGate {
  private readonly connections = new Map<Socket, ConnectionState>();
  private served = 0;
  private unauthenticatedServed = 0;
  private shedInBurst = 0;
  private droppedInBurst = 0;
  private evictedInBurst = 0;
  private burstTimer: NodeJS.Timeout | undefined;
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ConnectionGateOptions) {
    this.idleMs = options.unauthenticatedIdleMs ?? UNAUTHENTICATED_IDLE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The caps in force. */
  get caps(): ConnectionCaps {
    return this.options.caps;
  }

  /** Connections served now, how many of them have not authenticated, and all open ones (the turned-away included). */
  get counts(): { served: number; unauthenticated: number; open: number } {
    return { served: this.served, unauthenticated: this.unauthenticatedServed, open: this.connections.size };
  }

  /** The open TCP connection a TLS connection runs over, by the peer's address and port. */
  private tcpUnder(secure: TLSSocket): Socket | undefined {
    for (const socket of this.connections.keys()) {
      if (socket !== secure && socket.remoteAddress === secure.remoteAddress && socket.remotePort === secure.remotePort) return socket;
    }
    return undefined;
  }

  /** Applies the gate to a server (before it listens). */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
    // Over TLS, requests come on the TLS socket that wraps the TCP one: it takes over the state.
    server.on('secureConnection', (secure: TLSSocket) => {
      // Node keeps the wrapped TCP socket in an internal field; should a later Node drop it, the
      // TCP connection is found by its peer's address and port instead of leaving TLS ungated.
      const tcp = (secure as TLSSocket & { _parent?: Socket })._parent ?? this.tcpUnder(secure);
      const state = tcp === undefined ? undefined : states.get(tcp);
      if (tcp === undefined || state === undefined) return;
      states.set(secure, state);
      state.socket = secure;
      tcp.setTimeout(0);
      this.watchIdle(secure, state);
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const state = states.get(request.socket);
      if (state === undefined) return;
      state.busy = true;
      response.once('close', () => {
        state.busy = false;
        state.lastActive = this.now();
      });
      // A keep-alive request of a stranger gets the short idle timeout again (node resets it per request).
      if (!state.authenticated) request.socket.setTimeout(state.shed ? SHED_WAIT_MS : this.idleMs);
    });
    server.on('close', () => this.endBurst());
  }

  /** The 503 for a request on a connection that was turned away, else undefined. */
  refusal(request: IncomingMessage): HttpReply | undefined {
    const state = states.get(request.socket);
    if (state === undefined || !state.shed) return undefined;
    const { caps } = this.options;
    return {
      ...errorReply(503, 'OVERLOADED', `idflow serve is at its connection limit (${caps.total} connections, ${caps.unauthenticated} of them not yet authenticated); retry after ${OVERLOAD_RETRY_AFTER_SECONDS}s`, { 'retry-after': String(OVERLOAD_RETRY_AFTER_SECONDS) }),
      close: true,
    };
  }

  /** Counts a connection as authenticated (called by {@link markAuthenticated}). */
  onAuthenticated(state: ConnectionState): void {
    state.authenticated = true;
    if (!state.shed && !state.released) this.unauthenticatedServed -= 1;
    // An authenticated request may take a while to answer (its runs start first): no idle limit
    // now; node applies its keep-alive timeout once the answer is sent.
    state.socket.setTimeout(0);
  }

  private admit(socket: Socket): void {
    const { caps } = this.options;
    if (this.connections.size >= caps.hard || this.servedFull()) this.evictIdleStranger();
    if (this.connections.size >= caps.hard) {
      socket.destroy();
      this.noteShed('dropped');
      return;
    }
    const shed = this.servedFull();
    const state: ConnectionState = { gate: this, socket, authenticated: false, shed, busy: false, lastActive: this.now(), released: false };
    states.set(socket, state);
    this.connections.set(socket, state);
    if (!shed) {
      this.served += 1;
      this.unauthenticatedServed += 1;
    }
    socket.once('close', () => this.release(socket, state));
    this.watchIdle(socket, state);
    if (shed) this.noteShed('shed');
  }

  private servedFull(): boolean {
    const { caps } = this.options;
    return this.served >= caps.total || this.unauthenticatedServed >= caps.unauthenticated;
  }

  /** Closes the oldest idle stranger, if one has been idle long enough; counts it out at once. */
  private evictIdleStranger(): void {
    const now = this.now();
    for (const [socket, state] of this.connections) {
      if (state.authenticated || state.busy || now - state.lastActive < EVICTABLE_AFTER_MS) continue;
      this.release(socket, state);
      state.socket.destroy();
      if (state.socket !== socket) socket.destroy();
      this.evictedInBurst += 1;
      return;
    }
  }

  /** Stops counting a connection (once, whether it closed or was evicted). */
  private release(socket: Socket, state: ConnectionState): void {
    if (state.released) return;
    state.released = true;
    this.connections.delete(socket);
    if (state.shed) return;
    this.served -= 1;
    if (!state.authenticated) this.unauthenticatedServed -= 1;
  }

  /** Closes the connection when it stays idle while not authenticated. */
  private watchIdle(socket: Socket, state: ConnectionState): void {
    socket.setTimeout(state.shed ? SHED_WAIT_MS : this.idleMs);
    socket.on('timeout', () => {
      if (!state.authenticated) socket.destroy();
    });
  }

  private noteShed(kind: 'shed' | 'dropped'): void {
    if (this.shedInBurst + this.droppedInBurst === 0) {
      const { caps } = this.options;
      this.options.logger.warn(`shedding load: ${this.served} connections served (${this.unauthenticatedServed} not yet authenticated), caps ${caps.total} and ${caps.unauthenticated} (serve.max_connections, serve.max_unauthenticated_connections${caps.limitedBy === undefined ? '' : ', lowered by the open-file limit'}); new connections are answered 503 with Retry-After: ${OVERLOAD_RETRY_AFTER_SECONDS} until there is room`);
    }
    if (kind === 'shed') this.shedInBurst += 1;
    else this.droppedInBurst += 1;
    if (this.burstTimer !== undefined) clearTimeout(this.burstTimer);
    this.burstTimer = setTimeout(() => this.endBurst(), BURST_QUIET_MS);
    this.burstTimer.unref();
  }

  private endBurst(): void {
    if (this.burstTimer !== undefined) clearTimeout(this.burstTimer);
    this.burstTimer = undefined;
    if (this.shedInBurst + this.droppedInBurst === 0) return;
    const parts = [`${this.shedInBurst} connection${this.shedInBurst === 1 ? '' : 's'} answered 503`];
    if (this.droppedInBurst > 0) parts.push(`${this.droppedInBurst} closed unanswered beyond the hard cap of ${this.options.caps.hard}`);
    if (this.evictedInBurst > 0) parts.push(`${this.evictedInBurst} idle unauthenticated connection${this.evictedInBurst === 1 ? '' : 's'} closed to make room`);
    this.options.logger.info(`stopped shedding load: ${parts.join(', ')}`);
    this.shedInBurst = 0;
    this.droppedInBurst = 0;
    this.evictedInBurst = 0;
  }
}
