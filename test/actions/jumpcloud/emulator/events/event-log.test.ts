import { describe, expect, it } from 'vitest';
import type { DirectoryEvent } from '../../../../../actions/jumpcloud/emulator/index.js';
import { EventLog, parseCursorToken } from '../../../../../actions/jumpcloud/emulator/events/event-log.js';

function event(n: number): Omit<DirectoryEvent, 'timestamp'> {
  return {
    id: `id-${n}`, event_type: 'user_update', service: 'directory', organization: 'o', '@version': '1', client_ip: '127.0.0.1', auth_method: 'api-key',
    success: true, initiated_by: { type: 'admin', id: 'a', email: 'a@x' }, resource: { type: 'systemuser', id: `u${n}` },
  };
}

describe('EventLog', () => {
  it('keeps a total order for events in the same millisecond, so cursors never skip or repeat', () => {
    const log = new EventLog();
    const at = new Date('2026-01-01T00:00:00.000Z');
    for (let i = 0; i < 5; i++) log.append(event(i), at);
    const base = { startMs: 0, sort: 'ASC' as const, skip: 0, match: () => true };
    const first = log.query({ ...base, limit: 2 });
    expect(first.events.map((e) => e.id)).toEqual(['id-0', 'id-1']);
    const cursor: [number, number] = [first.searchAfter[0], parseCursorToken(first.searchAfter[1]) as number];
    log.append(event(5), at);
    const second = log.query({ ...base, limit: 10, searchAfter: cursor });
    expect(second.events.map((e) => e.id)).toEqual(['id-2', 'id-3', 'id-4', 'id-5']);
  });

  it('never lets timestamps go backwards when the clock does', () => {
    const log = new EventLog();
    log.append(event(0), new Date('2026-01-01T00:00:01Z'));
    const later = log.append(event(1), new Date('2026-01-01T00:00:00Z'));
    expect(later.timestamp).toBe('2026-01-01T00:00:01.000Z');
  });

  it('keeps cursors moving forward across clear()', () => {
    const log = new EventLog();
    const at = new Date('2026-01-01T00:00:00Z');
    log.append(event(0), at);
    const page = log.query({ startMs: 0, sort: 'ASC', skip: 0, limit: 10, match: () => true });
    log.clear();
    log.append(event(1), at);
    const next = log.query({ startMs: 0, sort: 'ASC', skip: 0, limit: 10, match: () => true, searchAfter: [page.searchAfter[0], parseCursorToken(page.searchAfter[1]) as number] });
    expect(next.events.map((e) => e.id)).toEqual(['id-1']);
  });

  it('parses cursor tokens strictly', () => {
    expect(parseCursorToken('000000000042')).toBe(42);
    expect(parseCursorToken(7)).toBe(7);
    expect(parseCursorToken('DZrPyW8BNsa9iKWoOm7h')).toBeUndefined();
    expect(parseCursorToken(-1)).toBeUndefined();
  });
});
