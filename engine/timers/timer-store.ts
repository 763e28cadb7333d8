import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { IdflowError } from '../errors/idflow-error.js';
import { AmbiguousError, ConflictError, NotFoundError } from '../errors/action-errors.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { makePrivateDir } from '../store/private-files.js';
import type { Durability } from '../store/durability.js';
import { withFileLock } from './timer-lock.js';
import { isSandboxTimer, TIMER_STATES, type TimerRecord, type TimerState } from './timer-record.js';

/** A timer to record, already checked (see `createTimerScheduler`). */
export interface NewTimer {
  key: string;
  action: string;
  params: Record<string, unknown>;
  description: string;
  /** ISO-8601. */
  dueAt: string;
  scheduledBy: TimerRecord['scheduledBy'];
  /** Scheduled by a sandbox run (see {@link TimerRecord.sandbox}). */
  sandbox?: boolean;
}

/** What {@link TimerStore.place} did. */
export interface PlacedTimer {
  /** The timer now pending for the key: the new one, or the one kept. */
  timer: TimerRecord;
  /** The pending timers it replaced (cancelled). */
  replaced: string[];
  /** True when the same timer was already pending and is kept (nothing was written). */
  kept: boolean;
}

/** Which timers {@link TimerStore.list} returns. */
export interface TimerFilter {
  /** Only timers in these states (default: all). */
  states?: readonly TimerState[];
  /** Told about a timer file that cannot be read (it is left out). */
  onUnreadable?: (file: string, error: Error) => void;
}

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ID_PATTERN = /^tm-[0-9]{8}-[a-z0-9]{8}$/;
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * The durable timer store: one JSON file per timer in `<store>/timers/`, each replaced
 * atomically, so a timer survives restarts and any process (`idflow run` scheduling,
 * `idflow serve` firing, `idflow timers cancel`) sees whole records. Every state change is a
 * read-modify-write under a per-timer lock file, so two processes never both move a timer on
 * from the same state (e.g. fire it twice, or fire one that was just cancelled).
 */
export class TimerStore {
  /** `<store>/timers` (absolute). */
  readonly dir: string;
  private readonly durability: Durability;
  private readonly now: () => Date;

  /**
   * @param storeRoot - the run store's folder.
   * @param options.now - the clock (tests move it forward).
   */
  constructor(storeRoot: string, options: { durability?: Durability; now?: () => Date } = {}) {
    this.dir = join(resolve(storeRoot), 'timers');
    this.durability = options.durability ?? 'write';
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Records a pending timer. A pending timer with the same `key` that is not being fired is
   * cancelled as replaced by the new one (a run that schedules the deletion again after a
   * resume or a second offboarding keeps one timer, with the latest due time); a sandbox
   * run's timer never replaces a real one, nor the other way round.
   */
  schedule(timer: NewTimer): TimerRecord {
    return this.place(timer).timer;
  }

  /**
   * Like {@link TimerStore.schedule}, but keeps a pending timer that is the same one (same key,
   * action and parameters, not being fired, and the same due time, or any due time with
   * `keepDue`) instead of replacing it by a copy: a retried, resumed or repeated step then finds
   * its timer and schedules nothing twice.
   */
  place(timer: NewTimer, options: { keepDue?: boolean } = {}): PlacedTimer {
    const sandbox = timer.sandbox === true;
    const dueAt = new Date(timer.dueAt).toISOString();
    const same = this.pendingFor(timer.key, sandbox).find((older) => older.action === timer.action
      && isDeepStrictEqual(older.params, timer.params) && (options.keepDue === true || older.dueAt === dueAt));
    if (same !== undefined) return { timer: same, replaced: [], kept: true };
    makePrivateDir(this.dir);
    const createdAt = this.now().toISOString();
    const id = this.newId();
    const record: TimerRecord = {
      id,
      key: timer.key,
      action: timer.action,
      params: timer.params,
      description: timer.description,
      dueAt,
      state: 'pending',
      createdAt,
      scheduledBy: timer.scheduledBy,
      ...(sandbox ? { sandbox: true as const } : {}),
    };
    // Written before the older one is cancelled: a crash in between leaves two pending timers
    // rather than none, and the next schedule of the key cleans up.
    this.write(record);
    const replaced: string[] = [];
    for (const older of this.pendingFor(timer.key, sandbox)) {
      if (older.id === id) continue;
      const after = this.update(older.id, (current) => (current.state === 'pending' && current.runId === undefined
        ? { ...current, state: 'cancelled', finishedAt: createdAt, reason: `replaced by timer ${id}`, replacedBy: id }
        : current));
      if (after.replacedBy === id) replaced.push(older.id);
    }
    return { timer: record, replaced, kept: false };
  }

  /**
   * The pending timers with this key, of the same mode (sandbox or not), that are not being fired:
   * the ones scheduling the key again replaces or keeps; oldest first.
   */
  pendingFor(key: string, sandbox: boolean): TimerRecord[] {
    return this.list({ states: ['pending'] })
      .filter((timer) => timer.key === key && timer.runId === undefined && isSandboxTimer(timer) === sandbox)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  /**
   * A timer by id or unique id prefix.
   * @throws NotFoundError; AmbiguousError listing the matches.
   */
  get(idOrPrefix: string): TimerRecord {
    return this.read(this.resolveId(idOrPrefix));
  }

  /** Timers, soonest due first. */
  list(filter: TimerFilter = {}): TimerRecord[] {
    const timers: TimerRecord[] = [];
    for (const id of this.ids()) {
      let timer: TimerRecord;
      try {
        timer = this.read(id);
      } catch (error) {
        filter.onUnreadable?.(join(this.dir, `${id}.json`), error as Error);
        continue;
      }
      if (filter.states !== undefined && !filter.states.includes(timer.state)) continue;
      timers.push(timer);
    }
    return timers.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : 1));
  }

