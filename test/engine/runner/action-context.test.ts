import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createActionContext, type ActionContextArgs } from '../../../engine/runner/action-context.js';
import { createRunLogger } from '../../../engine/logging/run-logger.js';
import { createTestServices } from './support/services.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function contextArgs(overrides: Partial<ActionContextArgs> = {}): { args: ActionContextArgs; logFile: string; close: () => Promise<void> } {
  const services = createTestServices();
  dirs.push(services.cwd);
  const logFile = join(services.cwd, 'log.jsonl');
  const runLogger = createRunLogger({ runId: 'r-1', workflowId: 'wf', logFile, redactor: services.redactor, console: { stream: services.console.stream, mode: 'silent' } });
  const args: ActionContextArgs = {
    runId: 'r-1',
    workflowId: 'wf',
    stepKey: 'notify[2]',
    attempt: 3,
    dryRun: false,
    signal: new AbortController().signal,
    logger: runLogger.logger,
    run: { id: 'r-1', startedAt: '2026-11-23T00:00:00.000Z', initiatedBy: 'me' },
    services,
    runDir: services.cwd,
    earlierChanges: [],
    onChange: () => undefined,
    claimSubject: async () => undefined,
    runWorkflow: async () => ({ runId: 'child', status: 'succeeded', changed: false, output: null }),
    scheduleTimer: async () => ({ id: 't', dueAt: '2026-11-24T00:00:00.000Z', replaced: [] }),
    ...overrides,
  };
  return { args, logFile, close: () => runLogger.close() };
}

describe('createActionContext', () => {
  it('makes the signal the first time the action reads it, once', () => {
    const made: AbortSignal[] = [];
    const { args } = contextArgs({
      signal: () => {
        const signal = new AbortController().signal;
        made.push(signal);
        return signal;
      },
    });
    const ctx = createActionContext(args);
    expect(made).toHaveLength(0);
    const first = ctx.signal;
    expect(ctx.signal).toBe(first);
    expect(made).toEqual([first]);
  });

  it('takes a signal as it is', () => {
    const signal = new AbortController().signal;
    const { args } = contextArgs({ signal });
    expect(createActionContext(args).signal).toBe(signal);
  });

  it('gives the folders, and creates the outbox only when the action asks for it', () => {
    const { args } = contextArgs();
    const ctx = createActionContext(args);
    const outbox = join(args.services.store.root, 'outbox');
    expect(ctx.paths).toBe(ctx.paths);
    expect(ctx.paths).toMatchObject({ store: args.services.store.root, run: args.runDir, cwd: args.services.cwd });
    expect(existsSync(outbox)).toBe(false);
    expect(ctx.paths.outbox).toBe(outbox);
    expect(existsSync(outbox)).toBe(true);
  });

  it('records changes for this attempt after the earlier ones, normalising the result', () => {
    const recorded: unknown[] = [];
    const earlier = [{ target: 'group a', operation: 'remove', result: 'changed' as const }];
    const { args } = contextArgs({ earlierChanges: earlier, onChange: (change) => recorded.push(change) });
    const ctx = createActionContext(args);
    ctx.changes.record({ target: 'group b', operation: 'remove' });
    expect(recorded).toEqual([{ target: 'group b', operation: 'remove', result: 'changed' }]);
    expect(ctx.changes.all()).toEqual([...earlier, { target: 'group b', operation: 'remove', result: 'changed' }]);
    expect(ctx.changes.earlier()).toEqual(earlier);
    expect(() => ctx.changes.record({ operation: 'remove' } as never)).toThrow('Step "notify[2]": ctx.changes.record() needs { target: string, operation: string, ... }');
  });

  it("logs the action's lines with the step, the attempt and source: action", async () => {
    const { args, logFile, close } = contextArgs();
    const ctx = createActionContext(args);
    expect(ctx.logger).toBe(ctx.logger);
    ctx.logger.info('reading the user', { user: 'u1' });
    ctx.logger.warn('no manager');
    await close();
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', message: 'reading the user', user: 'u1', step: 'notify[2]', attempt: 3, source: 'action', runId: 'r-1' }),
      expect.objectContaining({ level: 'warn', message: 'no manager', step: 'notify[2]', attempt: 3, source: 'action' }),
    ]);
  });
});
