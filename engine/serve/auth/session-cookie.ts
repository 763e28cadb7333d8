import { randomBytes } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { isRole, type Role } from './principal.js';
import { mac, signToken, verifyToken } from './signed-token.js';

/** The console's session cookie. */
export const SESSION_COOKIE = 'idflow_session';

/** How a console session was signed in to. */
export type SessionMethod = 'password' | 'oidc';

/** What a session cookie holds (signed, not encrypted: nothing in it is secret). */
export interface SessionClaims {
  /** A random id: what CSRF tokens are bound to, and what sign-out revokes. */
  sid: string;
  name: string;
  /** The role at sign-in (a local user's role is read from the config again at every request). */
  role: Role;
  via: SessionMethod;
  /** Issued at and expires at, in ms since the epoch. */
  iat: number;
  exp: number;
  /** For local users: a fingerprint of the password hash, so that a new password ends the old sessions. */
  pw?: string;
}

/** The most sessions remembered as signed out at once; beyond, those closest to expiry are forgotten first. */
const MAX_REVOKED = 10_000;

/**
 * Issues and reads the console's stateless session cookies: the claims signed with the session
 * key (HMAC-SHA256), expiry checked here on every request whatever the browser keeps. Sign-out
 * revokes a session until it expires, in memory: a restart forgets revocations, and the
 * session's own expiry (`serve.console.session.max_age`) still bounds it.
 */
export class ConsoleSessions {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly secret: string,
    /** How long a session lasts. */
    readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session for `who`; `passwordHash` for a local user. */
  issue(who: { name: string; role: Role; via: SessionMethod }, passwordHash?: string): { value: string; claims: SessionClaims } {
    const iat = this.now();
    const claims: SessionClaims = { sid: randomBytes(18).toString('base64url'), name: who.name, role: who.role, via: who.via, iat, exp: iat + this.maxAgeMs, ...(passwordHash === undefined ? {} : { pw: this.passwordFingerprint(passwordHash) }) };
    return { value: signToken(this.secret, 'session', claims), claims };
  }

  /** The claims of a cookie value that is signed with this key, unexpired and not signed out; else undefined. */
  read(value: string): SessionClaims | undefined {
    const claims = verifyToken(this.secret, 'session', value);
    if (!isClaims(claims)) return undefined;
    const now = this.now();
    if (claims.exp <= now || claims.iat > now + 60_000) return undefined;
    if (this.revoked.has(claims.sid)) return undefined;
    return claims;
  }

  /** Ends a session before it expires (sign-out). */
  revoke(claims: SessionClaims): void {
    if (this.revoked.size >= MAX_REVOKED) {
      const now = this.now();
      for (const [sid, exp] of this.revoked) if (exp <= now) this.revoked.delete(sid);
      if (this.revoked.size >= MAX_REVOKED) this.revoked.delete(this.revoked.keys().next().value as string);
    }
    this.revoked.set(claims.sid, claims.exp);
  }

  /** Whether a session was signed in to with this password hash. */
  matchesPassword(claims: SessionClaims, passwordHash: string): boolean {
    return claims.pw === this.passwordFingerprint(passwordHash);
  }

  /** The CSRF token of a session: bound to its id, so it changes at every sign-in. */
  csrfToken(claims: SessionClaims): string {
    return mac(this.secret, 'csrf', claims.sid);
  }

  /**
   * The cookie's attributes: HttpOnly (no script reads it), SameSite=Strict (no other site's
   * page sends it), Path=/, Secure when serve speaks TLS, and a Max-Age to match the session.
   */
  cookieOptions(tls: boolean): CookieSerializeOptions {
    return { httpOnly: true, sameSite: 'strict', path: '/', secure: tls, maxAge: Math.floor(this.maxAgeMs / 1000) };
  }

  private passwordFingerprint(passwordHash: string): string {
    return mac(this.secret, 'session', `password:${passwordHash}`).slice(0, 22);
  }
}

function isClaims(value: unknown): value is SessionClaims {
  if (typeof value !== 'object' || value === null) return false;
  const claims = value as Record<string, unknown>;
  return typeof claims['sid'] === 'string' && typeof claims['name'] === 'string' && claims['name'] !== '' && isRole(claims['role'])
    && (claims['via'] === 'password' || claims['via'] === 'oidc') && Number.isFinite(claims['iat']) && Number.isFinite(claims['exp'])
    && (claims['pw'] === undefined || typeof claims['pw'] === 'string');
}
