import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { SharedLevelsLogger } from '../../../engine/logging/shared-levels-logger.js';

function collecting(): { transport: winston.transport; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ objectMode: true, write(info: Record<string, unknown>, _encoding, callback) { lines.push(info); callback(); } });
  return { transport: new winston.transports.Stream({ stream }), lines };
}

describe('SharedLevelsLogger', () => {
  it('logs at every npm level through one prototype, each logger to its own transports', () => {
    const a = collecting();
    const b = collecting();
    const first: winston.Logger = new SharedLevelsLogger({ level: 'debug', transports: [a.transport], defaultMeta: { runId: 'a' } });
    const second: winston.Logger = new SharedLevelsLogger({ level: 'info', transports: [b.transport], defaultMeta: { runId: 'b' } });
    expect(Object.getPrototypeOf(first)).toBe(Object.getPrototypeOf(second));
    first.info('hello', { n: 1 });
    first.debug({ message: 'as an entry', k: 2 });
    first.warn('alone');
    second.debug('filtered out');
    second.error('boom');
    first.child({ step: 's1' }).info('from a child');
    expect(a.lines.map((l) => [l['level'], l['message'], l['runId']])).toEqual([
      ['info', 'hello', 'a'], ['debug', 'as an entry', 'a'], ['warn', 'alone', 'a'], ['info', 'from a child', 'a'],
    ]);
    expect(a.lines[0]?.['n']).toBe(1);
    expect(a.lines[3]?.['step']).toBe('s1');
    expect(b.lines.map((l) => [l['level'], l['message'], l['runId']])).toEqual([['error', 'boom', 'b']]);
    expect(first.isDebugEnabled()).toBe(true);
    expect(second.isDebugEnabled()).toBe(false);
    expect(second.isErrorEnabled()).toBe(true);
  });

  it('with direct, hands each entry to the transports as winston\'s streams would: same entries, levels, formats and order', () => {
    const dropSecret = winston.format((info) => (info['secret'] === true ? false : info));
    const stamp = winston.format((info, options: unknown) => {
      info['via'] = (options as { name: string }).name;
      return info;
    });
    const entriesOf = (direct: boolean): Array<Array<Record<string, unknown>>> => {
      const all = collecting();
      const warnings = collecting();
      const formatted = collecting();
      const quiet = collecting();
      (formatted.transport as unknown as { format: winston.Logform.Format }).format = stamp({ name: 'formatted' });
      (warnings.transport as unknown as { level: string }).level = 'warn';
      (quiet.transport as unknown as { silent: boolean }).silent = true;
      const logger: winston.Logger = new SharedLevelsLogger({ level: 'debug', format: dropSecret(), transports: [all.transport, warnings.transport, formatted.transport, quiet.transport], defaultMeta: { runId: 'r' }, direct });
      logger.info('one', { n: 1 });
      logger.log('debug', 'two');
      logger.log({ level: 'warn', message: 'three' });
      logger.error('dropped by the format', { secret: true });
      logger.child({ step: 's' }).warn('four');
      logger.log('error', 'five %s', 'x');
      logger.silly('below the logger\'s level');
      return [all.lines, warnings.lines, formatted.lines, quiet.lines].map((lines) => lines.map((line) => ({ ...line })));
    };
    const streamed = entriesOf(false);
    const direct = entriesOf(true);
    expect(direct).toEqual(streamed);
    expect(direct[0]?.map((l) => l['message'])).toEqual(['one', 'two', 'three', 'four', 'five %s']);
    expect(direct[1]?.map((l) => l['message'])).toEqual(['three', 'four', 'five %s']);
    expect(direct[2]?.every((l) => l['via'] === 'formatted')).toBe(true);
    expect(direct[0]?.some((l) => 'via' in l)).toBe(false);
    expect(direct[3]).toEqual([]);
  });

  it('with direct, still ends like a winston logger: the transports finish, and an entry after the end is refused', async () => {
    const sink = collecting();
    const logger: winston.Logger = new SharedLevelsLogger({ level: 'debug', transports: [sink.transport], direct: true });
    logger.info('before');
    const finished = new Promise<void>((resolve) => sink.transport.once('finish', () => resolve()));
    const failed = new Promise<Error>((resolve) => logger.once('error', resolve));
    logger.end();
    await finished;
    logger.info('after');
    expect((await failed).message).toMatch(/write after end/);
    expect(sink.lines.map((l) => l['message'])).toEqual(['before']);
  });
});
