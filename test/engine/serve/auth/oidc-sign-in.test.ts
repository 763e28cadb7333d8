import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleAuthSettings } from '../../../../engine/serve/auth/console-auth-settings.js';
import { startOidcProvider, type TestOidcProvider } from '../../../support/test-oidc-provider.js';
import { authApp, type AuthApp } from './support/auth-app.js';

/**
 * Single sign-on end to end against a real OpenID Connect provider (oidc-provider) on a loopback
 * port: the test plays the browser with fetch, following redirects and keeping each host's
 * cookies. The provider signs in whichever account `signInAs` names (its interaction route
 * stands in for a login form) and skips consent for idflow, its only client.
 */

const ACCOUNTS: Record<string, { email: string; groups: string[] }> = {
  alice: { email: 'alice@example.com', groups: ['staff', 'idflow-operators'] },
  root: { email: 'root@example.com', groups: ['idflow-operators', 'idflow-admins'] },
  nobody: { email: 'nobody@example.com', groups: ['staff'] },
};
let provider: TestOidcProvider;
let issuer: string;
let idflow: AuthApp;
let origin: string;

beforeAll(async () => {
  provider = await startOidcProvider(ACCOUNTS);
  issuer = provider.issuer;
  const settings: ConsoleAuthSettings = {
    users: new Map(),
    session: { secret: 'a-session-key-of-at-least-32-characters!', maxAgeMs: 3_600_000 },
    unavailable: undefined,
    oidc: {
      issuer: new URL(issuer), clientId: provider.clientId, clientSecret: provider.clientSecret, redirectUrl: undefined,
      scopes: ['openid', 'profile', 'email', 'groups'], roleClaim: 'groups', nameClaims: ['preferred_username', 'email'],
      roles: { admin: ['idflow-admins'], operator: ['idflow-operators'], viewer: ['idflow-viewers'] }, displayName: 'the test provider',
    },
  };
  idflow = await authApp(settings);
  await idflow.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(idflow.app.server.address() as AddressInfo).port}`;
  provider.registerClient(`${origin}/auth/oidc/callback`);
});

afterAll(async () => {
  await idflow?.app.close();
  await provider?.close();
});

/** A browser's cookies, per host and port (enough for two loopback servers). */
class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();
  header(url: URL): string {
    return [...(this.jars.get(url.host) ?? new Map<string, string>())].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  store(url: URL, response: Response): void {
    const jar = this.jars.get(url.host) ?? new Map<string, string>();
    this.jars.set(url.host, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair as string).indexOf('=');
      const [name, value] = [(pair as string).slice(0, eq).trim(), (pair as string).slice(eq + 1).trim()];
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
  }
}

/**
 * Follows redirects like a browser from `url`, until a response that is not a redirect or one
 * whose target `stop` accepts (returned unfollowed).
 */
async function browse(jar: CookieJar, url: string, stop: (next: URL) => boolean = () => false): Promise<{ response: Response; url: URL; body: string }> {
  let current = new URL(url);
  for (let hop = 0; hop < 20; hop += 1) {
    const response = await fetch(current, { redirect: 'manual', headers: { cookie: jar.header(current) } });
    jar.store(current, response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) return { response, url: current, body: await response.text() };
    const next = new URL(location, current);
    if (stop(next)) return { response, url: next, body: await response.text() };
    current = next;
  }
  throw new Error(`more than 20 redirects from ${url}`);
}

async function whoami(jar: CookieJar): Promise<unknown> {
  const url = new URL('/whoami', origin);
  return ((await (await fetch(url, { headers: { cookie: jar.header(url) } })).json()) as { principal: unknown }).principal;
}

describe('single sign-on through OpenID Connect', () => {
  it('signs the user in with the strongest role their groups are mapped to, named by preferred_username', async () => {
    provider.signInAs('alice');
    const jar = new CookieJar();
    const start = await fetch(`${origin}/auth/oidc/start?next=${encodeURIComponent('/runs?status=failed')}`, { redirect: 'manual' });
    expect(start.status).toBe(303);
    const authorize = new URL(start.headers.get('location') as string);
    expect(`${authorize.origin}`).toBe(issuer);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({ client_id: 'idflow', response_type: 'code', scope: 'openid profile email groups', code_challenge_method: 'S256', redirect_uri: `${origin}/auth/oidc/callback` });
    expect(start.headers.getSetCookie()[0]).toMatch(/^idflow_oidc=.*; Max-Age=600; Path=\/auth\/oidc; HttpOnly; SameSite=Lax$/);

    const done = await browse(jar, `${origin}/auth/oidc/start?next=${encodeURIComponent('/runs?status=failed')}`);
    expect(done.url.pathname).toBe('/auth/oidc/callback');
    expect(done.response.status).toBe(200);
    expect(done.body).toContain('<meta http-equiv="refresh" content="0;url=/runs?status=failed">');
    expect(done.body).toContain('Signed in as alice.');
    expect(await whoami(jar)).toEqual({ name: 'alice', role: 'operator', via: 'oidc' });
    expect(idflow.log.at(-1)).toMatch(/ info  signed in alice \(operator\) through the test provider from 127\.0\.0\.1 .*"subject":"alice"/);

    provider.signInAs('root');
    const admin = new CookieJar();
    await browse(admin, `${origin}/auth/oidc/start`);
    expect(await whoami(admin)).toEqual({ name: 'root', role: 'admin', via: 'oidc' });
  });

  it('refuses an account whose groups map to no role, with a page that says so', async () => {
    provider.signInAs('nobody');
    const jar = new CookieJar();
    const done = await browse(jar, `${origin}/auth/oidc/start`);
    expect(done.url.pathname).toBe('/auth/oidc/callback');
    expect(done.response.status).toBe(403);
    expect(done.body).toContain('<h1>No idflow role</h1>');
    expect(done.body).toContain('Your account nobody has no idflow role: none of its groups (staff) is mapped to a role in serve.console.oidc.roles.');
    expect(await whoami(jar)).toBeNull();
    expect(idflow.log.at(-1)).toMatch(/warn  single sign-on refused from 127\.0\.0\.1: nobody \(subject nobody\) has no mapped group in groups: staff/);
  });

  it('refuses an answer whose state is not the one this browser sent, or that comes without the flow\'s cookie', async () => {
    provider.signInAs('alice');
    const jar = new CookieJar();
    const back = await browse(jar, `${origin}/auth/oidc/start`, (next) => next.pathname === '/auth/oidc/callback');
    expect(back.url.searchParams.get('code')).toEqual(expect.any(String));
    const tampered = new URL(back.url);
    tampered.searchParams.set('state', 'a-state-this-browser-never-sent');
    const wrongState = await browse(jar, tampered.href);
    expect(wrongState.response.status).toBe(400);
    expect(wrongState.body).toContain('could not be verified');
    expect(await whoami(jar)).toBeNull();
    expect(idflow.log.at(-1)).toMatch(/warn  single sign-on refused from 127\.0\.0\.1: .*state/);

    const other = new CookieJar();
    const back2 = await browse(other, `${origin}/auth/oidc/start`, (next) => next.pathname === '/auth/oidc/callback');
    const noCookie = await fetch(back2.url, { redirect: 'manual' });
    expect(noCookie.status).toBe(400);
    expect(await noCookie.text()).toContain('does not belong to a sign-in started in this browser');
  });
});
