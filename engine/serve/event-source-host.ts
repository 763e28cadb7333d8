import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Problem } from '../diagnostics/problem.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { EventSourceConfig } from '../config/index.js';
import { IdflowError } from '../errors/idflow-error.js';
import type { SourceLocation } from '../loader/source-map.js';
import type { ConnectionResolver } from '../plugin-api/context.js';
import type { EventSourceProvider, SourcedEvent } from '../plugin-api/pack.js';
import { sleep } from '../runner/sleep.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { makePrivateDir } from '../store/private-files.js';
import type { EventIntake } from './event-intake.js';
import { isEventName } from './event-name.js';
import type { ServeLogger } from './serve-logger.js';

/** A configured source, checked and matched with its provider. */
export interface HostedSource {
  name: string;
  provider: EventSourceProvider;
  options: EventSourceConfig;
}

/**
 * Matches `event_sources:` entries with the providers loaded packs offer. An unknown type (with
 * "did you mean"), or two sources with the same name, are problems: serve does not start.
 */
export function resolveEventSources(
  configs: readonly EventSourceConfig[],
  providers: readonly EventSourceProvider[],
  where: { file: string; locate?: (pointer: string) => SourceLocation | undefined },
): { sources: HostedSource[]; problems: Problem[] } {
  const byType = new Map(providers.map((provider) => [provider.type, provider]));
  const sources: HostedSource[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  configs.forEach((options, index) => {
    const place = (key: string): Pick<Problem, 'file' | 'line' | 'column' | 'path'> & { length?: number } => {
      const at = where.locate?.(`/event_sources/${index}/${key}`) ?? where.locate?.(`/event_sources/${index}`);
      return { file: where.file, line: at?.line ?? 0, column: at?.column ?? 0, ...(at ? { length: at.length } : {}), path: `/event_sources/${index}/${key}` };
    };
    const name = options.name ?? options.type;
    if (options.enabled === false) return;
    const provider = byType.get(options.type);
    if (provider === undefined) {
      const hint = didYouMean(options.type, byType.keys());
      problems.push({ ...place('type'), code: 'unknown-event-source', severity: 'error', message: `no loaded plugin pack provides the event source type "${options.type}"${byType.size === 0 ? '' : ` (known: ${[...byType.keys()].join(', ')})`}`, ...(hint === undefined ? {} : { suggestion: hint }) });
      return;
    }
    if (seen.has(name)) {
      problems.push({ ...place('name'), code: 'duplicate-event-source', severity: 'error', message: `two event sources are named "${name}"; give one a different name: (it keys the source's cursor and processed events)` });
      return;
    }
    seen.add(name);
    sources.push({ name, provider, options });
  });
  return { sources, problems };
}

/**
 * Where each event source's cursor is kept (`<store>/serve/cursors/<name>.json`), replaced
 * atomically together with the source's progress: a restart continues after the last batch
 * the source handed over, and the event records catch anything handed over twice.
 */
export class CursorStore {
  readonly dir: string;

  constructor(storeRoot: string) {
    this.dir = join(resolve(storeRoot), 'serve', 'cursors');
  }

  /**
   * The stored cursor of a source, or undefined when it has none yet.
   * @throws IdflowError `CURSOR_CORRUPT` when the file is damaged: starting the source afresh
   *   would silently skip or repeat events, so it is not started until someone decides.
   */
  get(name: string): unknown {
    const file = join(this.dir, `${name}.json`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw corruptCursor(file, (error as Error).message, error);
    }
    if (typeof value !== 'object' || value === null || !('cursor' in value)) throw corruptCursor(file, 'it holds no "cursor"');
    return value.cursor;
  }

  /** Stores a source's cursor (replaced atomically). */
  put(name: string, cursor: unknown): void {
    makePrivateDir(this.dir);
    writeFileAtomic(join(this.dir, `${name}.json`), `${JSON.stringify({ source: name, at: new Date().toISOString(), cursor }, null, 2)}\n`);
  }
}

/** What {@link EventSourceHost} needs. */
export interface EventSourceHostDeps {
  sources: readonly HostedSource[];
  connections: ConnectionResolver;
  /** Whether serve runs with `--sandbox` (handed to each source). */
  sandbox: boolean;
  cursors: CursorStore;
  /** Where emitted events go (only `accept` is used). */
  intake: Pick<EventIntake, 'accept'>;
  logger: ServeLogger;
  /** Longest wait before restarting a source that failed (default 60 s). */
  maxBackoffMs?: number;
}

/**
 * Runs each configured event source (a plugin's {@link EventSourceProvider}) until shutdown:
 * gives it its stored cursor and an `emit` that accepts events exactly once through the
 * {@link EventIntake} and then stores the cursor; restarts a source that fails or returns, after
 * a growing pause (1 s, 2 s, 4 s, … up to a minute), from the stored cursor.
 */
export class EventSourceHost {
  private readonly controller = new AbortController();
  private readonly loops: Array<Promise<void>> = [];

  constructor(private readonly deps: EventSourceHostDeps) {}

  /** Starts every source in the background (each restarts on failure until {@link stop}). */
  start(): void {
    for (const source of this.deps.sources) this.loops.push(this.loop(source));
  }

  /** Stops every source and waits (at most `waitMs`) for them to return. */
  async stop(waitMs = 10_000): Promise<void> {
    this.controller.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.loops), new Promise<void>((r) => { timer = setTimeout(r, waitMs); })]);
    clearTimeout(timer);
  }

  private async loop(source: HostedSource): Promise<void> {
    const { deps } = this;
    const logger = deps.logger.child(source.name);
    const signal = this.controller.signal;
    let failures = 0;
    while (!signal.aborted) {
      const startedAt = Date.now();
      try {
        logger.info(`event source ${source.provider.type} started`);
        await source.provider.run({
          signal,
          connection: (name) => deps.connections.get(name),
          sandbox: deps.sandbox,
          cursor: deps.cursors.get(source.name),
          emit: (events, cursor) => this.emit(source, events, cursor),
          logger,
        }, { ...source.options });
        if (signal.aborted) break;
        logger.warn('the event source returned on its own; restarting it');
      } catch (error) {
        if (signal.aborted) break;
        logger.error(`the event source failed: ${(error as Error).message}`);
      }
      failures = Date.now() - startedAt > 60_000 ? 1 : failures + 1;
      const pause = Math.min(deps.maxBackoffMs ?? 60_000, 1000 * 2 ** (failures - 1));
      logger.info(`restarting in ${Math.round(pause / 1000)}s`);
      await sleep(pause, signal).catch(() => undefined); // shutdown ends the pause early
    }
    logger.info('event source stopped');
  }

  private async emit(source: HostedSource, events: readonly SourcedEvent[], cursor: unknown): Promise<void> {
    const logger = this.deps.logger.child(source.name);
    let unheard = 0;
    for (const event of events) {
      const problem = checkEvent(event);
      if (problem !== undefined) {
        logger.error(`left out an event the source handed over: ${problem}`);
        continue;
      }
      const response = await this.deps.intake.accept({ name: event.name, id: event.id, source: source.name, payload: event.payload }, 'event-source');
      if (response.runs.length === 0 && response.queued.length === 0 && response.skipped.length === 0) unheard++;
    }
    if (unheard > 0) logger.info(`${unheard} of ${events.length} event${events.length === 1 ? '' : 's'} had no workflow listening`);
    this.deps.cursors.put(source.name, cursor);
  }
}

function corruptCursor(file: string, why: string, cause?: unknown): IdflowError {
  return new IdflowError('CURSOR_CORRUPT', `the cursor file ${file} is damaged (${why}); fix it, or remove it to start the source again from its "start" setting`, { cause });
}

function checkEvent(event: SourcedEvent): string | undefined {
  if (typeof event !== 'object' || event === null) return 'not an object';
  if (!isEventName(event.name)) return `bad name ${JSON.stringify(event.name)}`;
  if (typeof event.id !== 'string' || event.id.trim() === '' || event.id.length > 500) return `bad id ${JSON.stringify(event.id)} for ${event.name}`;
  if (typeof event.payload !== 'object' || event.payload === null || Array.isArray(event.payload)) return `the payload of ${event.name} (${event.id}) is not an object`;
  return undefined;
}
