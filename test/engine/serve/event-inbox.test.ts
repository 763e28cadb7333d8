import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventInbox, type EventRecord } from '../../../engine/serve/event-inbox.js';
import { Redactor } from '../../../engine/logging/redactor.js';

function record(overrides: Partial<EventRecord> = {}): EventRecord {
  return { source: 'hr', id: 'evt-1', event: 'hr.employee.terminated', via: 'webhook', receivedAt: '2026-11-22T10:00:00.000Z', payload: { a: 1 }, runs: [], skipped: [], pending: ['w1', 'w2'], ...overrides };
}

describe('EventInbox', () => {
  it('accepts an id once per source, and answers a repeat with the first record', () => {
    const inbox = new EventInbox(mkdtempSync(join(tmpdir(), 'idflow-inbox-')));
    expect(inbox.create(record())).toEqual({ created: true, record: record() });
    const repeat = inbox.create(record({ payload: { a: 2 }, pending: [] }));
    expect(repeat).toEqual({ created: false, existing: record() });
    expect(inbox.create(record({ source: 'psa' })).created).toBe(true);
    expect(readdirSync(join(inbox.dir, 'hr'))).toHaveLength(1); // no temporary files left behind
  });

  it('lists records with runs still to start, oldest first, and records progress', () => {
    const inbox = new EventInbox(mkdtempSync(join(tmpdir(), 'idflow-inbox-')));
    inbox.create(record({ id: 'late', receivedAt: '2026-11-22T11:00:00.000Z' }));
    inbox.create(record({ id: 'early' }));
    inbox.create(record({ id: 'done', pending: [] }));
    expect(inbox.withPending().map((r) => r.id)).toEqual(['early', 'late']);
    inbox.update('hr', 'early', (r) => ({ ...r, pending: [], runs: [{ workflow: 'w1', runId: 'r1' }], skipped: [{ workflow: 'w2', reason: 'locked' }] }));
    expect(inbox.withPending().map((r) => r.id)).toEqual(['late']);
    expect(inbox.get('hr', 'early')).toMatchObject({ runs: [{ workflow: 'w1', runId: 'r1' }] });
    expect(inbox.get('hr', 'never')).toBeUndefined();
  });

  it('removes the records received before the edge that owe no run, so a repeat of their id is new again', () => {
    const inbox = new EventInbox(mkdtempSync(join(tmpdir(), 'idflow-inbox-')));
    inbox.create(record({ id: 'old-done', receivedAt: '2026-10-01T00:00:00.000Z', pending: [] }));
    inbox.create(record({ id: 'old-owed', receivedAt: '2026-10-01T00:00:00.000Z', pending: ['w1'] }));
    inbox.create(record({ id: 'recent', receivedAt: '2026-11-20T00:00:00.000Z', pending: [] }));
    inbox.create(record({ id: 'other-source', source: 'psa', receivedAt: '2026-10-02T00:00:00.000Z', pending: [] }));
    writeFileSync(join(inbox.dir, 'hr', 'damaged.json'), '{"id": "x"}');
    const unreadable: string[] = [];
    expect(inbox.prune(new Date('2026-11-01T00:00:00.000Z'), (file) => unreadable.push(file))).toBe(2);
    expect(unreadable).toEqual([join(inbox.dir, 'hr', 'damaged.json')]);
    expect([inbox.get('hr', 'old-done'), inbox.get('psa', 'other-source')]).toEqual([undefined, undefined]);
    expect(inbox.get('hr', 'old-owed')?.pending).toEqual(['w1']);
    expect(inbox.get('hr', 'recent')).toBeDefined();
    expect(inbox.create(record({ id: 'old-done', pending: [] })).created).toBe(true);
  });

  it('redacts known secrets from what it writes, and refuses a source name that is not one', () => {
    const redactor = new Redactor();
    redactor.add('super-secret-value');
    const inbox = new EventInbox(mkdtempSync(join(tmpdir(), 'idflow-inbox-')), redactor);
    inbox.create(record({ payload: { token: 'super-secret-value' } }));
    expect(inbox.get('hr', 'evt-1')?.payload).toEqual({ token: '[REDACTED]' });
    expect(() => inbox.create(record({ source: '../x' }))).toThrow(/is not a source name/);
  });
});
