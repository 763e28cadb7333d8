import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ConsoleAuthSettings } from '../../../../engine/serve/auth/console-auth-settings.js';
import { authApp } from './support/auth-app.js';

const SESSION = { secret: 'a-session-key-of-at-least-32-characters!', maxAgeMs: 3_600_000 };

/** A loopback port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('single sign-on when it cannot work', () => {
  it('answers 404 with a page saying so when it is not configured', async () => {
    const { app } = await authApp({ users: new Map(), session: SESSION, oidc: undefined, unavailable: undefined });
    try {
      for (const url of ['/auth/oidc/start', '/auth/oidc/callback?code=x&state=y']) {
        const response = await app.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(404);
        expect(response.body).toContain('<h1>Single sign-on is not configured</h1>');
      }
    } finally {
      await app.close();
    }
  });

  it('answers 502 with a page naming the provider when its discovery document cannot be read, and logs why', async () => {
    const port = await closedPort();
    const settings: ConsoleAuthSettings = {
      users: new Map(), session: SESSION, unavailable: undefined,
      oidc: { issuer: new URL(`http://127.0.0.1:${port}`), clientId: 'idflow', clientSecret: 'a-client-secret-value', redirectUrl: undefined, scopes: ['openid'], roleClaim: 'groups', nameClaims: ['email'], roles: { admin: ['a'], operator: [], viewer: [] }, displayName: 'Acme SSO' },
    };
    const { app, log } = await authApp(settings);
    try {
      const response = await app.inject({ method: 'GET', url: '/auth/oidc/start' });
      expect(response.statusCode).toBe(502);
      expect(response.body).toContain('<h1>Single sign-on is unavailable</h1>');
      expect(response.body).toContain('idflow could not reach Acme SSO to sign you in');
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(log.at(-1)).toContain(`error single sign-on unavailable: cannot read http://127.0.0.1:${port}/.well-known/openid-configuration`);
    } finally {
      await app.close();
    }
  });
});
