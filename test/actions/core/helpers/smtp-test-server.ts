import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** One message the test server accepted. */
export interface ReceivedMessage {
  from: string;
  to: string[];
  /** The user that logged in, if any. */
  user?: string;
  raw: string;
}

/** A real SMTP server on loopback, recording what it receives. */
export interface SmtpTestServer {
  port: number;
  url: string;
  messages: ReceivedMessage[];
  /** Every login attempt: user name and password as the server saw them. */
  logins: Array<{ username: string; password: string }>;
  /** How many connections were opened. */
  connections: number;
  close(): Promise<void>;
}

/** An SMTP error with a reply code, as smtp-server expects from its hooks. */
export function smtpReply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * Starts a real SMTP server (the smtp-server package) on 127.0.0.1 with a random port.
 * It accepts the login `bot` / `s3cret` by default and rejects recipients starting with `bad`
 * with 550; pass `options` to override any hook (e.g. to fail with 421).
 */
export async function startSmtpServer(options: Partial<SMTPServerOptions> & { users?: Record<string, string> } = {}): Promise<SmtpTestServer> {
  const users = options.users ?? { bot: 's3cret' };
  const state = { messages: [] as ReceivedMessage[], logins: [] as Array<{ username: string; password: string }>, connections: 0 };
  const server = new SMTPServer({
    // Plain connections by default; tests that want STARTTLS pass `disabledCommands: []`.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    hideSTARTTLS: false,
    onConnect(_session, callback) {
      state.connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      state.logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      if (auth.username !== undefined && users[auth.username] === auth.password) callback(null, { user: auth.username });
      else callback(smtpReply(535, 'Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('bad')) callback(smtpReply(550, `No such user: ${address.address}`));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = session.envelope;
        state.messages.push({
          from: envelope.mailFrom === false ? '' : envelope.mailFrom.address,
          to: envelope.rcptTo.map((r) => r.address),
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback(null);
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    get messages() {
      return state.messages;
    },
    get logins() {
      return state.logins;
    },
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A loopback port with nothing listening on it (for "server down"). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
