import type { ServeLogger } from '../serve-logger.js';
import type { ConsoleAuthSettings } from './console-auth-settings.js';
import { ConsoleSessions } from './session-cookie.js';
import { SIGN_IN_LIMITS, SignInThrottle } from './sign-in-throttle.js';

/** What the console's sign-in plugins are given (see `consoleAuthPlugin`). */
export type ConsoleAuthOptions = {
  /** `serve.console`, resolved. */
  settings: ConsoleAuthSettings;
  /** Serve's log: every sign-in, refusal and sign-out is written here with who and from where. */
  logger: ServeLogger;
  /** Whether serve speaks TLS: cookies are then marked Secure. */
  tls: boolean;
  /** The clock, in ms since the epoch (tests move it). */
  now?: () => number;
  /** Sign-in failure limits (default: 5 in 15 minutes per address and per name). */
  limits?: { maxFailures: number; windowMs: number; maxKeys: number };
};

/** The state the sign-in plugins share: one per app. */
export interface ConsoleAuthState {
  settings: ConsoleAuthSettings;
  logger: ServeLogger;
  tls: boolean;
  now: () => number;
  /** Undefined when no session key is configured: nobody can sign in. */
  sessions: ConsoleSessions | undefined;
  /** Failed sign-ins per client address and per user name. */
  failures: { byAddress: SignInThrottle; byName: SignInThrottle };
}

/** Builds the shared state from the options. */
export function consoleAuthState(options: ConsoleAuthOptions): ConsoleAuthState {
  const now = options.now ?? Date.now;
  const session = options.settings.session;
  const limits = options.limits ?? SIGN_IN_LIMITS;
  return {
    settings: options.settings,
    logger: options.logger,
    tls: options.tls,
    now,
    sessions: session === undefined ? undefined : new ConsoleSessions(session.secret, session.maxAgeMs, now),
    failures: { byAddress: new SignInThrottle(limits, now), byName: new SignInThrottle(limits, now) },
  };
}
