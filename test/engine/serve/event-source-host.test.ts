import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../engine/logging/redactor.js';
import type { EventSourceContext, EventSourceProvider } from '../../../engine/plugin-api/pack.js';
import type { EventResponse } from '../../../engine/serve/event-intake.js';
import { CursorStore, EventSourceHost, resolveEventSources } from '../../../engine/serve/event-source-host.js';
import type { IncomingEvent } from '../../../engine/serve/trigger-matching.js';
import { createServeLogger } from '../../../engine/serve/serve-logger.js';

function world() {
  const lines: string[] = [];
  const logger = createServeLogger(new Writable({ write: (c, _e, cb) => { lines.push(String(c)); cb(); } }), new Redactor());
  const accepted: Array<IncomingEvent & { via: string }> = [];
  const intake = {
    async accept(event: IncomingEvent, via: 'webhook' | 'event-source'): Promise<EventResponse> {
      accepted.push({ ...event, via });
      return { event: event.name, id: event.id, source: event.source, duplicate: false, runs: [], queued: [], skipped: [] };
    },
  };
  const cursors = new CursorStore(mkdtempSync(join(tmpdir(), 'idflow-sources-')));
  return { lines, logger, accepted, intake, cursors };
}

/** A provider whose runs are scripted: each run gets the next function (the last one repeats). */
function provider(type: string, runs: Array<(ctx: EventSourceContext) => Promise<void>>): EventSourceProvider & { contexts: EventSourceContext[] } {
  const contexts: EventSourceContext[] = [];
  return {
    type,
    description: 'test source',
    contexts,
    run(ctx) {
      contexts.push(ctx);
      return (runs[Math.min(contexts.length, runs.length) - 1] as (c: EventSourceContext) => Promise<void>)(ctx);
    },
  };
}

// Resolves at once when the host stopped the source before it got here (e.g. during its emit).
const untilStopped = (ctx: EventSourceContext): Promise<void> => new Promise((resolve) => {
  if (ctx.signal.aborted) resolve();
  else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
});

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('resolveEventSources', () => {
  it('matches configured sources with the loaded providers; an unknown type (with "did you mean") or a repeated name is a problem at its place', () => {
    const known = provider('jumpcloud.directory_insights', [untilStopped]);
    const at = (pointer: string) => (pointer === '/event_sources/1/type' ? { line: 7, column: 11, length: 26 } : pointer === '/event_sources/2/name' ? { line: 9, column: 11, length: 2 } : undefined);
    const { sources, problems } = resolveEventSources([
      { type: 'jumpcloud.directory_insights', name: 'di' },
      { type: 'jumpcloud.directory_insight' },
      { type: 'jumpcloud.directory_insights', name: 'di' },
      { type: 'nowhere.source', enabled: false },
    ], [known], { file: 'idflow.config.yaml', locate: at });
    expect(sources.map((s) => s.name)).toEqual(['di']);
    expect(problems.map((p) => [p.file, p.line, p.column, p.code, p.severity])).toEqual([
      ['idflow.config.yaml', 7, 11, 'unknown-event-source', 'error'],
      ['idflow.config.yaml', 9, 11, 'duplicate-event-source', 'error'],
    ]);
    expect(problems[0]?.message).toBe('no loaded plugin pack provides the event source type "jumpcloud.directory_insight" (known: jumpcloud.directory_insights)');
    expect(problems[0]?.suggestion).toContain('jumpcloud.directory_insights');
  });
});

describe('EventSourceHost', () => {
  it('hands emitted events to the intake, leaves out malformed ones, stores the cursor after them, and gives it back on the next start', async () => {
    const { lines, logger, accepted, intake, cursors } = world();
    const source = provider('test.feed', [async (ctx) => {
      await ctx.emit([
        { name: 'test.user.suspended', id: 'e1', payload: { user: 'ann' } },
        { name: 'not a name', id: 'e2', payload: {} },
        { name: 'test.user.created', id: 'e3', payload: { user: 'bob' } },
      ], { page: 2 });
      await untilStopped(ctx);
    }]);
    const host = new EventSourceHost({ sources: [{ name: 'feed', provider: source, options: { type: 'test.feed' } }], connections: { get: () => undefined }, sandbox: false, cursors, intake, logger });
    host.start();
    await until(() => cursors.get('feed') !== undefined, 'the cursor');
    await host.stop();
    expect(source.contexts[0]?.cursor).toBeUndefined();
    expect(source.contexts[0]?.sandbox).toBe(false);
    expect(accepted).toEqual([
      { name: 'test.user.suspended', id: 'e1', source: 'feed', payload: { user: 'ann' }, via: 'event-source' },
      { name: 'test.user.created', id: 'e3', source: 'feed', payload: { user: 'bob' }, via: 'event-source' },
    ]);
    expect(cursors.get('feed')).toEqual({ page: 2 });
    expect(lines.join('')).toContain('[feed] left out an event the source handed over: bad name "not a name"');
    expect(lines.join('')).toContain('[feed] 2 of 3 events had no workflow listening');

    const again = new EventSourceHost({ sources: [{ name: 'feed', provider: source, options: { type: 'test.feed' } }], connections: { get: () => undefined }, sandbox: false, cursors, intake, logger });
    again.start();
    await until(() => source.contexts.length === 2, 'the second start');
    await again.stop();
    expect(source.contexts[1]?.cursor).toEqual({ page: 2 });
  });

  it('restarts a source that fails, after a pause, and stops it on shutdown', async () => {
    const { lines, logger, intake, cursors } = world();
    const source = provider('test.flaky', [async () => { throw new Error('401 from the API'); }, untilStopped]);
    const host = new EventSourceHost({ sources: [{ name: 'flaky', provider: source, options: { type: 'test.flaky' } }], connections: { get: () => undefined }, sandbox: true, cursors, intake, logger, maxBackoffMs: 10 });
    host.start();
    await until(() => source.contexts.length === 2, 'the restart');
    await host.stop();
    expect(source.contexts.map((ctx) => ctx.sandbox)).toEqual([true, true]);
    expect(source.contexts[1]?.signal.aborted).toBe(true);
    const log = lines.join('');
    expect(log).toContain('[flaky] the event source failed: 401 from the API');
    expect(log).toContain('[flaky] event source stopped');
  });

  it('does not start a source whose stored cursor is damaged (it would skip or repeat events), and says how to fix it', async () => {
    const { lines, logger, intake, cursors } = world();
    mkdirSync(cursors.dir, { recursive: true });
    writeFileSync(join(cursors.dir, 'feed.json'), '{"cursor": ');
    const source = provider('test.feed', [untilStopped]);
    const host = new EventSourceHost({ sources: [{ name: 'feed', provider: source, options: { type: 'test.feed' } }], connections: { get: () => undefined }, sandbox: false, cursors, intake, logger, maxBackoffMs: 10 });
    host.start();
    await until(() => lines.join('').includes('is damaged'), 'the error');
    await host.stop();
    expect(source.contexts).toEqual([]);
    expect(lines.join('')).toContain(`[feed] the event source failed: the cursor file ${join(cursors.dir, 'feed.json')} is damaged`);
    expect(lines.join('')).toContain('remove it to start the source again from its "start" setting');
  });
});
