import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** One line of a run's log, as the run page shows it. */
export interface LogLine {
  time: string;
  level: string;
  message: string;
}

/** The run page shows the end of the log: at most this many lines… */
const MAX_LINES = 500;
/** …read from at most this many bytes at the end of the file. */
const MAX_BYTES = 512 * 1024;

/**
 * The last lines of a run's log (`log.jsonl`, one JSON object per line, already redacted by
 * the run's logger), and how many earlier lines were left out. A line that is not JSON (a torn
 * last write) is shown as it is.
 */
export function readRunLog(file: string): { lines: LogLine[]; cut: number } {
  let text: string;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], cut: 0 };
    throw error;
  }
  let partial = false;
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, MAX_BYTES);
    partial = size > length;
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    text = buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
  let rows = text.split('\n').filter((row) => row.trim() !== '');
  // A read that starts inside the file starts inside a line: that line is left out.
  if (partial) rows = rows.slice(1);
  const cut = Math.max(0, rows.length - MAX_LINES);
  const lines = rows.slice(cut).map(parseLine);
  return { lines, cut: partial ? cut + 1 : cut };
}

function parseLine(row: string): LogLine {
  try {
    const value = JSON.parse(row) as Record<string, unknown>;
    const time = typeof value['timestamp'] === 'string' ? value['timestamp'] : typeof value['time'] === 'string' ? value['time'] : '';
    const step = typeof value['step'] === 'string' ? `[${value['step']}] ` : '';
    return { time: time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), level: typeof value['level'] === 'string' ? value['level'] : 'info', message: `${step}${typeof value['message'] === 'string' ? value['message'] : row}` };
  } catch {
    return { time: '', level: 'info', message: row };
  }
}
