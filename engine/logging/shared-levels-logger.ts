import winston from 'winston';

/** winston keeps an entry's level under this symbol too (triple-beam's LEVEL). */
const LEVEL = Symbol.for('level');

/** The members of winston's Logger the level methods use (`_addDefaultMeta` is not in its typings). */
interface LoggerInternals {
  _addDefaultMeta(info: Record<string | symbol, unknown>): void;
  write(info: Record<string | symbol, unknown>): boolean;
  log(level: string, ...args: unknown[]): unknown;
  isLevelEnabled(level: string): boolean;
}

/** What a direct write reads of a winston transport (`levels` is set by winston when the transport is added). */
interface TransportInternals {
  level?: string;
  levels?: Record<string, number>;
  silent?: boolean;
  handleExceptions?: boolean;
  format?: winston.Logform.Format;
  log?(info: unknown, next: () => void): unknown;
}

/** The stream state a direct write checks (readable-stream's; not in winston's typings). */
interface StreamState {
  _writableState?: { ending?: boolean; ended?: boolean; length?: number };
}

/** Options of {@link SharedLevelsLogger}: winston's, and whether entries may skip winston's streams. */
export interface SharedLevelsLoggerOptions extends winston.LoggerOptions {
  /**
   * Hand each entry to the transports directly (see {@link SharedLevelsLogger.write}). Only for a
   * logger whose transports finish `log()` before returning, as the run logger's do (its file
   * transport writes with `writeSync`, its console transport writes to a stream and returns);
   * such transports never hold entries back, so skipping the streams changes no order.
   */
  direct?: boolean;
}

const noop = (): void => {};

/**
 * A winston Logger with the npm level methods (`info`, `debug`, …, `isInfoEnabled`, …) on one
 * prototype shared by every logger made with it.
 *
 * @remarks
 * `winston.createLogger` declares a new Logger subclass and defines these methods on its
 * prototype for every logger it makes. A run makes a logger, so each run paid for a class and a
 * dozen method definitions (about a tenth of a short run's start), and every call site that logs
 * saw a new object shape per run. The methods here are winston 3's own (create-logger.js), with
 * one difference: called without a logger as `this` (an unbound `const { info } = logger`)
 * they throw instead of writing to whichever logger the class was made for, since here that is
 * not one logger. idflow always calls them as methods.
 */
export class SharedLevelsLogger extends winston.Logger {
  private readonly direct: boolean;

  constructor(options: SharedLevelsLoggerOptions = {}) {
    const { direct, ...rest } = options;
    super(rest);
    this.direct = direct === true;
  }

  /**
   * With `direct` (see {@link SharedLevelsLoggerOptions.direct}), does what winston's stream
   * pipeline does with an entry — the logger's format, then for each transport its level, its
   * format on a copy and its `log()` — without the pipeline: winston's Logger is an object-mode
   * Transform piped into each transport, and moving an entry through readable-stream's buffers
   * and events cost more than formatting and writing it (a fifth of a no-op step's time in the
   * engine-overhead benchmark, for the two lines a step logs). Anything unusual (an unknown
   * level, a logger that is ending, entries still queued) takes winston's own way.
   */
  override write(info: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (!this.direct || typeof encoding === 'function' || callback !== undefined) return super.write(info, encoding as BufferEncoding, callback as () => void);
    const entry = info as Record<string | symbol, unknown>;
    const state = (this as unknown as StreamState)._writableState;
    const levels = this.levels as Record<string, number>;
    entry[LEVEL] ??= entry['level'];
    const level = entry[LEVEL];
    if (typeof level !== 'string' || levels[level] === undefined || state === undefined || state.ending === true || state.ended === true || (state.length ?? 0) > 0) {
      return super.write(info);
    }
    if (this.silent) return true;
    const formatted = this.format.transform(entry as winston.Logform.TransformableInfo, this.format.options) as Record<string | symbol, unknown> | false;
    if (!formatted) return true;
    for (const transport of this.transports as unknown as TransportInternals[]) {
      if (transport.silent === true || (formatted['exception'] === true && transport.handleExceptions !== true)) continue;
      // winston-transport's rule: the transport's own level, else the logger's; none passes everything.
      const threshold = transport.level || this.level;
      if (threshold) {
        const scale = transport.levels ?? levels;
        const have = scale[threshold];
        const want = scale[formatted[LEVEL] as string];
        if (have === undefined || want === undefined || have < want) continue;
      }
      const out = transport.format === undefined ? formatted : transport.format.transform({ ...formatted } as winston.Logform.TransformableInfo, transport.format.options);
      if (out) transport.log?.(out, noop);
    }
    return true;
  }
}

const prototype = SharedLevelsLogger.prototype as unknown as Record<string, unknown>;
for (const level of Object.keys(winston.config.npm.levels)) {
  prototype[level] = function logAtLevel(this: LoggerInternals, ...args: unknown[]): unknown {
    // winston's hot path: one argument, an entry with a message or a message alone.
    if (args.length === 1) {
      const msg = args[0] as { message?: unknown } | null | undefined;
      const info = (msg && msg.message ? msg : { message: msg }) as Record<string | symbol, unknown>;
      info['level'] = info[LEVEL] = level;
      this._addDefaultMeta(info);
      this.write(info);
      return this;
    }
    if (args.length === 0) {
      this.log(level, '');
      return this;
    }
    return this.log(level, ...args);
  };
  prototype[`is${level.charAt(0).toUpperCase()}${level.slice(1)}Enabled`] = function isLevelEnabled(this: LoggerInternals): boolean {
    return this.isLevelEnabled(level);
  };
}
