import { closeSync, writeSync } from 'node:fs';
import winston from 'winston';
import { openPrivateFile } from '../store/private-files.js';

/** winston keeps the final serialized line under this symbol (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

/**
 * winston's transport base class. Its type is declared as `winston.transport`, but at run time
 * winston exports it as `Transport` (winston/lib/winston.js), so it is read from there.
 */
const TransportStream = (winston as unknown as { Transport: new (options?: { level?: string; format?: winston.Logform.Format }) => winston.transport }).Transport;

/** Options of {@link JsonLinesFileTransport}. */
export interface JsonLinesFileTransportOptions {
  /** The file lines are appended to; created (mode 0600) on the first line. */
  filename: string;
  level?: string;
  /** Must produce the final line in `info[Symbol.for('message')]` (e.g. `format.json()`). */
  format?: winston.Logform.Format;
}

/**
 * A winston transport that appends each entry's serialized line to a file with one
 * synchronous `write` before it returns, through a descriptor kept open until the logger ends.
 *
 * @remarks
 * Why not `winston.transports.File`: it writes through a stream, which for the two to three
 * lines a step logs cost more than the rest of the step's bookkeeping together (about 12 µs
 * per line, most of it stream machinery), and it loses the lines still buffered when the
 * process is killed. Here a line is on its way to disk when `log()` returns — like the journal —
 * so a killed run's log is complete up to the kill, and `close()` (the stream's `finish`) only
 * has to close the file.
 *
 * A file that cannot be opened or written emits `error` once (the run logger reports it) and
 * the transport drops later lines instead of throwing into the run.
 */
export class JsonLinesFileTransport extends TransportStream {
  private readonly filename: string;
  private fd: number | undefined;
  /** Set once writing failed or the logger ended: later lines are dropped, the file stays closed. */
  private stopped = false;

  constructor(options: JsonLinesFileTransportOptions) {
    super({ ...(options.level === undefined ? {} : { level: options.level }), ...(options.format === undefined ? {} : { format: options.format }) });
    this.filename = options.filename;
  }

  /** Called by winston with the formatted entry. */
  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const line = info[MESSAGE];
    if (!this.stopped && typeof line === 'string') {
      try {
        this.fd ??= openPrivateFile(this.filename, 'a');
        const buffer = Buffer.from(`${line}\n`, 'utf8');
        let offset = 0;
        while (offset < buffer.length) offset += writeSync(this.fd, buffer, offset, buffer.length - offset);
      } catch (error) {
        this.stopped = true;
        this.closeFile();
        // After `next()`, so that winston's stream is not left waiting when a listener throws.
        queueMicrotask(() => this.emit('error', error));
      }
    }
    next();
  }

  /** Closes the file when the logger ends, before `finish` is emitted. */
  override _final(callback: (error?: Error | null) => void): void {
    this.stopped = true;
    this.closeFile();
    callback();
  }

  /** winston calls `close()` on transports it removes. */
  override close(): void {
    this.stopped = true;
    this.closeFile();
  }

  private closeFile(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Already closed or the disk is gone: nothing left to flush (writes were synchronous).
    }
  }
}
