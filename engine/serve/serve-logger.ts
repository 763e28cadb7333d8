import type { Redactor } from '../logging/redactor.js';
import { terminalSafe } from '../logging/terminal-text.js';

/** What serve (and the event sources it hosts) log through. `meta` must be plain data. */
export interface ServeLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  /** A logger that puts `[prefix]` before every message (e.g. an event source's name). */
  child(prefix: string): ServeLogger;
}

/**
 * Serve's own log: one line per event on the given stream (stderr), `<ISO time> <level>
 * <message> {meta as JSON}`, with every known secret redacted from the finished line. Runs keep
 * their own logs in the store; this is the server's story (listening, events accepted, runs
 * started and ended, schedules, timers, shutdown).
 */
export function createServeLogger(stream: { write(text: string): unknown }, redactor: Redactor, now: () => Date = () => new Date()): ServeLogger {
  const make = (prefix: string): ServeLogger => {
    const write = (level: 'info' | 'warn' | 'error') => (message: string, meta?: Record<string, unknown>): void => {
      const extra = meta === undefined || Object.keys(meta).length === 0 ? '' : ` ${safeJson(meta)}`;
      // One line per entry, whatever a sender put in an event id or a subject.
      stream.write(`${terminalSafe(redactor.redact(`${now().toISOString()} ${level.padEnd(5)} ${prefix}${message}${extra}`))}\n`);
    };
    return { info: write('info'), warn: write('warn'), error: write('error'), child: (name) => make(`${prefix}[${name}] `) };
  };
  return make('');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserialisable]';
  }
}
