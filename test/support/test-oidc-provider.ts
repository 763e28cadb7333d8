import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** An account of the test provider: its email and the groups its ID token claims. */
export interface TestAccount {
  email: string;
  groups: string[];
}

/**
 * A real OpenID Connect provider (oidc-provider) on a loopback port, for single sign-on tests.
 * It signs in whichever account {@link TestOidcProvider.signInAs} names (its interaction route
 * stands in for a login form) and skips consent for idflow, its only, first-party client.
 */
export interface TestOidcProvider {
  /** `http://127.0.0.1:PORT`: the issuer idflow discovers. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * Registers idflow as the client with its callback URL (known only once idflow listens,
   * which needs the issuer first): the provider answers nothing but 503 until then.
   */
  registerClient(redirectUri: string): void;
  /** The account the next sign-in signs in. */
  signInAs(account: string): void;
  close(): Promise<void>;
}

export async function startOidcProvider(accounts: Record<string, TestAccount>): Promise<TestOidcProvider> {
  let handle: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
    response.statusCode = 503;
    response.end('no client registered yet');
  };
  const server: Server = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'idflow';
  const clientSecret = 'the-client-secret-of-idflow-at-the-provider';
  let nextAccount = Object.keys(accounts)[0] ?? '';
  return {
    issuer,
    clientId,
    clientSecret,
    registerClient(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' }],
        claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'], groups: ['groups'] },
        cookies: { keys: ['a-cookie-key-for-the-test-provider'] },
        features: { devInteractions: { enabled: false } },
        interactions: { url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
        findAccount: (_ctx: KoaContextWithOIDC, id: string) => {
          const account = accounts[id];
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
    },
    signInAs(account) {
      nextAccount = account;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
