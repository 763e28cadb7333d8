import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SubjectLockedError } from '../../../engine/errors/usage-errors.js';
import { acquireSubjectLock, lockFileFor, normaliseSubject, removeStaleSubjectLocks } from '../../../engine/store/subject-lock.js';
import { deadPid, startChild, type JsonChild } from './child-process-helpers.js';

let locksDir: string;
beforeEach(() => {
  locksDir = join(mkdtempSync(join(tmpdir(), 'idflow-locks-')), 'locks');
  mkdirSync(locksDir);
});
afterEach(() => rmSync(join(locksDir, '..'), { recursive: true, force: true }));

function lockRecord(subject: string): Record<string, unknown> {
  return JSON.parse(readFileSync(lockFileFor(locksDir, subject), 'utf8')) as Record<string, unknown>;
}

describe('acquireSubjectLock within one process', () => {
  it('makes the locks folder when it is missing, also when it was removed after an earlier lock', () => {
    rmSync(locksDir, { recursive: true, force: true });
    const first = acquireSubjectLock(locksDir, 'a@example.com', 'run-a');
    expect(existsSync(lockFileFor(locksDir, 'a@example.com'))).toBe(true);
    first.release();
    rmSync(locksDir, { recursive: true, force: true });
    const second = acquireSubjectLock(join(locksDir, 'nested'), 'b@example.com', 'run-b');
    expect(existsSync(lockFileFor(join(locksDir, 'nested'), 'b@example.com'))).toBe(true);
    second.release();
    expect(readdirSync(join(locksDir, 'nested'))).toEqual([]);
  });

  it('writes a lock file named by the normalised subject, holding who holds it', () => {
    const lock = acquireSubjectLock(locksDir, ' John.Smith@Example.com ', 'run-a');
    expect(normaliseSubject(' John.Smith@Example.com ')).toBe('john.smith@example.com');
    expect(lockFileFor(locksDir, 'john.smith@example.com')).toBe(lockFileFor(locksDir, ' John.Smith@Example.com '));
    expect(lockRecord('john.smith@example.com')).toMatchObject({ subject: ' John.Smith@Example.com ', runId: 'run-a', pid: process.pid, hostname: hostname() });
    expect(typeof lockRecord('john.smith@example.com')['at']).toBe('string');
    lock.release();
    expect(existsSync(lockFileFor(locksDir, 'john.smith@example.com'))).toBe(false);
    // No temporary files are left behind.
    expect(readdirSync(locksDir)).toEqual([]);
  });

  it('refuses a second run for the same subject, naming the run that holds it', () => {
    const lock = acquireSubjectLock(locksDir, 'john@example.com', 'run-a');
    let thrown: unknown;
    try {
      acquireSubjectLock(locksDir, 'JOHN@example.com', 'run-b');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SubjectLockedError);
    expect((thrown as SubjectLockedError).code).toBe('SUBJECT_LOCKED');
    expect((thrown as SubjectLockedError).message).toContain('run-a');
    expect((thrown as SubjectLockedError).details).toEqual({ subject: 'JOHN@example.com', heldBy: 'run-a' });
    // Other subjects are independent.
    acquireSubjectLock(locksDir, 'jane@example.com', 'run-b').release();
    lock.release();
    // Free again once released.
    acquireSubjectLock(locksDir, 'john@example.com', 'run-b').release();
  });

  it('is re-entrant for the same run and keeps the lock until every hold is released', () => {
    const first = acquireSubjectLock(locksDir, 'john@example.com', 'run-a');
    const second = acquireSubjectLock(locksDir, 'john@example.com', 'run-a');
    first.release();
    expect(() => acquireSubjectLock(locksDir, 'john@example.com', 'run-b')).toThrow(SubjectLockedError);
    second.release();
    acquireSubjectLock(locksDir, 'john@example.com', 'run-b').release();
  });

  it('release is idempotent and never removes a lock that is no longer this run\'s', () => {
    const lock = acquireSubjectLock(locksDir, 'john@example.com', 'run-a');
    lock.release();
    const other = acquireSubjectLock(locksDir, 'john@example.com', 'run-b');
    lock.release();
    expect(lockRecord('john@example.com')['runId']).toBe('run-b');
    other.release();
    other.release();
    expect(existsSync(lockFileFor(locksDir, 'john@example.com'))).toBe(false);
  });

  it('a release that cannot read the lock file (no file descriptor left, say) does not throw, and removes it once it can', async () => {
    const lock = acquireSubjectLock(locksDir, 'e@example.com', 'run-e');
    const path = lockFileFor(locksDir, 'e@example.com');
    const content = readFileSync(path, 'utf8');
    // The lock file cannot be read for a moment (here: something else is at its name).
    rmSync(path);
    mkdirSync(path);
    expect(() => lock.release()).not.toThrow();
    rmSync(path, { recursive: true });
    writeFileSync(path, content);
    const deadline = Date.now() + 5_000;
    while (existsSync(path) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(path)).toBe(false);
    // The subject is free for another run.
    acquireSubjectLock(locksDir, 'e@example.com', 'run-f').release();
  });

  it('takes over a lock whose process is dead', async () => {
    const pid = await deadPid();
    writeFileSync(lockFileFor(locksDir, 'john@example.com'), JSON.stringify({ subject: 'john@example.com', runId: 'run-dead', pid, hostname: hostname(), at: new Date().toISOString(), nonce: 'n1' }));
    const lock = acquireSubjectLock(locksDir, 'john@example.com', 'run-new');
    expect(lockRecord('john@example.com')).toMatchObject({ runId: 'run-new', pid: process.pid });
    lock.release();
    expect(readdirSync(locksDir)).toEqual([]);
  });

  it('skips a takeover claim left by a process that died mid-takeover', async () => {
    const file = lockFileFor(locksDir, 'john@example.com');
    writeFileSync(file, JSON.stringify({ subject: 'john@example.com', runId: 'run-dead', pid: await deadPid(), hostname: hostname(), at: new Date().toISOString(), nonce: 'g1' }));
    writeFileSync(`${file}.takeover-g1-0`, JSON.stringify({ pid: await deadPid(), hostname: hostname(), at: new Date().toISOString() }));
    const lock = acquireSubjectLock(locksDir, 'john@example.com', 'run-new');
    expect(lockRecord('john@example.com')['runId']).toBe('run-new');
    lock.release();
    expect(readdirSync(locksDir)).toEqual([]);
  });

  it('does not take over a lock held by another host', () => {
    writeFileSync(lockFileFor(locksDir, 'john@example.com'), JSON.stringify({ subject: 'john@example.com', runId: 'run-far', pid: 1, hostname: `not-${hostname()}`, at: new Date().toISOString(), nonce: 'n2' }));
    expect(() => acquireSubjectLock(locksDir, 'john@example.com', 'run-new')).toThrow(/run-far/);
  });

  it('rejects an empty subject with a clear error', () => {
    expect(() => acquireSubjectLock(locksDir, '   ', 'run-a')).toThrow(/subject is empty/);
  });
});

