import { randomBytes } from 'node:crypto';
import formBody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleAuthState } from './console-auth-state.js';
import { HashingGate } from './hashing-gate.js';
import { verifyDummyPassword, verifyPassword } from './password-hash.js';
import { requestSession } from './request-session.js';
import { safeNext } from './safe-next.js';
import { SESSION_COOKIE } from './session-cookie.js';
import { sendPage, signInPage } from './sign-in-page.js';
import { equalText, mac } from './signed-token.js';

/**
 * The cookie that binds the sign-in form to the browser that loaded it, before there is a
 * session: a sign-in posted from another site's page (login CSRF, which would sign the victim
 * in as the attacker) lacks it and is refused.
 */
export const PRE_SESSION_COOKIE = 'idflow_presession';

/** How long a sign-in form stays usable. */
const PRE_SESSION_MAX_AGE_S = 60 * 60;

/** Sign-in forms are small; anything larger is not one. */
const SIGN_IN_BODY_LIMIT = 16 * 1024;

/**
 * `GET /sign-in` (the form), `POST /sign-in` (local users: name and password, rate-limited per
 * address and per name, then a session cookie and a redirect to a safe `next`) and
 * `POST /sign-out` (ends the session; its CSRF token is checked by the CSRF hook). Every sign-in,
 * refusal and sign-out is logged with who and from where, never with a password.
 */
