import { describe, expect, it } from 'vitest';
import { IdflowError } from '../../../engine/errors/idflow-error.js';
import { SubjectLockedError } from '../../../engine/errors/usage-errors.js';
import type { ServeLogger } from '../../../engine/serve/serve-logger.js';
import { isTransientStartError, retryTransientStart } from '../../../engine/serve/transient-start.js';

function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: something ran out`), { code });
}

function collectingLogger(): ServeLogger & { lines: string[] } {
  const lines: string[] = [];
  const logger: ServeLogger & { lines: string[] } = {
    lines,
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
    error: (message) => lines.push(`error ${message}`),
    child: () => logger,
  };
  return logger;
}

const FAST = { initialMs: 1, maxMs: 4 };

describe('isTransientStartError', () => {
  it('knows the shortages a moment later can cure, also wrapped as a cause', () => {
    for (const code of ['EMFILE', 'ENFILE', 'ENOSPC', 'EIO', 'EAGAIN', 'EBUSY', 'ENOMEM']) expect(isTransientStartError(systemError(code)), code).toBe(true);
    expect(isTransientStartError(new IdflowError('STORE_WRITE_FAILED', 'cannot write run.json', { cause: systemError('EMFILE') }))).toBe(true);
    expect(isTransientStartError(new IdflowError('LOCK_CONTENTION', 'others kept replacing it'))).toBe(true);
  });

  it('leaves refusals by rule and real faults alone', () => {
    expect(isTransientStartError(new SubjectLockedError('ann@x.com', 'run-1'))).toBe(false);
    expect(isTransientStartError(systemError('EACCES'))).toBe(false);
    expect(isTransientStartError(new Error('a bug'))).toBe(false);
    expect(isTransientStartError('EMFILE')).toBe(false);
    expect(isTransientStartError(undefined)).toBe(false);
  });
});

describe('retryTransientStart', () => {
  it('tries again after each transient failure until the start succeeds, saying so each time', async () => {
    const logger = collectingLogger();
    let attempts = 0;
    const retries: unknown[] = [];
    const result = await retryTransientStart(async () => {
      attempts++;
      if (attempts <= 3) throw systemError('EMFILE');
      return 'started';
    }, { label: 'offboarding (event e-1)', stop: new AbortController().signal, logger, policy: FAST, onRetry: (error) => retries.push(error) });
    expect(result).toEqual({ kind: 'done', value: 'started' });
    expect(attempts).toBe(4);
    expect(retries).toHaveLength(3);
    expect(logger.lines.filter((line) => line.startsWith('warn offboarding (event e-1) could not start (attempt '))).toHaveLength(3);
  });

  it('throws any other failure at once, and a transient one the caller says is not retryable', async () => {
    const logger = collectingLogger();
    let attempts = 0;
    await expect(retryTransientStart(async () => {
      attempts++;
      throw new SubjectLockedError('ann@x.com', 'run-1');
    }, { label: 'x', stop: new AbortController().signal, logger, policy: FAST })).rejects.toBeInstanceOf(SubjectLockedError);
    expect(attempts).toBe(1);
    await expect(retryTransientStart(async () => {
      throw systemError('ENOSPC');
    }, { label: 'x', stop: new AbortController().signal, logger, policy: FAST, retryable: () => false })).rejects.toMatchObject({ code: 'ENOSPC' });
  });

  it('stops retrying when serve shuts down, reporting the last failure so the work stays owed', async () => {
    const logger = collectingLogger();
    const stop = new AbortController();
    let attempts = 0;
    const result = await retryTransientStart(async () => {
      attempts++;
      if (attempts === 2) stop.abort();
      throw systemError('EMFILE');
    }, { label: 'x', stop: stop.signal, logger, policy: { initialMs: 5, maxMs: 5 } });
    expect(result).toMatchObject({ kind: 'stopped', attempts: 2, error: { code: 'EMFILE' } });
  });

  it('stops during a pause without waiting it out', async () => {
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 20);
    const result = await retryTransientStart(async () => {
      throw systemError('EMFILE');
    }, { label: 'x', stop: stop.signal, logger: collectingLogger(), policy: { initialMs: 60_000, maxMs: 60_000 } });
    expect(result.kind).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
