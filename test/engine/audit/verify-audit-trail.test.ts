import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { canonicalJson } from '../../../engine/audit/canonical-json.js';
import { verifyAuditTrail } from '../../../engine/audit/verify-audit-trail.js';
import type { RunHandle } from '../../../engine/store/run-handle.js';
import { AUDIT_PINNED_KEYS } from '../../../engine/store/pinned-record.js';
import { appendEntries, auditFixture } from './audit-fixture.js';

let root: string;
let run: RunHandle;
let trail: string;
beforeEach(() => {
  ({ root, run } = auditFixture());
  appendEntries(run, 5);
  trail = join(run.dir, 'audit.jsonl');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const lines = (): string[] => readFileSync(trail, 'utf8').trimEnd().split('\n');
const writeLines = (content: string[]): void => writeFileSync(trail, `${content.join('\n')}\n`);
function rehash(line: string, change: (entry: Record<string, unknown>) => void): string {
  const entry = JSON.parse(line) as Record<string, unknown>;
  change(entry);
  delete entry['hash'];
  return JSON.stringify({ ...entry, hash: createHash('sha256').update(canonicalJson(entry)).digest('hex') });
}
const brief = (): Array<{ line: number; seq?: number; kind: string; severity: string }> =>
  verifyAuditTrail(run.dir).problems.map(({ line, seq, kind, severity }) => ({ line, ...(seq === undefined ? {} : { seq }), kind, severity }));

describe('verifyAuditTrail', () => {
  it('finds an untouched trail intact', () => {
    const result = verifyAuditTrail(run.dir);
    expect(result.ok).toBe(true);
    expect(result.entries).toBe(5);
    expect(result.problems).toEqual([]);
  });

  it('detects an edited entry by its hash', () => {
    const content = lines();
    content[2] = (content[2] ?? '').replace('group g3', 'group gX');
    writeLines(content);
    const result = verifyAuditTrail(run.dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ line: 3, seq: 3, kind: 'edited', severity: 'error', message: 'line 3 (seq 3): the entry does not match its hash: it was changed after it was written' }]);
  });

  it('detects an edited entry whose hash was recomputed, through the chain', () => {
    const content = lines();
    content[2] = rehash(content[2] ?? '', (entry) => (entry['target'] = 'group gX'));
    writeLines(content);
    expect(brief()).toEqual([{ line: 4, seq: 4, kind: 'chain', severity: 'error' }]);
    expect(verifyAuditTrail(run.dir).problems[0]?.message).toBe('line 4 (seq 4): does not chain to seq 3 (line 3): one of the two was replaced or rewritten');
  });

  it('detects the last entry rewritten with a recomputed hash, through the head', () => {
    const content = lines();
    content[4] = rehash(content[4] ?? '', (entry) => (entry['result'] = 'unchanged'));
    writeLines(content);
    expect(brief()).toEqual([{ line: 5, seq: 5, kind: 'head', severity: 'error' }]);
  });

  it('detects a deleted entry in the middle', () => {
    const content = lines();
    content.splice(2, 1);
    writeLines(content);
    const result = verifyAuditTrail(run.dir);
    expect(result.problems).toEqual([{ line: 3, seq: 4, kind: 'missing', severity: 'error', message: 'line 3 (seq 4): entry seq 3 before it is missing: deleted' }]);
  });

  it('detects the first entry deleted', () => {
    writeLines(lines().slice(1));
    expect(brief()).toEqual([{ line: 1, seq: 2, kind: 'missing', severity: 'error' }]);
  });

  it('detects entries deleted at the end, through the head', () => {
    writeLines(lines().slice(0, 3));
    const result = verifyAuditTrail(run.dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ line: 4, seq: 4, kind: 'missing', severity: 'error', message: 'the trail ends at seq 3 but the head records seq 5: entries seq 4–5 at the end were deleted' }]);
  });

  it('detects every entry deleted', () => {
    writeFileSync(trail, '');
    expect(brief()).toEqual([{ line: 1, seq: 1, kind: 'missing', severity: 'error' }]);
  });

  it('detects an inserted entry that reuses a seq, even with a correct hash and link', () => {
    const content = lines();
    const forged = rehash(content[1] ?? '', (entry) => (entry['target'] = 'group forged'));
    content.splice(2, 0, forged);
    writeLines(content);
    expect(brief()).toEqual([{ line: 3, seq: 2, kind: 'inserted', severity: 'error' }]);
  });

  it('detects an inserted entry placed before the genuine one', () => {
    const content = lines();
    const forged = rehash(content[1] ?? '', (entry) => (entry['target'] = 'group forged'));
    content.splice(1, 0, forged);
    writeLines(content);
    expect(brief()).toEqual([{ line: 2, seq: 2, kind: 'inserted', severity: 'error' }]);
  });

  it('detects an inserted line that is not an entry', () => {
    const content = lines();
    content.splice(1, 0, '{"note":"hello"}', 'not json at all');
    writeLines(content);
    expect(brief()).toEqual([
      { line: 2, kind: 'invalid', severity: 'error' },
      { line: 3, kind: 'invalid', severity: 'error' },
    ]);
  });

  it('detects reordered entries', () => {
    const content = lines();
    [content[1], content[2]] = [content[2] ?? '', content[1] ?? ''];
    writeLines(content);
    const result = verifyAuditTrail(run.dir);
    expect(result.problems).toEqual([{ line: 3, seq: 2, kind: 'out-of-order', severity: 'error', message: 'line 3 (seq 2) comes after seq 3 (line 2): entries were reordered' }]);
  });

  it('detects an entry copied from another run', () => {
    const other = auditFixture();
    try {
      appendEntries(other.run, 1);
      const foreign = readFileSync(join(other.run.dir, 'audit.jsonl'), 'utf8').trimEnd();
      const content = lines();
      content[0] = foreign;
      writeLines(content);
      expect(brief()).toEqual([
        { line: 1, seq: 1, kind: 'foreign', severity: 'error' },
        { line: 1, seq: 1, kind: 'chain', severity: 'error' },
        { line: 2, seq: 2, kind: 'chain', severity: 'error' },
      ]);
    } finally {
      rmSync(other.root, { recursive: true, force: true });
    }
  });

  it('reports a torn last line as a warning, distinct from tampering', () => {
    appendFileSync(trail, '{"seq":6,"at":"20');
    const result = verifyAuditTrail(run.dir);
    expect(result.ok).toBe(true);
    expect(result.entries).toBe(5);
    expect(result.problems).toEqual([expect.objectContaining({ line: 6, kind: 'torn', severity: 'warning' })]);
    expect(result.problems[0]?.message).toMatch(/^line 6 is incomplete: a write was interrupted/);
  });

  it('treats one entry past the head as an interrupted write, more than one as tampering', () => {
    const content = lines();
    const head = JSON.parse(content[3] ?? '') as { seq: number; hash: string; at: string };
    writeFileSync(join(run.dir, 'audit.head.json'), JSON.stringify({ seq: head.seq, hash: head.hash, at: head.at }));
    expect(verifyAuditTrail(run.dir)).toMatchObject({ ok: true, problems: [{ line: 5, seq: 5, kind: 'head', severity: 'warning' }] });
    const earlier = JSON.parse(content[2] ?? '') as { seq: number; hash: string; at: string };
    writeFileSync(join(run.dir, 'audit.head.json'), JSON.stringify({ seq: earlier.seq, hash: earlier.hash, at: earlier.at }));
    expect(verifyAuditTrail(run.dir)).toMatchObject({
      ok: false,
      problems: [
        { line: 4, seq: 4, kind: 'head', severity: 'error' },
        { line: 5, seq: 5, kind: 'head', severity: 'error' },
      ],
    });
  });

  it('reports a missing or unreadable head, and a missing trail', () => {
    writeFileSync(join(run.dir, 'audit.head.json'), 'nope');
    expect(brief()).toEqual([{ line: 0, kind: 'head', severity: 'error' }]);
    rmSync(join(run.dir, 'audit.head.json'));
    expect(verifyAuditTrail(run.dir).problems).toEqual([expect.objectContaining({ line: 0, kind: 'head', message: 'audit.head.json is missing: entries deleted at the end of the trail could not be detected' })]);
    rmSync(trail);
    expect(verifyAuditTrail(run.dir)).toEqual({ ok: false, entries: 0, problems: [{ line: 0, kind: 'no-trail', severity: 'error', message: `audit.jsonl is missing from ${run.dir}` }] });
  });
});

