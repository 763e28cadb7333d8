import type { AuditEntry } from './audit-chain.js';
import { canonicalJson } from './canonical-json.js';

/**
 * The members an audit entry can have besides `hash`, in canonical (sorted) order. Sorted here,
 * once, with the same comparison `canonicalJson` uses, so that the order cannot drift from it.
 */
const ENTRY_MEMBERS: ReadonlyArray<keyof Omit<AuditEntry, 'hash'>> = ([
  'seq', 'at', 'run_id', 'workflow_id', 'initiated_by', 'reason', 'step', 'action', 'operation', 'target', 'before', 'after', 'result', 'note', 'prev_hash',
] as const).slice().sort();

/**
 * `canonicalJson(entry)` for an audit entry the trail builds (every member one of
 * {@link ENTRY_MEMBERS}, values plain JSON data): the same text, written member by member in
 * the sorted order known beforehand instead of listing and sorting the keys of every entry,
 * which made the hash the dearest part of auditing a step. Anything else — a member of another
 * name (a key the redactor rewrote because a secret equals it), a member that is present but
 * `undefined`, a function — goes through {@link canonicalJson} itself, so the result is always exactly what
 * `audit verify` recomputes.
 */
export function canonicalEntryJson(entry: Omit<AuditEntry, 'hash'>): string {
  let text = '{';
  let members = 0;
  for (const name of ENTRY_MEMBERS) {
    const value = entry[name];
    if (value === undefined) continue;
    if (typeof value === 'function') return canonicalJson(entry);
    text += `${members === 0 ? '"' : ',"'}${name}":${typeof value === 'string' ? JSON.stringify(value) : canonicalJson(value)}`;
    members++;
  }
  // Every own key was one of the known members with a value: the text is complete.
  if (Object.keys(entry).length !== members) return canonicalJson(entry);
  return `${text}}`;
}
