import type * as OpenIdClient from 'openid-client';

/**
 * openid-client (and jose under it) is loaded at the first single sign-on, not when serve
 * starts: a serve without OIDC never loads it, and one with OIDC reads the provider's discovery
 * document then anyway.
 */
let openIdClient: Promise<typeof OpenIdClient> | undefined;
function loadOpenIdClient(): Promise<typeof OpenIdClient> {
  openIdClient ??= import('openid-client');
  return openIdClient;
}
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OidcSettings } from './console-auth-settings.js';
import type { ConsoleAuthState } from './console-auth-state.js';
import { escapeHtml } from './html-text.js';
import { claimedGroups, claimedName, mappedRole } from './oidc-role.js';
import { safeNext } from './safe-next.js';
import { SESSION_COOKIE } from './session-cookie.js';
import { messagePage, sendPage } from './sign-in-page.js';
import { signToken, verifyToken } from './signed-token.js';

/** The short-lived cookie that carries the flow's state, nonce and PKCE verifier between start and callback. */
export const OIDC_STATE_COOKIE = 'idflow_oidc';

/** How long a sign-in at the provider may take. */
const FLOW_MAX_AGE_MS = 10 * 60_000;

/** What the state cookie holds (signed with the session key; the verifier never leaves this server otherwise). */
interface FlowState {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  redirect: string;
  exp: number;
}

/**
 * Single sign-on through OpenID Connect: `GET /auth/oidc/start` sends the browser to the
 * provider (authorization code flow with PKCE, state and nonce kept in a signed cookie that
 * lasts ten minutes), `GET /auth/oidc/callback` checks the answer with openid-client (state,
 * nonce, the ID token's signature, issuer and audience), reads the role claim (from the ID token,
 * else from userinfo), maps it to the strongest role the config grants and signs the user in.
 * An account with no mapped group gets a 403 page that says so. Without `serve.console.oidc`
 * both routes answer 404.
 */