describe('verifyAuditTrail and the pinned files', () => {
  it('reports a pinned template or inputs file that no longer has the hash the start entry recorded', () => {
    const { root: own, run } = auditFixture();
    onTestFinished(() => rmSync(own, { recursive: true, force: true }));
    const pinned = run.pinnedAtStart;
    expect(pinned).toBeDefined();
    run.audit.append({ operation: 'run.start', target: 'offboard', after: { [AUDIT_PINNED_KEYS.template]: pinned?.template, [AUDIT_PINNED_KEYS.inputs]: pinned?.inputs }, result: 'info' });
    appendEntries(run, 2);
    expect(verifyAuditTrail(run.dir)).toMatchObject({ ok: true, problems: [] });

    writeFileSync(join(run.dir, 'template.yaml'), 'id: offboard\nsteps: [{ id: injected, action: log, with: { message: hi } }]\n');
    writeFileSync(join(run.dir, 'inputs.json'), '{"user_identifier": "admin"}\n');
    const result = verifyAuditTrail(run.dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'pinned', severity: 'error', line: 1, seq: 1, message: expect.stringContaining('template.yaml changed since the run started') as unknown as string }),
      expect.objectContaining({ kind: 'pinned', severity: 'error', line: 1, seq: 1, message: expect.stringContaining('inputs.json changed since the run started') as unknown as string }),
    ]);
  });
});