export async function signInRoutes(app: FastifyInstance, options: { auth: ConsoleAuthState }): Promise<void> {
  const { settings, sessions, logger, tls, failures } = options.auth;
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formBody, { bodyLimit: SIGN_IN_BODY_LIMIT });
  const secret = settings.session?.secret;
  const passwords = settings.users.size > 0 && sessions !== undefined;
  const oidc = sessions === undefined ? undefined : settings.oidc?.displayName;
  const hashing = new HashingGate();

  /** The form's token for this browser's pre-session id, setting the cookie when it has none. */
  const formToken = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
    if (secret === undefined || !passwords) return undefined;
    let id = request.cookies[PRE_SESSION_COOKIE];
    if (id === undefined || !/^[A-Za-z0-9_-]{24}$/.test(id)) {
      id = randomBytes(18).toString('base64url');
      void reply.setCookie(PRE_SESSION_COOKIE, id, { httpOnly: true, sameSite: 'strict', path: '/sign-in', secure: tls, maxAge: PRE_SESSION_MAX_AGE_S });
    }
    return mac(secret, 'pre-session', id);
  };
  const page = (request: FastifyRequest, reply: FastifyReply, status: number, next: string, extra: { error?: string; name?: string } = {}): FastifyReply =>
    sendPage(reply, status, signInPage({ csrf: formToken(request, reply), next, passwords, ...(oidc === undefined ? {} : { oidc }), ...extra }));

  app.get('/sign-in', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>)['next']);
    if (request.principal !== undefined && requestSession(request) !== undefined) return reply.redirect(next, 303);
    if (settings.unavailable !== undefined) return page(request, reply, 503, next, { error: settings.unavailable });
    return page(request, reply, 200, next);
  });

  app.post('/sign-in', { bodyLimit: SIGN_IN_BODY_LIMIT }, async (request, reply) => {
    const body = formFields(request.body);
    const next = safeNext(body['next']);
    const name = body['name'] ?? '';
    const address = request.ip;
    if (settings.unavailable !== undefined || secret === undefined || sessions === undefined) return page(request, reply, 503, next, { error: settings.unavailable ?? 'Sign-in is not configured on this server.' });
    if (!passwords) return page(request, reply, 400, next, { error: `This server signs people in through ${oidc ?? 'single sign-on'} only.` });
    const id = request.cookies[PRE_SESSION_COOKIE];
    const given = body['_csrf'];
    if (id === undefined || given === undefined || !equalText(given, mac(secret, 'pre-session', id))) {
      logger.warn(`sign-in refused from ${address}: the form's CSRF token is missing or wrong (a form from another site, or one older than an hour)`, { user: shortName(name), address, code: 'CSRF_TOKEN_INVALID' });
      return page(request, reply, 403, next, { error: 'This sign-in form has expired or did not come from this server. Sign in again.', ...(name === '' ? {} : { name }) });
    }
    const nameKey = name.toLowerCase();
    const wait = Math.max(failures.byAddress.retryAfterMs(address) ?? 0, failures.byName.retryAfterMs(nameKey) ?? 0);
    if (wait > 0) {
      const which = (failures.byAddress.retryAfterMs(address) ?? 0) > 0 ? `address ${address}` : `name "${shortName(name)}"`;
      logger.warn(`sign-in refused for "${shortName(name)}" from ${address}: too many failed sign-ins for the ${which}`, { user: shortName(name), address, retry_after_s: Math.ceil(wait / 1000) });
      void reply.header('retry-after', String(Math.ceil(wait / 1000)));
      return page(request, reply, 429, next, { error: `Too many failed sign-ins. Try again in ${minutes(wait)}.`, ...(name === '' ? {} : { name }) });
    }
    const user = settings.users.get(name);
    const password = body['password'] ?? '';
    // An unknown name costs the time of a real check: how long a refusal takes tells nothing.
    const ok = await hashing.run(() => (user === undefined ? verifyDummyPassword(password) : verifyPassword(password, user.passwordHash)));
    if (ok === undefined) {
      logger.warn(`sign-in refused for "${shortName(name)}" from ${address}: too many sign-ins being checked at once`, { user: shortName(name), address });
      void reply.header('retry-after', '5');
      return page(request, reply, 503, next, { error: 'Too many sign-ins at once. Try again in a few seconds.', ...(name === '' ? {} : { name }) });
    }
    if (!ok || user === undefined) {
      failures.byAddress.fail(address);
      if (name !== '') failures.byName.fail(nameKey);
      logger.warn(`sign-in refused for "${shortName(name)}" from ${address}: ${user === undefined ? 'no such user' : 'wrong password'}`, { user: shortName(name), address });
      return page(request, reply, 401, next, { error: 'Wrong name or password.', ...(name === '' ? {} : { name }) });
    }
    failures.byName.reset(nameKey);
    const session = sessions.issue({ name, role: user.role, via: 'password' }, user.passwordHash);
    logger.info(`signed in ${name} (${user.role}) with a password from ${address}`, { user: name, role: user.role, via: 'password', address });
    void reply.setCookie(SESSION_COOKIE, session.value, sessions.cookieOptions(tls));
    void reply.clearCookie(PRE_SESSION_COOKIE, { path: '/sign-in', httpOnly: true, sameSite: 'strict', secure: tls });
    return reply.redirect(next, 303);
  });

  app.post('/sign-out', async (request, reply) => {
    const session = requestSession(request);
    if (session !== undefined && sessions !== undefined) {
      sessions.revoke(session.claims);
      logger.info(`signed out ${session.claims.name} from ${request.ip}`, { user: session.claims.name, via: session.claims.via, address: request.ip });
    }
    void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: tls });
    return reply.redirect('/sign-in', 303);
  });
}

/** The string fields of a form body (a field sent twice counts as absent: no form of ours does that). */
function formFields(body: unknown): Record<string, string | undefined> {
  if (typeof body !== 'object' || body === null) return {};
  const fields: Record<string, string | undefined> = {};
  for (const key of ['name', 'password', '_csrf', 'next']) {
    const value = (body as Record<string, unknown>)[key];
    if (typeof value === 'string') fields[key] = value;
  }
  return fields;
}

/** A typed name as logged: attackers type anything, so at most 64 characters. */
function shortName(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}…` : name;
}

function minutes(ms: number): string {
  const count = Math.max(1, Math.ceil(ms / 60_000));
  return `${count} minute${count === 1 ? '' : 's'}`;
}
