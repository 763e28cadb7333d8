import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleAuthSettings } from '../../../../engine/serve/auth/console-auth-settings.js';
import { authApp, type AuthApp } from './support/auth-app.js';

/**
 * Single sign-on end to end against a real OpenID Connect provider (oidc-provider) on a loopback
 * port: the test plays the browser with fetch, following redirects and keeping each host's
 * cookies. The provider signs in whichever account `nextAccount` names (its interaction route
 * stands in for a login form) and skips consent for idflow, its only client.
 */

const ACCOUNTS: Record<string, { email: string; groups: string[] }> = {
  alice: { email: 'alice@example.com', groups: ['staff', 'idflow-operators'] },
  root: { email: 'root@example.com', groups: ['idflow-operators', 'idflow-admins'] },
  nobody: { email: 'nobody@example.com', groups: ['staff'] },
};
let nextAccount = 'alice';

let providerServer: Server;
let issuer: string;
let idflow: AuthApp;
let origin: string;

beforeAll(async () => {
  let handle: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end();
  providerServer = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;

  const settings: ConsoleAuthSettings = {
    users: new Map(),
    session: { secret: 'a-session-key-of-at-least-32-characters!', maxAgeMs: 3_600_000 },
    unavailable: undefined,
    oidc: {
      issuer: new URL(issuer), clientId: 'idflow', clientSecret: 'the-client-secret-of-idflow-at-the-provider', redirectUrl: undefined,
      scopes: ['openid', 'profile', 'email', 'groups'], roleClaim: 'groups', nameClaims: ['preferred_username', 'email'],
      roles: { admin: ['idflow-admins'], operator: ['idflow-operators'], viewer: ['idflow-viewers'] }, displayName: 'the test provider',
    },
  };
  idflow = await authApp(settings);
  await idflow.app.listen({ port: 0, host: '127.0.0.1' });
  origin = `http://127.0.0.1:${(idflow.app.server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [{ client_id: 'idflow', client_secret: 'the-client-secret-of-idflow-at-the-provider', redirect_uris: [`${origin}/auth/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'], groups: ['groups'] },
    cookies: { keys: ['a-cookie-key-for-the-test-provider'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: KoaContextWithOIDC, id: string) => {
      const account = ACCOUNTS[id];
      return account === undefined ? undefined : { accountId: id, claims: () => ({ sub: id, preferred_username: id, email: account.email, groups: account.groups }) };
    },
    // idflow is this provider's only (first-party) client: no consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid profile email groups');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  handle = (request, response) => {
    if (request.url?.startsWith('/interaction/')) {
      void provider.interactionFinished(request, response, { login: { accountId: nextAccount } }, { mergeWithLastSubmission: false }).catch((error: Error) => {
        response.statusCode = 500;
        response.end(error.message);
      });
      return;
    }
    callback(request, response);
  };
});

afterAll(async () => {
  await idflow?.app.close();
  await new Promise((resolve) => providerServer?.close(resolve));
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
    nextAccount = 'alice';
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

    nextAccount = 'root';
    const admin = new CookieJar();
    await browse(admin, `${origin}/auth/oidc/start`);
    expect(await whoami(admin)).toEqual({ name: 'root', role: 'admin', via: 'oidc' });
  });

  it('refuses an account whose groups map to no role, with a page that says so', async () => {
    nextAccount = 'nobody';
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
    nextAccount = 'alice';
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