describe('acquireSubjectLock across processes', () => {
  const children: JsonChild[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  });
  async function child(): Promise<JsonChild> {
    const started = startChild('lock-child.mjs');
    children.push(started);
    expect(await started.next()).toMatchObject({ ready: true });
    return started;
  }

  it('refuses a second process while the first holds the subject, and frees it on release', async () => {
    const [a, b] = await Promise.all([child(), child()]);
    a.send(`acquire ${locksDir} john@example.com run-a`);
    expect(await a.next()).toMatchObject({ ok: true });
    b.send(`acquire ${locksDir} JOHN@EXAMPLE.COM run-b`);
    expect(await b.next()).toMatchObject({ ok: false, code: 'SUBJECT_LOCKED', heldBy: 'run-a' });
    // This process is refused too.
    expect(() => acquireSubjectLock(locksDir, 'john@example.com', 'run-c')).toThrow(SubjectLockedError);
    a.send('release');
    expect(await a.next()).toMatchObject({ released: true });
    b.send(`acquire ${locksDir} john@example.com run-b`);
    expect(await b.next()).toMatchObject({ ok: true });
  });

  it('takes over the lock of a killed process; the same run resuming takes it back', async () => {
    const a = await child();
    a.send(`acquire ${locksDir} john@example.com run-a`);
    expect(await a.next()).toMatchObject({ ok: true });
    a.process.kill('SIGKILL');
    await a.exited;
    // A resumed run-a (new process) gets its own stale lock back.
    const lock = acquireSubjectLock(locksDir, 'john@example.com', 'run-a');
    expect(lockRecord('john@example.com')).toMatchObject({ runId: 'run-a', pid: process.pid });
    lock.release();
  });

  it('refuses the same run in a second live process (two resumes must not overlap)', async () => {
    const a = await child();
    a.send(`acquire ${locksDir} john@example.com run-a`);
    expect(await a.next()).toMatchObject({ ok: true });
    expect(() => acquireSubjectLock(locksDir, 'john@example.com', 'run-a')).toThrow(SubjectLockedError);
  });

  it('a slow contender never removes the lock that won a takeover', async () => {
    // This process plays the winner of the takeover of a stale lock: it holds the takeover claim
    // while a second process arrives, then puts its fresh lock in place. The second process must
    // wait for the claim and then see the winner's lock, not delete it as stale.
    const b = await child();
    const file = lockFileFor(locksDir, 'john@example.com');
    writeFileSync(file, JSON.stringify({ subject: 'john@example.com', runId: 'run-dead', pid: await deadPid(), hostname: hostname(), at: new Date().toISOString(), nonce: 'g1' }));
    writeFileSync(`${file}.takeover-g1-0`, JSON.stringify({ pid: process.pid, hostname: hostname(), at: new Date().toISOString() }));
    b.send(`acquire ${locksDir} john@example.com run-b`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(file);
    writeFileSync(file, JSON.stringify({ subject: 'john@example.com', runId: 'run-winner', pid: process.pid, hostname: hostname(), at: new Date().toISOString(), nonce: 'g2' }));
    rmSync(`${file}.takeover-g1-0`);
    expect(await b.next()).toMatchObject({ ok: false, code: 'SUBJECT_LOCKED', heldBy: 'run-winner' });
    expect(lockRecord('john@example.com')['runId']).toBe('run-winner');
  });

  it('lets exactly one of several processes racing for a stale lock win', async () => {
    const racers = await Promise.all([child(), child(), child(), child(), child()]);
    for (let round = 0; round < 3; round++) {
      const subject = `race-${round}@example.com`;
      const pid = await deadPid();
      writeFileSync(lockFileFor(locksDir, subject), JSON.stringify({ subject, runId: 'run-dead', pid, hostname: hostname(), at: new Date().toISOString(), nonce: `stale-${round}` }));
      racers.forEach((racer, i) => racer.send(`acquire ${locksDir} ${subject} run-${round}-${i}`));
      const answers = await Promise.all(racers.map((racer) => racer.next()));
      const winners = answers.filter((answer) => answer['ok'] === true);
      expect(winners).toHaveLength(1);
      const holder = lockRecord(subject);
      expect(holder['pid']).toBe(winners[0]?.['pid']);
      for (const loser of answers.filter((answer) => answer['ok'] !== true)) {
        expect(loser).toMatchObject({ code: 'SUBJECT_LOCKED', heldBy: holder['runId'] });
      }
      const winner = racers[answers.findIndex((answer) => answer['ok'] === true)];
      winner?.send('release');
      expect(await winner?.next()).toMatchObject({ released: true });
    }
    // Takeover markers and temporary files are cleaned up.
    expect(readdirSync(locksDir)).toEqual([]);
  });
});

