import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleAuthSettings } from '../../../../engine/serve/auth/console-auth-settings.js';
import { hashPassword } from '../../../../engine/serve/auth/password-hash.js';
import { authApp, setCookies, type AuthApp } from './support/auth-app.js';

const SECRET = 'a-session-key-of-at-least-32-characters!';
const CHEAP = { N: 2 ** 14, r: 8, p: 1 };
let users: Map<string, { role: 'viewer' | 'operator' | 'admin'; passwordHash: string }>;

function settings(overrides: Partial<ConsoleAuthSettings> = {}): ConsoleAuthSettings {
  return { users, session: { secret: SECRET, maxAgeMs: 3_600_000 }, oidc: undefined, unavailable: undefined, ...overrides };
}

beforeAll(async () => {
  users = new Map([
    ['alice', { role: 'operator', passwordHash: await hashPassword('alice-password', CHEAP) }],
    ['victor', { role: 'viewer', passwordHash: await hashPassword('victor-password', CHEAP) }],
  ]);
});

let current: AuthApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function start(...args: Parameters<typeof authApp>): Promise<AuthApp> {
  current = await authApp(...args);
  return current;
}

/** Loads the sign-in form: the pre-session cookie and the form's token. */
async function form({ app }: AuthApp, remoteAddress = '127.0.0.1'): Promise<{ cookie: string; csrf: string; html: string }> {
  const response = await app.inject({ method: 'GET', url: '/sign-in', remoteAddress });
  const cookie = setCookies(response.headers).get('idflow_presession');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
  if (cookie === undefined || csrf === undefined) throw new Error(`no sign-in form: ${response.body}`);
  return { cookie: `idflow_presession=${cookie.value}`, csrf, html: response.body };
}

/** Posts the sign-in form as a browser would. */
async function signIn(auth: AuthApp, name: string, password: string, extra: { next?: string; remoteAddress?: string } = {}) {
  const loaded = await form(auth, extra.remoteAddress);
  return auth.app.inject({
    method: 'POST', url: '/sign-in', remoteAddress: extra.remoteAddress ?? '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loaded.cookie },
    payload: new URLSearchParams({ name, password, _csrf: loaded.csrf, next: extra.next ?? '/' }).toString(),
  });
}

function sessionCookie(response: { headers: Record<string, unknown> }): string {
  const cookie = setCookies(response.headers).get('idflow_session');
  if (cookie === undefined) throw new Error('no session cookie');
  return `idflow_session=${cookie.value}`;
}

