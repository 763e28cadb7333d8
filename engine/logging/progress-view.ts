/**
 * Renders log entries as the human progress view on stderr: one readable line per step event,
 * other entries as plain lines. Pure functions of the entry, so the view is tested without a
 * logger and stays the same for every sink that wants it.
 */

import { terminalSafe } from './terminal-text.js';

/** The progress events the step runner logs (as the `event` meta field). */
export type ProgressEvent = 'run.started' | 'step.started' | 'step.retry' | 'step.finished' | 'step.skipped' | 'run.finished';

/**
 * The meta fields of a progress event (all optional; the view shows what is there).
 *
 * @remarks
 * `attempt` on `step.retry` is the number of the attempt that is about to start
 * (`attempt 2 after 503, retrying in 1.0s`); `retryInMs` is the wait before it (`durationMs` is
 * accepted too). `attempts` on `step.finished` is how many attempts the step took. `error` is a
 * message or a serialized error (`{ code, message, details: { status } }`).
 */
export interface ProgressMeta {
  event?: string;
  step?: string;
  /** The step's (or, for `run.*`, the workflow's) display name. */
  name?: string;
  action?: string;
  status?: string;
  changed?: boolean;
  summary?: string;
  durationMs?: number;
  retryInMs?: number;
  attempt?: number;
  attempts?: number;
  error?: unknown;
  /** The foreach index of the item this event is about. */
  item?: number;
  /** For a starting foreach step: how many items; for a finished one: the per-item counts. */
  items?: number | { total?: number; succeeded?: number; failed?: number };
  /** Why a step was skipped (e.g. `if: false`). */
  reason?: string;
  output?: unknown;
  runId?: string;
  workflowId?: string;
}

/** `pretty` uses colour and Unicode symbols; `plain` neither. */
export type ProgressStyle = 'pretty' | 'plain';

const SYMBOLS = {
  pretty: { run: '▶', start: '▸', ok: '✔', fail: '✖', skip: '↷', retry: '↻', warn: '⚠' },
  plain: { run: '>>', start: '>', ok: '+', fail: 'x', skip: '-', retry: '~', warn: '!' },
} as const;

const COLOURS = { red: 31, green: 32, yellow: 33, cyan: 36, grey: 90, bold: 1 } as const;
type Colour = keyof typeof COLOURS;

/**
 * One console line (without the newline) for a log entry.
 *
 * @param entry - the entry's level, message and meta (as winston hands them to a format).
 * @param style - `pretty` or `plain`.
 * @param prefix - put before the line, e.g. the subject in bulk runs.
 */
export function renderProgressLine(entry: { level: string; message: unknown } & ProgressMeta, style: ProgressStyle, prefix?: string): string {
  const line = renderBody(terminalSafeEntry(entry), style);
  return prefix === undefined || prefix === '' ? line : `${paint(style, 'grey', `[${terminalSafe(prefix)}]`)} ${line}`;
}

/**
 * The entry with every text in it terminal-safe (see {@link terminalSafe}), before the view adds
 * its own symbols and colours: names, subjects, summaries and errors come from templates, events
 * and API answers, and a line of the view is one line.
 */
function terminalSafeEntry<E extends { level: string; message: unknown } & ProgressMeta>(entry: E): E {
  const safe: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value === 'string') safe[key] = terminalSafe(value);
    else if (key === 'error' && typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
      safe[key] = { ...value, message: terminalSafe((value as { message: string }).message) };
    } else safe[key] = value;
  }
  return safe as E;
}

