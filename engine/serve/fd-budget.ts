import { readdirSync, readFileSync } from 'node:fs';

/** What the process may open and has open (undefined where the system does not say). */
export interface FdUsage {
  /** The soft limit on open file descriptors (`ulimit -n`); undefined when unlimited or unknown. */
  softLimit: number | undefined;
  /** Descriptors open now. */
  open: number | undefined;
}

/**
 * Descriptors kept free for each run that may execute at once: its store files (journal, log,
 * audit, run record, temporary files renamed into place), its subject lock, and its outgoing
 * connections (API calls over a keep-alive pool, SMTP, webhooks). An offboarding run against the
 * JumpCloud emulator peaks at about 6.
 */
export const FDS_PER_RUN = 8;

/**
 * Descriptors kept free besides the runs: serve's own store work (event records, the inbox's
 * temporary files, timers, schedules, the API reading runs), DNS and event sources.
 */
export const FDS_FIXED_RESERVE = 8;

/** Reads the descriptor limit and count of this process (Linux `/proc/self`; elsewhere unknown). */
export function readFdUsage(): FdUsage {
  let softLimit: number | undefined;
  try {
    const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    softLimit = line?.[1] !== undefined && /^\d+$/.test(line[1]) ? Number(line[1]) : undefined;
  } catch {
    softLimit = undefined;
  }
  let open: number | undefined;
  try {
    open = readdirSync('/proc/self/fd').length;
  } catch {
    open = undefined;
  }
  return { softLimit, open };
}

/** How many connections serve takes at once, and why. */
export interface ConnectionCaps {
  /** Connections served at once; a connection beyond is answered 503 with Retry-After and closed. */
  total: number;
  /** Of those, connections that have not authenticated yet (no request on them passed a signature or token check). */
  unauthenticated: number;
  /**
   * The most connections open at all: the served ones and those being answered 503. Beyond it a
   * connection is closed at once, without an answer (`server.maxConnections`).
   */
  hard: number;
  /** Set when the descriptor limit, not the configuration, set the caps: a sentence for the log. */
  limitedBy?: string;
}

/**
 * Sizes the connection caps: the configured ones, lowered when the process's descriptor limit
 * would not hold them beside what is open already and the reserve the runs need
 * ({@link FDS_PER_RUN} each, `concurrency` at once, plus {@link FDS_FIXED_RESERVE}). Serve then
 * sheds load with 503 before it runs out of descriptors, instead of a run failing with EMFILE
 * half-way. A quarter of the served connections is kept for authenticated senders, so idle
 * strangers cannot take every slot.
 */
export function connectionCaps(settings: { maxConnections: number; maxUnauthenticatedConnections: number; concurrency: number }, fds: FdUsage): ConnectionCaps {
  const wanted = settings.maxConnections;
  let hard = wanted + answeringMargin(wanted);
  let total = wanted;
  let limitedBy: string | undefined;
  if (fds.softLimit !== undefined) {
    const reserve = settings.concurrency * FDS_PER_RUN + FDS_FIXED_RESERVE;
    const room = fds.softLimit - (fds.open ?? 0) - reserve;
    if (room < hard) {
      hard = Math.max(2, room);
      total = Math.max(1, hard - Math.max(2, Math.ceil(hard / 4)));
      limitedBy = `the open-file limit (ulimit -n ${fds.softLimit}) with ${fds.open ?? 'an unknown number of'} descriptors open and ${reserve} kept for ${settings.concurrency} concurrent run${settings.concurrency === 1 ? '' : 's'}`;
    }
  }
  const unauthenticated = Math.max(1, Math.min(settings.maxUnauthenticatedConnections, total - Math.floor(total / 4)));
  return { total, unauthenticated, hard, ...(limitedBy === undefined ? {} : { limitedBy }) };
}

/** Connections kept beyond the served ones to answer 503 (rather than close without a word). */
function answeringMargin(connections: number): number {
  return Math.max(2, Math.ceil(connections / 8));
}
