import { Writable } from 'node:stream';
import winston from 'winston';
import type { Redactor } from './redactor.js';
import { renderProgressLine, type ProgressMeta } from './progress-view.js';
import type { ConsoleMode } from './console-mode.js';
import { JsonLinesFileTransport } from './jsonl-file-transport.js';
import { SharedLevelsLogger } from './shared-levels-logger.js';

export { consoleModeFor, type ConsoleMode } from './console-mode.js';

/** winston keeps the final serialized line under this symbol (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

/** Options of {@link createRunLogger}. */
export interface RunLoggerOptions {
  runId: string;
  workflowId: string;
  /** The JSON-lines log file (normally `<run dir>/log.jsonl`); none when omitted. */
  logFile?: string;
  /** Applied last, to every serialized line of every sink. */
  redactor: Redactor;
  console: {
    /** Where the progress view goes: stderr (stdout is reserved for `--json` results). */
    stream: NodeJS.WritableStream;
    mode: ConsoleMode;
    /** Put before every console line, e.g. the subject in bulk runs. */
    prefix?: string;
  };
}

/** A run's logger and how to close it. */
export interface RunLogger {
  /** Carries `runId` and `workflowId` on every entry. */
  logger: winston.Logger;
  /** A child logger adding `meta` to every entry (e.g. `{ step }`); shares the transports. */
  child(meta: Record<string, unknown>): winston.Logger;
  /**
   * Ends the logger. Resolves once the file transport has flushed every line to disk; call it
   * before setting the exit code (never `process.exit()`, which drops buffered lines). Safe to
   * call more than once.
   */
  close(): Promise<void>;
}

/**
 * Creates a run's logger: every entry (debug and up) as a JSON line in `logFile`, and the live
 * progress view (info and up; warnings and errors only in `quiet` mode) on the console stream.
 *
 * @remarks
 * Redaction is the last format of each sink and works on the serialized line, so secrets in the
 * message, in nested meta, in error messages and stacks are all caught, and the caller's meta
 * objects are never modified (winston shares them with formats: winston#880). `exitOnError` is
 * off: idflow decides how a run ends, not its logger.
 */
export function createRunLogger(options: RunLoggerOptions): RunLogger {
  const { redactor } = options;
  const transports: winston.transport[] = [];
  let fileTransport: winston.transport | undefined;
  if (options.logFile !== undefined) {
    // Written through line by line (see JsonLinesFileTransport for why not winston's File).
    fileTransport = new JsonLinesFileTransport({
      filename: options.logFile,
      level: 'debug',
      format: jsonLine({ redactor }),
    });
    transports.push(fileTransport);
  }

  const mode = options.console.mode;
  const style = mode === 'pretty' ? 'pretty' : 'plain';
  const prefix = options.console.prefix;
  // A silent console shows nothing, so with a log file it gets no transport at all: every line
  // would otherwise still be copied and piped to it, to be dropped. Without a log file it keeps a
  // silent one, since winston complains on stderr when a logger has no transport.
  if (mode !== 'silent' || fileTransport === undefined) {
    transports.push(
      new winston.transports.Stream({
        stream: forwardTo(options.console.stream),
        eol: '\n',
        level: mode === 'quiet' ? 'warn' : 'info',
        silent: mode === 'silent',
        format: progressLine({ redactor, style, prefix }),
      }),
    );
  }

  // Not winston.createLogger, which declares a Logger class for every logger (see SharedLevelsLogger).
  const logger: winston.Logger = new SharedLevelsLogger({
    level: 'debug',
    format: ENTRY_FORMAT,
    defaultMeta: { runId: options.runId, workflowId: options.workflowId },
    transports,
    exitOnError: false,
    // Both transports finish log() before returning (see SharedLevelsLogger.write).
    direct: true,
  });
  // A write after close or a failing disk must not crash the run through an unhandled 'error'
  // event; tell the console once instead.
  let reported = false;
  const onError = (error: Error): void => {
    if (reported || mode === 'silent') return;
    reported = true;
    options.console.stream.write(redactor.redact(`idflow: the run log could not be written: ${error.message}\n`));
  };
  logger.on('error', onError);
  fileTransport?.on('error', onError);

  let closing: Promise<void> | undefined;
  return {
    logger,
    child: (meta) => logger.child(meta),
    close() {
      closing ??= new Promise<void>((resolve) => {
        const target: NodeJS.EventEmitter = fileTransport ?? logger;
        target.once('finish', () => resolve());
        // A file that could not be opened never finishes; do not hang the run's end on it.
        fileTransport?.once('error', () => resolve());
        logger.end();
      });
      return closing;
    },
  };
}

/**
 * A Writable that hands every chunk to `target` without ever ending it: the console stream is
 * stderr, which must outlive the run's logger.
 */
function forwardTo(target: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      target.write(chunk);
      callback();
    },
  });
}

/**
 * `format.json()` and redaction in one format: the line is written with the engine's own
 * `JSON.stringify` for the usual entry (logform's json configures a new safe-stable-stringify,
 * which also sorts the keys, for every line: it was the dearest part of logging a step), then
 * redacted with the escape-aware variant for JSON text (see Redactor.redactJson) as the last
 * thing before the file. Entries `JSON.stringify` cannot write (a cycle in the meta, a BigInt)
 * still go through logform's json.
 */
const logformJson = winston.format.json();
// `winston.format(fn)` declares a Format class; declared once here and instantiated per run
// with the run's options (a class per run was a measurable part of a short run's start).
const jsonLine = winston.format((info, options: unknown) => {
  const { redactor } = options as { redactor: Redactor };
  let line: unknown;
  try {
    line = JSON.stringify(info);
  } catch {
    line = (logformJson.transform(info, {}) as Record<symbol, unknown>)[MESSAGE];
  }
  (info as Record<symbol, unknown>)[MESSAGE] = typeof line === 'string' ? redactor.redactJson(line) : line;
  return info;
});

/** The progress view's line, rendered and redacted in one format (console lines are plain text, see Redactor.redact). */
const progressLine = winston.format((info, options: unknown) => {
  const { redactor, style, prefix } = options as { redactor: Redactor; style: 'pretty' | 'plain'; prefix: string | undefined };
  (info as Record<symbol, unknown>)[MESSAGE] = redactor.redact(renderProgressLine(info as unknown as { level: string; message: unknown } & ProgressMeta, style, prefix));
  return info;
});

/**
 * Replaces Error values in the top level of the meta with plain data (`name`, `message`, `code`,
 * `stack`): JSON serialization would write them as `{}` and lose the one thing worth logging.
 * Builds new objects; the caller's error stays as it was. Then stamps the entry with the time,
 * as logform's `timestamp()` does (an entry that already has one keeps it): one format instead
 * of two for every line.
 */
const plainErrorsAndTime = winston.format((info) => {
  for (const key in info) {
    const value = info[key];
    if (value instanceof Error && Object.hasOwn(info, key)) {
      const code = (value as { code?: unknown }).code;
      info[key] = { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), ...(value.stack === undefined ? {} : { stack: value.stack }) };
    }
  }
  if (!info['timestamp']) info['timestamp'] = new Date().toISOString();
  return info;
});

/** Every logger's own format: stateless, so one instance serves every run. */
const ENTRY_FORMAT = winston.format.combine(winston.format.errors({ stack: true }), plainErrorsAndTime());