function renderBody(entry: { level: string; message: unknown } & ProgressMeta, style: ProgressStyle): string {
  const sym = SYMBOLS[style];
  const step = stepLabel(entry);
  const message = typeof entry.message === 'string' ? entry.message : String(entry.message ?? '');
  switch (entry.event) {
    case 'run.started': {
      const title = entry.name ?? entry.workflowId ?? message;
      return `${paint(style, 'bold', `${sym.run} ${title}`)}${entry.runId === undefined ? '' : `  ${paint(style, 'grey', `run ${entry.runId}`)}`}`;
    }
    case 'step.started': {
      const count = typeof entry.items === 'number' ? `  ${paint(style, 'grey', `(${entry.items} item${entry.items === 1 ? '' : 's'})`)}` : '';
      return `  ${paint(style, 'cyan', sym.start)} ${paint(style, 'bold', step)}  ${entry.name ?? entry.action ?? message}${count}`.trimEnd();
    }
    case 'step.retry': {
      const wait = entry.retryInMs ?? entry.durationMs;
      const attempt = entry.attempt === undefined ? 'retrying' : `attempt ${entry.attempt}`;
      const cause = errorShort(entry.error);
      return `  ${paint(style, 'yellow', sym.retry)} ${paint(style, 'bold', step)}  ${attempt}${cause === '' ? '' : ` after ${cause}`}${wait === undefined ? '' : `, retrying in ${formatSeconds(wait)}`}`;
    }
    case 'step.skipped':
      return `  ${paint(style, 'grey', sym.skip)} ${paint(style, 'bold', step)}  ${paint(style, 'grey', `skipped${entry.reason === undefined ? '' : ` (${entry.reason})`}`)}`;
    case 'step.finished':
      return renderStepFinished(entry, style, step);
    case 'run.finished': {
      const took = entry.durationMs === undefined ? '' : ` in ${formatDuration(entry.durationMs)}`;
      if (entry.status === 'succeeded') return paint(style, 'green', `${sym.ok} ${entry.name ?? 'Run'} succeeded${took}`);
      if (entry.status === 'failed') {
        const where = entry.step === undefined ? '' : ` at step ${entry.step}`;
        const why = errorMessage(entry.error);
        return paint(style, 'red', `${sym.fail} ${entry.name ?? 'Run'} failed${where}${took}${why === '' ? '' : `: ${why}`}`);
      }
      // Skipped, interrupted: the message says why (and how to resume).
      if (entry.status === 'skipped') return paint(style, 'grey', `${sym.skip} ${message || 'Run skipped'}`);
      return paint(style, 'yellow', `${sym.warn} ${message || `Run ${entry.status ?? 'ended'}`}`);
    }
    default:
      return renderPlainEntry(entry.level, message, style);
  }
}

function renderStepFinished(entry: ProgressMeta, style: ProgressStyle, step: string): string {
  const sym = SYMBOLS[style];
  const took = entry.durationMs === undefined ? '' : `  ${paint(style, 'grey', formatDuration(entry.durationMs))}`;
  if (entry.status === 'skipped') {
    return `  ${paint(style, 'grey', sym.skip)} ${paint(style, 'bold', step)}  ${paint(style, 'grey', `skipped${entry.reason === undefined ? '' : ` (${entry.reason})`}`)}`;
  }
  if (entry.status === 'failed') {
    const attempts = entry.attempts !== undefined && entry.attempts > 1 ? ` after ${entry.attempts} attempts` : '';
    const why = errorMessage(entry.error);
    return `  ${paint(style, 'red', sym.fail)} ${paint(style, 'bold', step)}  ${paint(style, 'red', `failed${attempts}${why === '' ? '' : `: ${why}`}`)}${took}`;
  }
  const parts: string[] = [];
  if (entry.changed !== undefined) parts.push(entry.changed ? paint(style, 'yellow', 'changed') : 'unchanged');
  if (typeof entry.items === 'object') {
    const { total, succeeded, failed } = entry.items;
    parts.push(`${total ?? '?'} items${failed !== undefined && failed > 0 ? ` (${succeeded ?? '?'} ok, ${failed} failed)` : ''}`);
  }
  if (entry.summary !== undefined && entry.summary !== '') parts.push(entry.summary);
  return `  ${paint(style, 'green', sym.ok)} ${paint(style, 'bold', step)}  ${parts.join(' · ') || 'done'}${took}`;
}

function renderPlainEntry(level: string, message: string, style: ProgressStyle): string {
  const sym = SYMBOLS[style];
  if (level === 'error') return `  ${paint(style, 'red', `${sym.fail} error: ${message}`)}`;
  if (level === 'warn') return `  ${paint(style, 'yellow', `${sym.warn} warning: ${message}`)}`;
  return `  ${message}`;
}

function stepLabel(entry: ProgressMeta): string {
  const step = entry.step ?? '';
  return entry.item === undefined ? step : `${step}[${entry.item}]`;
}

/** A short cause for a retry line: the HTTP status when there is one, else the message. */
function errorShort(error: unknown): string {
  if (error === undefined || error === null) return '';
  if (typeof error === 'string') return error;
  if (typeof error === 'object') {
    const details = (error as { details?: unknown }).details;
    const status = typeof details === 'object' && details !== null ? (details as { status?: unknown }).status : undefined;
    if (typeof status === 'number') return String(status);
    const own = (error as { status?: unknown }).status;
    if (typeof own === 'number') return String(own);
  }
  return errorMessage(error);
}

function errorMessage(error: unknown): string {
  if (error === undefined || error === null) return '';
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
  return String(error);
}

/** `850ms`, `1.2s`, `2m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** A wait in seconds with one decimal (`1.0s`), as retry lines show it. */
function formatSeconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

function paint(style: ProgressStyle, colour: Colour, text: string): string {
  return style === 'pretty' ? `\u001b[${COLOURS[colour]}m${text}\u001b[0m` : text;
}