describe('removeStaleSubjectLocks', () => {
  it('removes the locks of dead processes of this host, and leaves live, own and other hosts\' locks alone', async () => {
    const write = (subject: string, pid: number, host: string, nonce: string): void => {
      writeFileSync(lockFileFor(locksDir, subject), JSON.stringify({ subject, runId: `run-${nonce}`, pid, hostname: host, at: new Date().toISOString(), nonce }));
    };
    write('dead@example.com', await deadPid(), hostname(), 'd1');
    write('live@example.com', process.ppid, hostname(), 'l1');
    write('elsewhere@example.com', await deadPid(), 'another-host.invalid', 'e1');
    const held = acquireSubjectLock(locksDir, 'mine@example.com', 'run-mine');
    try {
      expect(removeStaleSubjectLocks(locksDir)).toEqual(['dead@example.com']);
      expect(existsSync(lockFileFor(locksDir, 'dead@example.com'))).toBe(false);
      for (const kept of ['live@example.com', 'elsewhere@example.com', 'mine@example.com']) expect(existsSync(lockFileFor(locksDir, kept)), kept).toBe(true);
      // No takeover claim is left behind, and a second sweep finds nothing.
      expect(readdirSync(locksDir).filter((name) => name.includes('.takeover-'))).toEqual([]);
      expect(removeStaleSubjectLocks(locksDir)).toEqual([]);
    } finally {
      held.release();
    }
  });

  it('finds nothing in a store without a locks folder', () => {
    expect(removeStaleSubjectLocks(join(locksDir, 'missing'))).toEqual([]);
  });
});
