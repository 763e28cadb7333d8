import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IdflowError } from '../errors/idflow-error.js';
import type { Redactor } from '../logging/redactor.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { makePrivateDir } from '../store/private-files.js';

/** Source names (webhook sources and event sources): also folder names. */
const SOURCE_NAME = /^[a-z][a-z0-9_.-]*$/;

/** What serve keeps of an accepted event: enough to answer a repeat and to finish after a restart. */
export interface EventRecord {
  /** The webhook source (first segment of the name) or the event source's name. */
  source: string;
  /** The event's id (unique per source). */
  id: string;
  /** The event name, e.g. `hr.employee.terminated`. */
  event: string;
  via: 'webhook' | 'event-source';
  receivedAt: string;
  /** The event body (known secrets redacted). */
  payload: Record<string, unknown>;
  /** Runs started for it. */
  runs: Array<{ workflow: string; runId: string }>;
  /** Workflows it did not start, and why (disabled, `if` false, bad inputs, subject locked, …). */
  skipped: Array<{ workflow: string; reason: string }>;
  /** Workflows it matched whose run has not started yet (waiting for a free slot, or serve stopped first). */
  pending: string[];
  /** When no workflow has a trigger for the event: why nothing ran. */
  reason?: string;
}

/**
 * Accepted events, one file each (`<store>/serve/events/<source>/<sha256 of id>.json`): the
 * record of exactly-once processing. Creating the file is the acceptance: it is created
 * complete and exclusively (a temporary file hard-linked to its name, which fails when the name
 * exists), so a repeated event id is recognised even across restarts and two deliveries racing
 * each other, and no reader ever sees half a record.
 */
export class EventInbox {
  /** `<store>/serve/events` (absolute). */
  readonly dir: string;

  constructor(storeRoot: string, private readonly redactor?: Redactor) {
    this.dir = join(resolve(storeRoot), 'serve', 'events');
  }

  /**
   * Records a new event, unless its id was accepted before.
   * @returns the new record, or the earlier one when the id is a repeat.
   */
  create(record: EventRecord): { created: true; record: EventRecord } | { created: false; existing: EventRecord } {
    const path = this.pathOf(record.source, record.id);
    makePrivateDir(join(this.dir, record.source));
    const safe = this.redact(record);
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(safe, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    try {
      linkSync(temporary, path);
      return { created: true, record: safe };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return { created: false, existing: this.read(path) };
    } finally {
      rmSync(temporary, { force: true });
    }
  }

  /** The record of an event, if it was accepted. */
  get(source: string, id: string): EventRecord | undefined {
    try {
      return this.read(this.pathOf(source, id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Changes a record (serve is the only writer of its store: one serve per store). */
  update(source: string, id: string, change: (record: EventRecord) => EventRecord): EventRecord {
    const path = this.pathOf(source, id);
    const next = this.redact(change(this.read(path)));
    writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
    return next;
  }

  /** Records with runs still to start (after a restart). */
  withPending(onUnreadable?: (file: string, error: Error) => void): EventRecord[] {
    const found: EventRecord[] = [];
    for (const { record } of this.records(onUnreadable)) if (record.pending.length > 0) found.push(record);
    return found.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
  }

  /**
   * Removes the records of events received before `before` that owe no run any more, so that
   * the inbox (and the start-up scan of {@link withPending}) does not grow forever. A repeat of
   * a removed event's id is then accepted as new: `before` is the edge of the dedupe window.
   *
   * @returns how many records were removed.
   */
  prune(before: Date, onUnreadable?: (file: string, error: Error) => void): number {
    const edge = before.toISOString();
    let removed = 0;
    for (const { file, record } of this.records(onUnreadable)) {
      if (record.receivedAt >= edge || record.pending.length > 0) continue;
      rmSync(file, { force: true });
      removed++;
    }
    return removed;
  }

  /** Every readable record, with its file; unreadable ones are reported and left alone. */
  private *records(onUnreadable?: (file: string, error: Error) => void): Generator<{ file: string; record: EventRecord }> {
    let sources: string[];
    try {
      sources = readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const source of sources.filter((name) => SOURCE_NAME.test(name))) {
      for (const name of readdirSync(join(this.dir, source)).filter((n) => n.endsWith('.json'))) {
        const file = join(this.dir, source, name);
        let record: EventRecord;
        try {
          record = this.read(file);
        } catch (error) {
          onUnreadable?.(file, error as Error);
          continue;
        }
        yield { file, record };
      }
    }
  }

  private pathOf(source: string, id: string): string {
    if (!SOURCE_NAME.test(source)) throw new IdflowError('INVALID_SOURCE', `"${source}" is not a source name (lower-case letters, digits, "_", "-", ".")`);
    return join(this.dir, source, `${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 40)}.json`);
  }

  private read(path: string): EventRecord {
    const text = readFileSync(path, 'utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new IdflowError('EVENT_RECORD_CORRUPT', `${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    if (!isEventRecord(value)) throw new IdflowError('EVENT_RECORD_CORRUPT', `${path} is not an event record (it needs source, id, event, receivedAt, runs, skipped and pending)`);
    return value;
  }

  private redact(record: EventRecord): EventRecord {
    return this.redactor === undefined ? record : this.redactor.redactDeep(record);
  }
}

function isEventRecord(value: unknown): value is EventRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<EventRecord>;
  return typeof record.source === 'string' && typeof record.id === 'string' && typeof record.event === 'string' && typeof record.receivedAt === 'string'
    && Array.isArray(record.runs) && Array.isArray(record.skipped) && Array.isArray(record.pending);
}
