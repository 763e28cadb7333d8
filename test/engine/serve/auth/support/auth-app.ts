import Fastify, { type FastifyInstance } from 'fastify';
import { Redactor } from '../../../../../engine/logging/redactor.js';
import { createServeLogger } from '../../../../../engine/serve/serve-logger.js';
import { consoleAuthPlugin } from '../../../../../engine/serve/auth/console-auth-plugin.js';
import type { ConsoleAuthSettings } from '../../../../../engine/serve/auth/console-auth-settings.js';
import { csrfToken } from '../../../../../engine/serve/auth/request-session.js';
import { requireRole } from '../../../../../engine/serve/auth/request-principal.js';
import { isRole } from '../../../../../engine/serve/auth/principal.js';

/** A Fastify app with the console's sign-in registered, plus routes that show what it decided. */
export interface AuthApp {
  app: FastifyInstance;
  /** Serve's log lines written so far. */
  log: string[];
}

/**
 * Builds the app: `GET /whoami` (the principal and the page's CSRF token), `POST /operate`
 * (needs operator), `POST /events/:name` (a stand-in webhook route). A request with
 * `Authorization: Bearer <role>:<name>` is signed in as that role by a hook standing in for the
 * API tokens (part of serve's API, not of the console's sign-in), so the CSRF exemption of
 * token requests can be checked.
 */
export async function authApp(settings: ConsoleAuthSettings, options: { tls?: boolean; now?: () => number; limits?: { maxFailures: number; windowMs: number; maxKeys: number } } = {}): Promise<AuthApp> {
  const log: string[] = [];
  const logger = createServeLogger({ write: (text: string) => log.push(text.trimEnd()) }, new Redactor());
  const app = Fastify();
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const match = /^Bearer (\w+):(\w+)$/.exec(request.headers.authorization ?? '');
    if (match !== null && isRole(match[1])) request.principal = { name: match[2] as string, role: match[1], via: 'token' };
  });
  await app.register(consoleAuthPlugin, { settings, logger, tls: options.tls ?? false, ...(options.now === undefined ? {} : { now: options.now }), ...(options.limits === undefined ? {} : { limits: options.limits }) });
  app.get('/whoami', async (request) => ({ principal: request.principal ?? null, csrf: csrfToken(request) ?? null }));
  app.post('/operate', { preHandler: requireRole('operator') }, async (request) => ({ done: true, by: request.principal?.name }));
  app.post('/events/:name', async () => ({ accepted: true }));
  await app.ready();
  return { app, log };
}

/** The `name=value` pairs of a response's Set-Cookie headers, and their attributes, by cookie name. */
export function setCookies(headers: Record<string, unknown>): Map<string, { value: string; attributes: string[] }> {
  const raw = headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? (raw as string[]) : [String(raw)];
  const cookies = new Map<string, { value: string; attributes: string[] }>();
  for (const line of list) {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const eq = (pair as string).indexOf('=');
    cookies.set((pair as string).slice(0, eq), { value: decodeURIComponent((pair as string).slice(eq + 1)), attributes });
  }
  return cookies;
}
