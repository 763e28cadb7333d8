import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../engine/audit/canonical-json.js';
import { genesisHash } from '../../../engine/audit/audit-chain.js';
import { verifyAuditTrail } from '../../../engine/audit/audit-trail.js';
import { formatAuditEntries } from '../../../engine/audit/audit-text.js';
import { Redactor } from '../../../engine/logging/redactor.js';
import { appendEntries, auditFixture } from './audit-fixture.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
function fixture(redactor?: Redactor): ReturnType<typeof auditFixture> {
  const made = auditFixture(redactor);
  roots.push(made.root);
  return made;
}

describe('AuditTrail.append', () => {
  it('fills seq, time, run, workflow, who and why, and chains each entry to the one before', () => {
    const { run } = fixture();
    const first = run.audit.append({ step: 'suspend', action: 'jumpcloud.user.suspend', operation: 'suspend', target: 'user john (64a0)', before: { suspended: false }, after: { suspended: true }, result: 'changed' });
    const second = run.audit.append({ operation: 'notify', target: 'manager@example.com', result: 'reported', note: 'manager told', at: '2026-11-22T23:05:00.000Z' });
    expect(first).toMatchObject({ seq: 1, run_id: run.id, workflow_id: 'offboard', initiated_by: 'alice', reason: 'left the company', step: 'suspend', operation: 'suspend', result: 'changed', prev_hash: genesisHash(run.id) });
    expect(Date.parse(first.at)).not.toBeNaN();
    expect(second).toMatchObject({ seq: 2, at: '2026-11-22T23:05:00.000Z', prev_hash: first.hash, note: 'manager told' });
    const { hash, ...rest } = second;
    expect(hash).toBe(createHash('sha256').update(canonicalJson(rest)).digest('hex'));
    // Written through: on disk, in order, with the head moved.
    const lines = readFileSync(join(run.dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual([first, second]);
    expect(JSON.parse(readFileSync(join(run.dir, 'audit.head.json'), 'utf8'))).toEqual({ seq: 2, hash: second.hash, at: second.at });
    expect(run.audit.entries()).toEqual([first, second]);
  });

  it('continues the chain from another handle (a resumed run)', () => {
    const { store, run } = fixture();
    appendEntries(run, 2);
    const resumed = store.openRun(run.id);
    const third = resumed.audit.append({ operation: 'delete', target: 'user john', result: 'changed' });
    expect(third.seq).toBe(3);
    expect(third.prev_hash).toBe(run.audit.entries()[1]?.hash);
    expect(verifyAuditTrail(run.dir)).toEqual({ ok: true, entries: 3, problems: [], head: { seq: 3, hash: third.hash, at: third.at } });
  });

  it('redacts secrets before hashing, so the file never holds them and still verifies', () => {
    const secret = 'smtp-pass-5f4dcc3b';
    const redactor = new Redactor();
    redactor.add(secret);
    const { run } = fixture(redactor);
    const entry = run.audit.append({ operation: 'configure', target: `smtp://mailer:${secret}@mail.test`, before: { password: secret }, after: { url: `https://x.test/?k=${encodeURIComponent(secret)}` }, result: 'changed', note: `used ${secret}` });
    expect(JSON.stringify(entry)).not.toContain(secret);
    const text = readFileSync(join(run.dir, 'audit.jsonl'), 'utf8');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
    expect(text).toContain('[REDACTED]');
    expect(verifyAuditTrail(run.dir).ok).toBe(true);
  });

  it('keeps a write-ahead intent (started) and its outcome as two chained entries, shown as such', () => {
    const { run } = fixture();
    const change = { step: 'groups', operation: 'remove_member', target: 'user group "Eng" (64a1)', before: { member: true }, after: { member: false } };
    const intent = run.audit.append({ ...change, result: 'started' });
    const outcome = run.audit.append({ ...change, result: 'changed' });
    expect([intent.result, outcome.result]).toEqual(['started', 'changed']);
    expect(outcome.prev_hash).toBe(intent.hash);
    expect(verifyAuditTrail(run.dir).ok).toBe(true);
    const text = formatAuditEntries(run.id, run.audit.entries());
    expect(text).toMatch(/#1 .* started +remove_member user group "Eng" \(64a1\)/);
    expect(text).toMatch(/#2 .* changed +remove_member user group "Eng" \(64a1\)/);
  });

  it('refuses an incomplete entry with a clear message', () => {
    const { run } = fixture();
    expect(() => run.audit.append({ step: 'x', operation: '', target: 't', result: 'changed' })).toThrow('Invalid audit entry for step "x": "operation" must be a non-empty string');
    expect(() => run.audit.append({ operation: 'o', target: 't', result: 'done' as never })).toThrow(/"result" must be one of changed, unchanged, failed, reported, started, info \(got "done"\)/);
    expect(() => run.audit.append({ operation: 'o', target: 't', result: 'info', at: 'yesterday' })).toThrow(/"at" must be an ISO-8601 timestamp/);
    expect(run.audit.entries()).toEqual([]);
  });

  it('repairs a torn last line on the next append and records the repair', () => {
    const { store, run } = fixture();
    appendEntries(run, 2);
    appendFileSync(join(run.dir, 'audit.jsonl'), '{"seq":3,"at":"2026-11-22T23:0');
    expect(verifyAuditTrail(run.dir)).toMatchObject({ ok: true, entries: 2, problems: [{ line: 3, kind: 'torn', severity: 'warning' }] });
    const resumed = store.openRun(run.id);
    const next = resumed.audit.append({ operation: 'delete', target: 'user john', result: 'changed' });
    const entries = resumed.audit.entries();
    expect(entries.map((entry) => [entry.seq, entry.operation])).toEqual([[1, 'remove'], [2, 'remove'], [3, 'audit.repair'], [4, 'delete']]);
    expect(entries[2]?.note).toContain('torn last line (line 3');
    expect(next.seq).toBe(4);
    expect(verifyAuditTrail(run.dir)).toMatchObject({ ok: true, entries: 4, problems: [] });
  });

  it('adopts an entry written just before a kill that stopped the head from moving, in the open', () => {
    const { store, run } = fixture();
    appendEntries(run, 3);
    const entries = run.audit.entries();
    writeFileSync(join(run.dir, 'audit.head.json'), JSON.stringify({ seq: 2, hash: entries[1]?.hash, at: entries[1]?.at }));
    expect(verifyAuditTrail(run.dir)).toMatchObject({ ok: true, problems: [{ line: 3, seq: 3, kind: 'head', severity: 'warning' }] });
    store.openRun(run.id).audit.append({ operation: 'delete', target: 'user john', result: 'changed' });
    const after = run.audit.entries();
    expect(after.map((entry) => entry.operation)).toEqual(['remove', 'remove', 'remove', 'audit.repair', 'delete']);
    expect(after[3]?.note).toContain('Entries 3 were written after the last head update');
    expect(verifyAuditTrail(run.dir)).toMatchObject({ ok: true, entries: 5, problems: [] });
  });

  it('keeps a deletion at the end visible after the next append instead of hiding it', () => {
    const { store, run } = fixture();
    appendEntries(run, 4);
    const lines = readFileSync(join(run.dir, 'audit.jsonl'), 'utf8').split('\n');
    writeFileSync(join(run.dir, 'audit.jsonl'), `${lines.slice(0, 2).join('\n')}\n`);
    store.openRun(run.id).audit.append({ operation: 'delete', target: 'user john', result: 'changed' });
    const result = verifyAuditTrail(run.dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ line: 3, seq: 5, kind: 'missing', message: 'line 3 (seq 5): entries seq 3–4 before it are missing: deleted' })]);
  });
});
