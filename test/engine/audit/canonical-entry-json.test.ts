import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AuditEntry } from '../../../engine/audit/audit-chain.js';
import { canonicalEntryJson } from '../../../engine/audit/canonical-entry-json.js';
import { canonicalJson } from '../../../engine/audit/canonical-json.js';

type EntryBody = Omit<AuditEntry, 'hash'>;

const text = fc.string({ unit: 'binary', maxLength: 30 });
/** Entries as the trail builds them: the required members, any of the optional ones, JSON values for before/after. */
const entry: fc.Arbitrary<EntryBody> = fc.record(
  {
    seq: fc.nat(),
    at: text,
    run_id: text,
    workflow_id: text,
    initiated_by: text,
    reason: text,
    step: text,
    action: text,
    operation: text,
    target: text,
    before: fc.jsonValue(),
    after: fc.jsonValue(),
    result: fc.constantFrom('changed', 'unchanged', 'failed', 'reported', 'info'),
    note: text,
    prev_hash: fc.stringMatching(/^[0-9a-f]{64}$/),
  },
  { requiredKeys: ['seq', 'at', 'run_id', 'workflow_id', 'initiated_by', 'operation', 'target', 'result', 'prev_hash'] },
) as fc.Arbitrary<EntryBody>;

describe('canonicalEntryJson', () => {
  it('writes exactly what canonicalJson writes for any entry the trail builds', () => {
    fc.assert(
      fc.property(entry, (value) => {
        expect(canonicalEntryJson(value)).toBe(canonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('falls back to canonicalJson for a member of another name, an undefined member or a function', () => {
    const base: EntryBody = { seq: 1, at: '2026-11-23T00:00:00.000Z', run_id: 'r', workflow_id: 'w', initiated_by: 'me', operation: 'step', target: 't', result: 'info', prev_hash: 'a'.repeat(64) };
    // A key the redactor rewrote (a secret equal to a member's name).
    const renamed = { ...base, '[REDACTED]': 'x' } as unknown as EntryBody;
    expect(canonicalEntryJson(renamed)).toBe(canonicalJson(renamed));
    expect(canonicalEntryJson(renamed)).toContain('"[REDACTED]":"x"');
    const withUndefined = { ...base, note: undefined } as unknown as EntryBody;
    expect(canonicalEntryJson(withUndefined)).toBe(canonicalJson(withUndefined));
    const withFunction = { ...base, before: () => 1 } as unknown as EntryBody;
    expect(canonicalEntryJson(withFunction)).toBe(canonicalJson(withFunction));
    expect(canonicalEntryJson(withFunction)).not.toContain('before');
  });
});
