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
export class SharedLevelsLogger extends winston.Logger {}

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
