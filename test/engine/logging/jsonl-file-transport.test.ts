import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../../engine/logging/redactor.js';
import { createRunLogger } from '../../../engine/logging/run-logger.js';

/**
 * The run log's file transport writes each line through before `log()` returns (a performance
 * change that also keeps a killed run's log complete; see BENCHMARKS.md).
 */
describe('the run log file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'idflow-jsonl-transport-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds each line as soon as it is logged, before the logger is closed, readable only by its owner', async () => {
    const file = join(dir, 'log.jsonl');
    const run = createRunLogger({ runId: 'r1', workflowId: 'w', logFile: file, redactor: new Redactor(), console: { stream: new PassThrough(), mode: 'silent' } });
    run.logger.info('first', { n: 1 });
    // winston hands entries to transports within the same tick when nothing is buffered.
    await new Promise((resolve) => setImmediate(resolve));
    expect(readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([expect.objectContaining({ message: 'first', n: 1, level: 'info' })]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    run.logger.debug('second');
    await run.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    // Entries after close are dropped, not written and not thrown.
    run.logger.info('late');
    await new Promise((resolve) => setImmediate(resolve));
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('reports a file that cannot be written once on the console, and the run goes on', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const run = createRunLogger({ runId: 'r2', workflowId: 'w', logFile: join(dir, 'missing-folder', 'log.jsonl'), redactor: new Redactor(), console: { stream: out, mode: 'plain' } });
    run.logger.info('one');
    run.logger.info('two');
    await run.close();
    expect(text.match(/the run log could not be written/g)).toHaveLength(1);
    expect(text).toContain('ENOENT');
    expect(text).toContain('  one\n');
    expect(text).toContain('  two\n');
  });

  it('still writes entries JSON.stringify cannot: a cycle in the meta, a BigInt', async () => {
    const file = join(dir, 'log.jsonl');
    const run = createRunLogger({ runId: 'r3', workflowId: 'w', logFile: file, redactor: new Redactor(), console: { stream: new PassThrough(), mode: 'silent' } });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    run.logger.info('cycle', { cyclic });
    run.logger.info('big', { size: 12345678901234567890n });
    await run.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ message: 'cycle', cyclic: { name: 'loop', self: '[Circular]' } });
    expect(lines[1]).toMatchObject({ message: 'big', size: '12345678901234567890' });
  });
});