  /** Pending timers due at `now` (default: the store's clock), soonest first. */
  due(now: Date = this.now()): TimerRecord[] {
    const at = now.getTime();
    return this.list({ states: ['pending'] }).filter((timer) => Date.parse(timer.dueAt) <= at);
  }

  /**
   * Cancels a pending timer.
   * @throws NotFoundError; ConflictError `TIMER_NOT_PENDING` when it already ended, or
   *   `TIMER_FIRING` while its run is under way.
   */
  cancel(idOrPrefix: string, reason: string): TimerRecord {
    const id = this.resolveId(idOrPrefix);
    return this.update(id, (current) => {
      if (current.state !== 'pending') throw new ConflictError(`Timer ${id} is ${current.state}, not pending; only pending timers can be cancelled`, { code: 'TIMER_NOT_PENDING', details: { timerId: id, state: current.state } });
      if (current.runId !== undefined) throw new ConflictError(`Timer ${id} is being fired by run ${current.runId}; it can no longer be cancelled`, { code: 'TIMER_FIRING', details: { timerId: id, runId: current.runId } });
      return { ...current, state: 'cancelled', finishedAt: this.now().toISOString(), reason };
    });
  }

  /**
   * Claims a due, pending timer for firing (records `firingAt`). Returns undefined when it is
   * no longer pending (cancelled or fired meanwhile by someone else), so the caller leaves it.
   */
  claim(id: string): TimerRecord | undefined {
    let claimed: TimerRecord | undefined;
    this.update(id, (current) => {
      if (current.state !== 'pending') return current;
      claimed = { ...current, firingAt: this.now().toISOString() };
      return claimed;
    });
    return claimed;
  }

  /** Records the run that fires the timer (as soon as the run exists). */
  recordRun(id: string, runId: string): TimerRecord {
    return this.update(id, (current) => ({ ...current, runId }));
  }

  /**
   * Lets go of a claim without firing (the run could not start yet, e.g. its action is not
   * loaded): the timer stays pending for the next check.
   */
  release(id: string): TimerRecord {
    return this.update(id, (current) => {
      const { firingAt: _firingAt, ...rest } = current;
      return current.state === 'pending' && current.runId === undefined ? rest : current;
    });
  }

  /**
   * Moves a pending timer to its final state.
   * @throws ConflictError `TIMER_NOT_PENDING` when it already ended.
   */
  finish(id: string, state: 'fired' | 'skipped' | 'failed', details: { runId?: string; reason?: string } = {}): TimerRecord {
    return this.update(id, (current) => {
      if (current.state !== 'pending') throw new ConflictError(`Timer ${id} is already ${current.state}`, { code: 'TIMER_NOT_PENDING', details: { timerId: id, state: current.state } });
      return {
        ...current,
        state,
        finishedAt: this.now().toISOString(),
        ...(details.runId === undefined ? {} : { runId: details.runId }),
        ...(details.reason === undefined ? {} : { reason: details.reason }),
      };
    });
  }

  // ------------------------------------------------------------------ files

  private update(id: string, change: (current: TimerRecord) => TimerRecord): TimerRecord {
    return withFileLock(join(this.dir, `.${id}.lock`), () => {
      const current = this.read(id);
      const next = change(current);
      if (next !== current) this.write(next);
      return next;
    });
  }

  private write(record: TimerRecord): void {
    writeFileAtomic(join(this.dir, `${record.id}.json`), `${JSON.stringify(record, null, 2)}\n`, this.durability);
  }

  private read(id: string): TimerRecord {
    let text: string;
    try {
      text = readFileSync(join(this.dir, `${id}.json`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(id);
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new IdflowError('TIMER_CORRUPT', `The timer file ${join(this.dir, `${id}.json`)} is not valid JSON: ${(error as Error).message}`, { cause: error, details: { timerId: id } });
    }
    if (!isTimerRecord(value)) throw new IdflowError('TIMER_CORRUPT', `The timer file ${join(this.dir, `${id}.json`)} is not a timer record`, { details: { timerId: id } });
    return value;
  }

  private resolveId(idOrPrefix: string): string {
    const wanted = idOrPrefix.trim();
    if (!PREFIX_PATTERN.test(wanted)) throw notFound(idOrPrefix);
    const ids = this.ids();
    if (ids.includes(wanted)) return wanted;
    const matches = ids.filter((id) => id.startsWith(wanted));
    if (matches.length === 0) throw notFound(idOrPrefix);
    if (matches.length > 1) throw new AmbiguousError(`Timer id "${idOrPrefix}" matches ${matches.length} timers; give more of the id`, matches.sort().slice(0, 10));
    return matches[0] as string;
  }

  private ids(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names.filter((name) => name.endsWith('.json') && ID_PATTERN.test(name.slice(0, -5))).map((name) => name.slice(0, -5));
  }

  private newId(): string {
    const day = this.now().toISOString().slice(0, 10).replaceAll('-', '');
    for (;;) {
      let random = '';
      for (let i = 0; i < 8; i++) random += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
      const id = `tm-${day}-${random}`;
      if (!this.ids().includes(id)) return id;
    }
  }
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No timer with id "${id}"; "idflow timers list --all" lists them`, { details: { timerId: id } });
}

function isTimerRecord(value: unknown): value is TimerRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<TimerRecord>;
  return typeof record.id === 'string' && typeof record.key === 'string' && typeof record.action === 'string'
    && typeof record.dueAt === 'string' && typeof record.state === 'string' && (TIMER_STATES as readonly string[]).includes(record.state)
    && typeof record.params === 'object' && record.params !== null;
}