describe('GET /sign-in', () => {
  it('is an accessible form with nothing from another host, and escapes what it echoes', async () => {
    const auth = await start(settings({ oidc: { displayName: 'Jump<Cloud>' } as ConsoleAuthSettings['oidc'] }));
    const response = await auth.app.inject({ method: 'GET', url: `/sign-in?next=${encodeURIComponent('/runs?q="><script>alert(1)</script>')}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['x-frame-options']).toBe('DENY');
    const html = response.body;
    expect(html).toContain('<label for="name">Name</label>');
    expect(html).toContain('<input id="name" name="name" type="text" autocomplete="username"');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('autocomplete="current-password"');
    expect(html).toContain('<input type="hidden" name="next" value="/runs?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E">');
    expect(html).not.toContain('<script');
    expect(html).toContain('>Sign in with Jump&lt;Cloud&gt;</a>');
    expect(html).toContain('href="/auth/oidc/start?next=%2Fruns%3Fq%3D%2522%253E%253Cscript%253Ealert(1)%253C%2Fscript%253E"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(setCookies(response.headers).get('idflow_presession')?.attributes).toEqual(expect.arrayContaining(['Path=/sign-in', 'HttpOnly', 'SameSite=Strict']));
  });

  it('says why nobody can sign in when the session key is not configured', async () => {
    const auth = await start(settings({ session: undefined, unavailable: 'Sign-in is not configured on this server: serve.console.session (the key that signs sessions) is not set.' }));
    const response = await auth.app.inject({ method: 'GET', url: '/sign-in' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('<p class="error" role="alert" id="sign-in-error">Sign-in is not configured on this server: serve.console.session (the key that signs sessions) is not set.</p>');
    expect(response.body).not.toContain('<form');
  });
});

describe('POST /sign-in with a password', () => {
  it('signs a user in with an HttpOnly, SameSite=Strict session cookie and sends them to next; the log says who and from where', async () => {
    const auth = await start(settings());
    const response = await signIn(auth, 'alice', 'alice-password', { next: '/runs?status=failed', remoteAddress: '10.1.2.3' });
    expect(response.statusCode).toBe(303);
    expect(response.headers['location']).toBe('/runs?status=failed');
    const cookie = setCookies(response.headers).get('idflow_session');
    expect(cookie?.attributes).toEqual(expect.arrayContaining(['Max-Age=3600', 'Path=/', 'HttpOnly', 'SameSite=Strict']));
    expect(cookie?.attributes).not.toContain('Secure');
    const whoami = await auth.app.inject({ method: 'GET', url: '/whoami', headers: { cookie: sessionCookie(response) } });
    expect(whoami.json()).toEqual({ principal: { name: 'alice', role: 'operator', via: 'password' }, csrf: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(auth.log).toEqual([expect.stringMatching(/ info  signed in alice \(operator\) with a password from 10\.1\.2\.3 \{"user":"alice","role":"operator","via":"password","address":"10\.1\.2\.3"\}$/)]);
    expect(auth.log.join('\n')).not.toContain('alice-password');
  });

  it('marks the cookie Secure when serve speaks TLS', async () => {
    const auth = await start(settings(), { tls: true });
    const response = await signIn(auth, 'alice', 'alice-password');
    expect(setCookies(response.headers).get('idflow_session')?.attributes).toContain('Secure');
  });

  it('refuses a wrong password and an unknown name alike, logging each without the password', async () => {
    const auth = await start(settings());
    for (const [name, password] of [['alice', 'not-her-password'], ['mallory', 'any-password']] as const) {
      const response = await signIn(auth, name, password);
      expect(response.statusCode).toBe(401);
      expect(response.body).toContain('<p class="error" role="alert" id="sign-in-error">Wrong name or password.</p>');
      expect(response.body).toContain(`value="${name}"`);
      expect(setCookies(response.headers).has('idflow_session')).toBe(false);
    }
    expect(auth.log.map((line) => line.replace(/^\S+ /, ''))).toEqual([
      'warn  sign-in refused for "alice" from 127.0.0.1: wrong password {"user":"alice","address":"127.0.0.1"}',
      'warn  sign-in refused for "mallory" from 127.0.0.1: no such user {"user":"mallory","address":"127.0.0.1"}',
    ]);
    expect(auth.log.join('\n')).not.toMatch(/not-her-password|any-password/);
  });

  it('refuses a sign-in posted without the form\'s token (login CSRF)', async () => {
    const auth = await start(settings());
    const loaded = await form(auth);
    const payload = (csrf: string) => new URLSearchParams({ name: 'alice', password: 'alice-password', _csrf: csrf }).toString();
    const noCookie = await auth.app.inject({ method: 'POST', url: '/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: payload(loaded.csrf) });
    expect(noCookie.statusCode).toBe(403);
    expect(noCookie.body).toContain('This sign-in form has expired or did not come from this server.');
    const echoed = await auth.app.inject({ method: 'POST', url: '/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ name: '"><img src=x onerror=alert(1)>', password: 'p' }).toString() });
    expect(echoed.body).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(echoed.body).not.toContain('<img');
    const wrongToken = await auth.app.inject({ method: 'POST', url: '/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loaded.cookie }, payload: payload('x'.repeat(43)) });
    expect(wrongToken.statusCode).toBe(403);
    expect(setCookies(wrongToken.headers).has('idflow_session')).toBe(false);
  });

  it('sends the browser only to a path on this server', async () => {
    const auth = await start(settings());
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', '/sign-in?next=/x']) {
      expect((await signIn(auth, 'alice', 'alice-password', { next })).headers['location']).toBe('/');
    }
  });

  it('allows a few failures per address and per name, then answers 429 with Retry-After until the window ends; success resets the name', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const auth = await start(settings(), { now: () => clock, limits: { maxFailures: 3, windowMs: 15 * 60_000, maxKeys: 100 } });
    // Per address: three failures on different names, then even the right password waits.
    for (const name of ['a', 'b', 'c']) expect((await signIn(auth, name, 'wrong-password', { remoteAddress: '10.0.0.1' })).statusCode).toBe(401);
    const limited = await signIn(auth, 'alice', 'alice-password', { remoteAddress: '10.0.0.1' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('900');
    expect(limited.body).toContain('Too many failed sign-ins. Try again in 15 minutes.');
    expect(auth.log.at(-1)).toMatch(/warn  sign-in refused for "alice" from 10\.0\.0\.1: too many failed sign-ins for the address 10\.0\.0\.1 .*"retry_after_s":900/);
    // Per name, from different addresses.
    for (const address of ['10.0.1.1', '10.0.1.2', '10.0.1.3']) expect((await signIn(auth, 'Victor', 'wrong-password', { remoteAddress: address })).statusCode).toBe(401);
    expect((await signIn(auth, 'victor', 'victor-password', { remoteAddress: '10.0.1.4' })).statusCode).toBe(429);
    // The window ends.
    clock += 15 * 60_000;
    expect((await signIn(auth, 'alice', 'alice-password', { remoteAddress: '10.0.0.1' })).statusCode).toBe(303);
    // Two failures, a success, and the name's count starts again.
    for (const address of ['10.0.2.1', '10.0.2.2']) await signIn(auth, 'victor', 'wrong-password', { remoteAddress: address });
    expect((await signIn(auth, 'victor', 'victor-password', { remoteAddress: '10.0.2.3' })).statusCode).toBe(303);
    for (const address of ['10.0.3.1', '10.0.3.2']) expect((await signIn(auth, 'victor', 'wrong-password', { remoteAddress: address })).statusCode).toBe(401);
  });
});

describe('sessions', () => {
  it('end when they expire, and a tampered cookie or one signed with another key signs nobody in', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const auth = await start(settings(), { now: () => clock });
    const cookie = sessionCookie(await signIn(auth, 'alice', 'alice-password'));
    const who = async (value: string) => (await auth.app.inject({ method: 'GET', url: '/whoami', headers: { cookie: value } })).json<{ principal: unknown }>().principal;
    expect(await who(cookie)).toMatchObject({ name: 'alice' });
    const [payload, signature] = cookie.slice('idflow_session='.length).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(await who(`idflow_session=${forged}.${signature}`)).toBeNull();
    const other = await authApp(settings({ session: { secret: 'another-session-key-of-32-characters-or-more', maxAgeMs: 3_600_000 } }), { now: () => clock });
    try {
      const foreign = sessionCookie(await signIn(other, 'alice', 'alice-password'));
      expect(await who(foreign)).toBeNull();
    } finally {
      await other.app.close();
    }
    clock += 3_600_000 - 1;
    expect(await who(cookie)).toMatchObject({ name: 'alice' });
    clock += 1;
    const expired = await auth.app.inject({ method: 'GET', url: '/whoami', headers: { cookie } });
    expect(expired.json()).toEqual({ principal: null, csrf: null });
    expect(setCookies(expired.headers).get('idflow_session')?.value).toBe('');
  });

  it('follow the config: a user removed or given a new password is signed out, a new role applies at once', async () => {
    const mine = new Map(users);
    const auth = await start(settings({ users: mine }));
    const cookie = sessionCookie(await signIn(auth, 'alice', 'alice-password'));
    const who = async () => (await auth.app.inject({ method: 'GET', url: '/whoami', headers: { cookie } })).json<{ principal: unknown }>().principal;
    mine.set('alice', { ...(mine.get('alice') as { role: 'operator'; passwordHash: string }), role: 'admin' });
    expect(await who()).toEqual({ name: 'alice', role: 'admin', via: 'password' });
    mine.set('alice', { role: 'admin', passwordHash: await hashPassword('a-new-password', { N: 2 ** 14, r: 8, p: 1 }) });
    expect(await who()).toBeNull();
  });

  it('send a signed-in browser on from the sign-in page, and a stale cookie does not spoil a new sign-in', async () => {
    const auth = await start(settings());
    const cookie = sessionCookie(await signIn(auth, 'alice', 'alice-password'));
    const again = await auth.app.inject({ method: 'GET', url: '/sign-in?next=/timers', headers: { cookie } });
    expect([again.statusCode, again.headers['location']]).toEqual([303, '/timers']);
    const loaded = await form(auth);
    const stale = 'idflow_session=not-a-session.at-all';
    const response = await auth.app.inject({
      method: 'POST', url: '/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${loaded.cookie}; ${stale}` },
      payload: new URLSearchParams({ name: 'alice', password: 'alice-password', _csrf: loaded.csrf }).toString(),
    });
    expect(response.statusCode).toBe(303);
    const fresh = sessionCookie(response);
    expect((await auth.app.inject({ method: 'GET', url: '/whoami', headers: { cookie: fresh } })).json()).toMatchObject({ principal: { name: 'alice' } });
  });

  it('end at sign-out: the cookie is cleared, and a copy of it no longer works', async () => {
    const auth = await start(settings());
    const cookie = sessionCookie(await signIn(auth, 'alice', 'alice-password'));
    const csrf = (await auth.app.inject({ method: 'GET', url: '/whoami', headers: { cookie } })).json<{ csrf: string }>().csrf;
    const withoutToken = await auth.app.inject({ method: 'POST', url: '/sign-out', headers: { cookie } });
    expect(withoutToken.statusCode).toBe(403);
    const out = await auth.app.inject({ method: 'POST', url: '/sign-out', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${csrf}` });
    expect(out.statusCode).toBe(303);
    expect(out.headers['location']).toBe('/sign-in');
    expect(setCookies(out.headers).get('idflow_session')?.value).toBe('');
    expect((await auth.app.inject({ method: 'GET', url: '/whoami', headers: { cookie } })).json()).toEqual({ principal: null, csrf: null });
    expect(auth.log.at(-1)).toMatch(/ info  signed out alice from 127\.0\.0\.1 /);
  });
});

describe('CSRF', () => {
  it('refuses a state-changing request made with the session cookie but without its token, and lets it through with it', async () => {
    const auth = await start(settings());
    const cookie = sessionCookie(await signIn(auth, 'alice', 'alice-password'));
    const csrf = (await auth.app.inject({ method: 'GET', url: '/whoami', headers: { cookie } })).json<{ csrf: string }>().csrf;
    const refused = await auth.app.inject({ method: 'POST', url: '/operate', headers: { cookie } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ error: { code: 'CSRF_TOKEN_INVALID', message: 'POST /operate needs the session\'s CSRF token in the _csrf form field or the x-csrf-token header; none was sent (reload the page and try again)' } });
    expect(auth.log.at(-1)).toMatch(/warn  refused POST \/operate by alice: no CSRF token/);
    expect((await auth.app.inject({ method: 'POST', url: '/operate', headers: { cookie, 'x-csrf-token': 'A'.repeat(43) } })).statusCode).toBe(403);
    const withHeader = await auth.app.inject({ method: 'POST', url: '/operate', headers: { cookie, 'x-csrf-token': csrf } });
    expect(withHeader.statusCode).toBe(200);
    expect(withHeader.json()).toEqual({ done: true, by: 'alice' });
    const withField = await auth.app.inject({ method: 'POST', url: '/operate', headers: { cookie, 'content-type': 'application/json' }, payload: { _csrf: csrf } });
    expect(withField.statusCode).toBe(200);
    // Another session's token is not this one's.
    const second = sessionCookie(await signIn(auth, 'alice', 'alice-password'));
    expect((await auth.app.inject({ method: 'POST', url: '/operate', headers: { cookie: second, 'x-csrf-token': csrf } })).statusCode).toBe(403);
  });

  it('does not apply to API tokens or signed webhooks, and roles still decide', async () => {
    const auth = await start(settings());
    const cookie = sessionCookie(await signIn(auth, 'alice', 'alice-password'));
    expect((await auth.app.inject({ method: 'POST', url: '/operate', headers: { authorization: 'Bearer operator:script', cookie } })).json()).toEqual({ done: true, by: 'script' });
    expect((await auth.app.inject({ method: 'POST', url: '/events/hr.employee.terminated', headers: { cookie } })).statusCode).toBe(200);
    const viewer = sessionCookie(await signIn(auth, 'victor', 'victor-password'));
    const viewerCsrf = (await auth.app.inject({ method: 'GET', url: '/whoami', headers: { cookie: viewer } })).json<{ csrf: string }>().csrf;
    const forbidden = await auth.app.inject({ method: 'POST', url: '/operate', headers: { cookie: viewer, 'x-csrf-token': viewerCsrf } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'victor is a viewer; this needs the operator role' } });
    expect((await auth.app.inject({ method: 'POST', url: '/operate' })).statusCode).toBe(401);
  });
});
