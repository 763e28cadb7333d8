import { Writable } from 'node:stream';
import winston from 'winston';
import type { Redactor } from './redactor.js';
import { renderProgressLine, type ProgressMeta } from './progress-view.js';
import type { ConsoleMode } from './console-mode.js';
import { JsonLinesFileTransport } from './jsonl-file-transport.js';

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
  const { format } = winston;
  // JSON lines need the escape-aware variant (see Redactor.redactJson); console lines are plain text.
  const redactLine = format((info) => {
    const line = (info as Record<symbol, unknown>)[MESSAGE];
    if (typeof line === 'string') (info as Record<symbol, unknown>)[MESSAGE] = redactor.redact(line);
    return info;
  });
  const redactJsonLine = format((info) => {
    const line = (info as Record<symbol, unknown>)[MESSAGE];
    if (typeof line === 'string') (info as Record<symbol, unknown>)[MESSAGE] = redactor.redactJson(line);
    return info;
  });

  const transports: winston.transport[] = [];
  let fileTransport: winston.transport | undefined;
  if (options.logFile !== undefined) {
    // Written through line by line (see JsonLinesFileTransport for why not winston's File).
    fileTransport = new JsonLinesFileTransport({
      filename: options.logFile,
      level: 'debug',
      format: format.combine(jsonLine(), redactJsonLine()),
    });
    transports.push(fileTransport);
  }

  const mode = options.console.mode;
  const style = mode === 'pretty' ? 'pretty' : 'plain';
  const prefix = options.console.prefix;
  const progress = format((info) => {
    (info as Record<symbol, unknown>)[MESSAGE] = renderProgressLine(info as unknown as { level: string; message: unknown } & ProgressMeta, style, prefix);
    return info;
  });
  transports.push(
    new winston.transports.Stream({
      stream: forwardTo(options.console.stream),
      eol: '\n',
      level: mode === 'quiet' ? 'warn' : 'info',
      // A silent console still needs a transport: winston complains on stderr when a logger has none.
      silent: mode === 'silent',
      format: format.combine(progress(), redactLine()),
    }),
  );

  const logger = winston.createLogger({
    level: 'debug',
    format: format.combine(format.errors({ stack: true }), plainErrors(), format.timestamp()),
    defaultMeta: { runId: options.runId, workflowId: options.workflowId },
    transports,
    exitOnError: false,
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
 * `format.json()`, with the engine's own `JSON.stringify` for the usual entry: logform's json
 * configures a new safe-stable-stringify (which also sorts the keys) for every line, which
 * made it the dearest part of logging a step. Entries `JSON.stringify` cannot write (a cycle in
 * the meta, a BigInt) still go through logform's json.
 */
const logformJson = winston.format.json();
const jsonLine = winston.format((info) => {
  try {
    (info as Record<symbol, unknown>)[MESSAGE] = JSON.stringify(info);
    return info;
  } catch {
    return logformJson.transform(info, {});
  }
});

/**
 * Replaces Error values in the top level of the meta with plain data (`name`, `message`, `code`,
 * `stack`): JSON serialization would write them as `{}` and lose the one thing worth logging.
 * Builds new objects; the caller's error stays as it was.
 */
const plainErrors = winston.format((info) => {
  for (const [key, value] of Object.entries(info)) {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      info[key] = { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), ...(value.stack === undefined ? {} : { stack: value.stack }) };
    }
  }
  return info;
});
