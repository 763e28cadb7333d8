/**
 * Who is making a request to `idflow serve`, and what they may do. Shared by the API tokens, the
 * console's sign-in (local users and OpenID Connect) and every route that checks a role.
 */

/** The roles, weakest first: each may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;

/**
 * - `viewer`: reads everything except secrets.
 * - `operator`: also starts, plans, resumes and cancels runs, enables and disables workflows,
 *   cancels timers.
 * - `admin`: everything, including the API tokens.
 */
export type Role = (typeof ROLES)[number];

/** How the principal proved who they are. */
export type SignInMethod = 'token' | 'password' | 'oidc';

/** A signed-in person or script. */
export interface Principal {
  /** The name recorded as who took an action (`initiated_by`, audit entries, serve's log). */
  name: string;
  role: Role;
  via: SignInMethod;
}

/** True when `role` may do what `needed` may. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** True for a string that names a role. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
