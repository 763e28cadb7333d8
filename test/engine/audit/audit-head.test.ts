import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../../../engine/audit/audit-trail.js';
import { appendEntries, auditFixture } from './audit-fixture.js';

/**
 * The head file is written in a fixed size so that each move of the head is one write in place
 * (a performance change, see BENCHMARKS.md); these tests hold it to the same guarantees.
 */
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
function fixture(): ReturnType<typeof auditFixture> {
  const made = auditFixture();
  roots.push(made.root);
  return made;
}

describe('audit.head.json', () => {
  it('is padded to a fixed size, still one JSON value, and moved in place (same inode) after every entry', () => {
    const { run } = fixture();
    const head = join(run.dir, 'audit.head.json');
    expect(statSync(head).size).toBe(256);
    const inode = statSync(head).ino;
    appendEntries(run, 3);
    const entries = run.audit.entries();
    expect(statSync(head).size).toBe(256);
    expect(statSync(head).ino).toBe(inode);
    expect(JSON.parse(readFileSync(head, 'utf8'))).toEqual({ seq: 3, hash: entries[2]?.hash, at: entries[2]?.at });
    expect(verifyAuditTrail(run.dir)).toMatchObject({ ok: true, entries: 3, problems: [] });
  });

  it('replaces a head of another size (an older version, or edited) atomically, then moves it in place again', () => {
    const { store, run } = fixture();
    appendEntries(run, 2);
    const head = join(run.dir, 'audit.head.json');
    const entries = run.audit.entries();
    writeFileSync(head, JSON.stringify({ seq: 2, hash: entries[1]?.hash, at: entries[1]?.at }));
    const resumed = store.openRun(run.id);
    const third = resumed.audit.append({ operation: 'delete', target: 'user john', result: 'changed' });
    expect(statSync(head).size).toBe(256);
    expect(JSON.parse(readFileSync(head, 'utf8'))).toEqual({ seq: 3, hash: third.hash, at: third.at });
    const inode = statSync(head).ino;
    const fourth = resumed.audit.append({ operation: 'notify', target: 'manager', result: 'changed' });
    expect(statSync(head).ino).toBe(inode);
    expect(JSON.parse(readFileSync(head, 'utf8'))).toMatchObject({ seq: 4, hash: fourth.hash });
    expect(verifyAuditTrail(run.dir)).toMatchObject({ ok: true, entries: 4, problems: [] });
  });

  it('still detects entries deleted at the end', () => {
    const { run } = fixture();
    appendEntries(run, 4);
    const lines = readFileSync(join(run.dir, 'audit.jsonl'), 'utf8').split('\n');
    writeFileSync(join(run.dir, 'audit.jsonl'), `${lines.slice(0, 3).join('\n')}\n`);
    expect(verifyAuditTrail(run.dir)).toMatchObject({ ok: false, problems: [expect.objectContaining({ kind: 'missing', message: expect.stringContaining('the head records seq 4') })] });
  });
});