export async function oidcRoutes(app: FastifyInstance, options: { auth: ConsoleAuthState }): Promise<void> {
  const { settings, sessions, logger, tls, now } = options.auth;
  const oidc = settings.oidc;
  const secret = settings.session?.secret;
  if (oidc === undefined || sessions === undefined || secret === undefined) {
    const notConfigured = async (_request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
      sendPage(reply, 404, messagePage('Single sign-on is not configured', 'This server has no serve.console.oidc settings (or no session key), so it cannot sign anyone in through an identity provider.'));
    app.get('/auth/oidc/start', notConfigured);
    app.get('/auth/oidc/callback', notConfigured);
    return;
  }
  const provider = discoverer(oidc);
  // The provider sends the browser back from its own site: a SameSite=Strict cookie would not come with it.
  const flowCookie = { httpOnly: true, sameSite: 'lax', path: '/auth/oidc', secure: tls } as const;

  app.get('/auth/oidc/start', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>)['next']);
    let configuration: OpenIdClient.Configuration;
    try {
      configuration = await provider();
    } catch (error) {
      logger.error(`single sign-on unavailable: cannot read ${oidc.issuer.href}.well-known/openid-configuration: ${(error as Error).message}`, { address: request.ip });
      return sendPage(reply, 502, messagePage('Single sign-on is unavailable', `idflow could not reach ${oidc.displayName} to sign you in (${(error as Error).message}). Try again later.`));
    }
    const client = await loadOpenIdClient();
    const verifier = client.randomPKCECodeVerifier();
    const flow: FlowState = { state: client.randomState(), nonce: client.randomNonce(), verifier, next, redirect: redirectUrl(oidc, request).href, exp: now() + FLOW_MAX_AGE_MS };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: flow.redirect,
      scope: oidc.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    void reply.setCookie(OIDC_STATE_COOKIE, signToken(secret, 'oidc-state', flow), { ...flowCookie, maxAge: FLOW_MAX_AGE_MS / 1000 });
    return reply.redirect(url.href, 303);
  });

  app.get('/auth/oidc/callback', async (request, reply) => {
    const address = request.ip;
    const cookie = request.cookies[OIDC_STATE_COOKIE];
    void reply.clearCookie(OIDC_STATE_COOKIE, flowCookie);
    const flow = cookie === undefined ? undefined : flowState(verifyToken(secret, 'oidc-state', cookie));
    const refuse = (status: number, title: string, message: string, logged: string): FastifyReply => {
      logger.warn(`single sign-on refused from ${address}: ${logged}`, { address });
      return sendPage(reply, status, messagePage(title, message));
    };
    if (flow === undefined || flow.exp <= now()) {
      return refuse(400, 'Sign-in expired', `This answer from ${oidc.displayName} does not belong to a sign-in started in this browser in the last ten minutes. Start again.`, 'no valid state cookie (OIDC_STATE_INVALID)');
    }
    const query = request.query as Record<string, unknown>;
    if (typeof query['error'] === 'string') {
      const description = typeof query['error_description'] === 'string' ? `: ${query['error_description']}` : '';
      return refuse(403, 'Sign-in refused', `${oidc.displayName} did not sign you in (${query['error']}${description}).`, `the provider answered ${query['error']}${description}`);
    }
    let claims: Record<string, unknown>;
    try {
      const configuration = await provider();
      const client = await loadOpenIdClient();
      const currentUrl = new URL(flow.redirect);
      currentUrl.search = new URL(request.url, 'http://callback.invalid').search;
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
      claims = { ...(tokens.claims() ?? {}) };
      // Many providers put groups (and sometimes the name) only in userinfo.
      if (!(oidc.roleClaim in claims) || claimedName(claims, oidc.nameClaims) === undefined) {
        const info = await client.fetchUserInfo(configuration, tokens.access_token, typeof claims['sub'] === 'string' ? claims['sub'] : client.skipSubjectCheck);
        // The ID token's signed claims win over userinfo's where both have one.
        claims = { ...info, ...claims };
      }
    } catch (error) {
      const why = failure(error);
      return refuse(400, 'Sign-in refused', `The answer from ${oidc.displayName} could not be verified (${why}). Start again.`, why);
    }
    const name = claimedName(claims, oidc.nameClaims);
    const subject = typeof claims['sub'] === 'string' ? claims['sub'] : '?';
    if (name === undefined) {
      return refuse(403, 'No name for this account', `${oidc.displayName} did not say who you are: the ID token and userinfo have no ${oidc.nameClaims.join(' or ')} claim. Ask an administrator to check serve.console.oidc.name_claim.`, `subject ${subject} has no ${oidc.nameClaims.join(' or ')} claim`);
    }
    const groups = claimedGroups(claims[oidc.roleClaim]);
    const role = mappedRole(groups, oidc.roles);
    if (role === undefined) {
      return refuse(403, 'No idflow role', `Your account ${name} has no idflow role: none of its groups${groups.length === 0 ? ` (the provider sent no ${oidc.roleClaim} claim)` : ` (${groups.join(', ')})`} is mapped to a role in serve.console.oidc.roles. Ask an administrator for access.`, `${name} (subject ${subject}) has no mapped group in ${oidc.roleClaim}: ${groups.length === 0 ? 'none sent' : groups.join(', ')}`);
    }
    const session = sessions.issue({ name, role, via: 'oidc' });
    logger.info(`signed in ${name} (${role}) through ${oidc.displayName} from ${address}`, { user: name, role, via: 'oidc', subject, address });
    void reply.setCookie(SESSION_COOKIE, session.value, sessions.cookieOptions(tls));
    // A page rather than a redirect: the browser arrived here from the provider's site, and a
    // redirect would carry that cross-site origin, so the new SameSite=Strict cookie would not be
    // sent with it. A navigation this page starts is same-site.
    const next = escapeHtml(flow.next);
    return sendPage(reply, 200, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${next}"><title>Signed in · idflow</title></head>
<body><main><p>Signed in as ${escapeHtml(name)}. <a href="${next}">Continue</a></p></main></body></html>
`);
  });
}

/** The provider's configuration, discovered at first use and kept; a failed discovery is tried again next time. */
function discoverer(oidc: OidcSettings): () => Promise<OpenIdClient.Configuration> {
  let discovered: Promise<OpenIdClient.Configuration> | undefined;
  return () => {
    discovered ??= discover(oidc).catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
}

async function discover(oidc: OidcSettings): Promise<OpenIdClient.Configuration> {
  const client = await loadOpenIdClient();
  // Settings allow plain http only on loopback (a provider run locally, as the tests do).
  const insecure = oidc.issuer.protocol === 'http:';
  const options = insecure ? { execute: [client.allowInsecureRequests] } : undefined;
  const found = await client.discovery(oidc.issuer, oidc.clientId, undefined, client.ClientSecretBasic(oidc.clientSecret), options);
  const methods = found.serverMetadata().token_endpoint_auth_methods_supported;
  // client_secret_basic is the default of the standard; a provider that offers only post gets post.
  if (methods !== undefined && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
    return client.discovery(oidc.issuer, oidc.clientId, undefined, client.ClientSecretPost(oidc.clientSecret), options);
  }
  return found;
}

/** The callback URL: the configured one, else /auth/oidc/callback on the URL the browser used. */
function redirectUrl(oidc: OidcSettings, request: FastifyRequest): URL {
  return oidc.redirectUrl ?? new URL('/auth/oidc/callback', `${request.protocol}://${request.host}`);
}

/** An openid-client error in words: its message, what caused it (an unexpected state), its code. */
function failure(error: unknown): string {
  const { message, code, cause } = error as { message?: unknown; code?: unknown; cause?: unknown };
  const because = cause instanceof Error && cause.message !== message ? `: ${cause.message}` : '';
  return `${String(message)}${because}${typeof code === 'string' ? ` (${code})` : ''}`;
}

function flowState(value: unknown): FlowState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const flow = value as Record<string, unknown>;
  const strings = ['state', 'nonce', 'verifier', 'next', 'redirect'].every((key) => typeof flow[key] === 'string');
  return strings && typeof flow['exp'] === 'number' ? (flow as unknown as FlowState) : undefined;
}
