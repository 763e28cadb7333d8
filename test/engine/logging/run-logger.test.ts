import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redactor, REDACTED } from '../../../engine/logging/redactor.js';
import { consoleModeFor, createRunLogger, type RunLoggerOptions } from '../../../engine/logging/run-logger.js';

const SECRET = 'sk_live_9f8e7d6c5b4a';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function readLines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createRunLogger', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'idflow-logger-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (mode: RunLoggerOptions['console']['mode'], stream: NodeJS.WritableStream, redactor = new Redactor()): RunLoggerOptions => ({
    runId: '20261122-2305-k3x9p2',
    workflowId: 'offboard',
    logFile: join(dir, 'log.jsonl'),
    redactor,
    console: { stream, mode },
  });

  it('writes every entry as a JSON line with run, workflow, level, message, meta and timestamp', async () => {
    const out = capture();
    const run = createRunLogger(options('plain', out.stream));
    run.logger.info('hello', { extra: { a: 1 } });
    run.child({ step: 'lookup' }).debug('details', { n: 2 });
    await run.close();
    const lines = readLines(join(dir, 'log.jsonl'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', message: 'hello', runId: '20261122-2305-k3x9p2', workflowId: 'offboard', extra: { a: 1 } });
    expect(typeof lines[0]?.['timestamp']).toBe('string');
    expect(lines[1]).toMatchObject({ level: 'debug', message: 'details', step: 'lookup', n: 2 });
    // debug goes to the file only, not to the progress view.
    expect(out.text()).toBe('  hello\n');
  });

  it('has every line on disk when close() resolves (thousands of lines)', async () => {
    const run = createRunLogger(options('silent', new PassThrough()));
    for (let i = 0; i < 5000; i++) run.logger.info(`line ${i}`, { i, payload: 'x'.repeat(100) });
    await run.close();
    const lines = readLines(join(dir, 'log.jsonl'));
    expect(lines).toHaveLength(5000);
    expect(lines.at(-1)).toMatchObject({ message: 'line 4999', i: 4999 });
    // Closing twice is harmless.
    await run.close();
  });

  it('redacts secrets in the file and on the console, in messages, nested meta and errors, without mutating meta', async () => {
    const out = capture();
    const redactor = new Redactor();
    redactor.add(SECRET);
    const run = createRunLogger(options('plain', out.stream, redactor));
    const meta = { request: { headers: { authorization: `Bearer ${SECRET}` }, url: `https://x.test/?k=${encodeURIComponent(SECRET)}` } };
    run.logger.info(`calling with ${SECRET}`, meta);
    run.logger.warn('body', { body: JSON.stringify({ token: SECRET }) });
    run.logger.error(new Error(`denied: ${SECRET}`));
    run.child({ step: 's' }).error('failed', { error: new Error(`nested ${SECRET}`) });
    await run.close();
    expect(meta.request.headers.authorization).toBe(`Bearer ${SECRET}`);
    const file = readFileSync(join(dir, 'log.jsonl'), 'utf8');
    const consoleText = out.text();
    for (const text of [file, consoleText]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(encodeURIComponent(SECRET));
      expect(text).toContain(REDACTED);
    }
    const lines = readLines(join(dir, 'log.jsonl'));
    expect(lines[0]).toMatchObject({ message: `calling with ${REDACTED}`, request: { headers: { authorization: `Bearer ${REDACTED}` } } });
    expect(lines[2]).toMatchObject({ level: 'error', message: `denied: ${REDACTED}` });
    expect(String(lines[2]?.['stack'])).toContain(`denied: ${REDACTED}`);
    expect(lines[3]).toMatchObject({ step: 's', error: { name: 'Error', message: `nested ${REDACTED}` } });
  });

  it('renders progress events on the console in plain mode and leaves the stream open', async () => {
    const out = capture();
    const run = createRunLogger(options('plain', out.stream));
    run.logger.info('Run started', { event: 'run.started', name: 'Offboard' });
    run.logger.info('step', { event: 'step.started', step: 'remove_groups', name: 'Remove from all user groups' });
    run.logger.info('step', { event: 'step.finished', step: 'remove_groups', status: 'succeeded', changed: true, summary: 'removed from 5 groups', durationMs: 1200 });
    run.logger.info('step', { event: 'step.skipped', step: 'backup', reason: 'if: false' });
    run.logger.warn('step', { event: 'step.retry', step: 'unbind', attempt: 2, error: '503', retryInMs: 1000 });
    run.logger.error('step', { event: 'step.finished', step: 'unbind', status: 'failed', attempts: 3, error: { message: 'HTTP 503' } });
    await run.close();
    expect(out.text()).toBe(
      [
        '>> Offboard  run 20261122-2305-k3x9p2',
        '  > remove_groups  Remove from all user groups',
        '  + remove_groups  changed · removed from 5 groups  1.2s',
        '  - backup  skipped (if: false)',
        '  ~ unbind  attempt 2 after 503, retrying in 1.0s',
        '  x unbind  failed after 3 attempts: HTTP 503',
        '',
      ].join('\n'),
    );
    expect(out.stream.writableEnded).toBe(false);
  });

  it('pretty mode uses symbols and colour; quiet shows warnings and errors only; silent shows nothing', async () => {
    const pretty = capture();
    const quiet = capture();
    const silent = capture();
    for (const [mode, target] of [['pretty', pretty], ['quiet', quiet], ['silent', silent]] as const) {
      const run = createRunLogger({ ...options(mode, target.stream), logFile: join(dir, `${mode}.jsonl`) });
      run.logger.info('step', { event: 'step.started', step: 'a', name: 'Step A' });
      run.logger.info('plain info');
      run.logger.warn('careful');
      run.logger.error('step', { event: 'step.finished', step: 'a', status: 'failed', error: 'boom' });
      await run.close();
      // Every mode writes everything to the file.
      expect(readLines(join(dir, `${mode}.jsonl`))).toHaveLength(4);
    }
    expect(pretty.text()).toContain('\u001b[');
    expect(pretty.text().replace(/\u001b\[[0-9;]*m/g, '')).toBe('  ▸ a  Step A\n  plain info\n  ⚠ warning: careful\n  ✖ a  failed: boom\n');
    expect(quiet.text()).toBe('  ! warning: careful\n  x a  failed: boom\n');
    expect(silent.text()).toBe('');
  });

  it('prefixes console lines in bulk runs', async () => {
    const out = capture();
    const run = createRunLogger({ ...options('plain', out.stream), console: { stream: out.stream, mode: 'plain', prefix: 'jane@example.com' } });
    run.logger.info('hi');
    await run.close();
    expect(out.text()).toBe('[jane@example.com]   hi\n');
  });

  it('a silent console without a log file still logs nothing and makes winston complain about nothing', async () => {
    const out = capture();
    const complaints: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => {
      complaints.push(args);
    };
    try {
      const run = createRunLogger({ ...options('silent', out.stream), logFile: undefined });
      run.logger.info('nowhere to go');
      run.logger.error('still nowhere');
      await run.close();
    } finally {
      console.error = original;
    }
    expect(out.text()).toBe('');
    expect(complaints).toEqual([]);
  });

  it('keeps a timestamp the entry brings, stamps the others, and writes Error values in the meta as data', async () => {
    const run = createRunLogger(options('silent', new PassThrough()));
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    run.logger.info('replayed', { timestamp: '2026-01-01T00:00:00.000Z' });
    run.logger.warn('retrying', { cause, attempt: 2 });
    await run.close();
    const [replayed, retrying] = readLines(join(dir, 'log.jsonl'));
    expect(replayed?.['timestamp']).toBe('2026-01-01T00:00:00.000Z');
    expect(Date.parse(String(retrying?.['timestamp']))).not.toBeNaN();
    expect(retrying?.['cause']).toEqual({ name: 'Error', message: 'socket hang up', code: 'ECONNRESET', stack: cause.stack });
    // The caller's error is left as it was.
    expect(cause).toBeInstanceOf(Error);
  });

  it('works without a log file', async () => {
    const out = capture();
    const run = createRunLogger({ ...options('plain', out.stream), logFile: undefined });
    run.logger.info('only console');
    await run.close();
    expect(out.text()).toBe('  only console\n');
  });
});

describe('consoleModeFor', () => {
  const tty = Object.assign(new PassThrough(), { isTTY: true });
  const pipe = new PassThrough();
  it('is pretty on a terminal, plain otherwise or with NO_COLOR, quiet when asked', () => {
    expect(consoleModeFor(tty, {}, false)).toBe('pretty');
    expect(consoleModeFor(pipe, {}, false)).toBe('plain');
    expect(consoleModeFor(tty, { NO_COLOR: '1' }, false)).toBe('plain');
    expect(consoleModeFor(tty, { NO_COLOR: '' }, false)).toBe('pretty');
    expect(consoleModeFor(tty, { TERM: 'dumb' }, false)).toBe('plain');
    expect(consoleModeFor(tty, {}, true)).toBe('quiet');
    expect(consoleModeFor(pipe, { NO_COLOR: '1' }, true)).toBe('quiet');
  });
});
