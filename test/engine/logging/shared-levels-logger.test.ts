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
});
