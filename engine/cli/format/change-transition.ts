/**
 * How a recorded change is shown to people (plans, `runs show`, `audit show`): actions record
 * whole identities on both sides of a change, so the view shows only what differs.
 */

import { isKnownAfterRun } from '../../plugin-api/known-after-run.js';

/** A value on one line, cut to `width` characters; one a plan cannot know as `(known after run: …)`. */
function describeValue(value: unknown, width = 60): string {
  if (value === undefined) return '∅';
  const text = (typeof value === 'string' || isKnownAfterRun(value) ? String(value) : JSON.stringify(value) ?? String(value)).replace(/\s*\n\s*/g, ' ');
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a change changes, in a few words: for two objects, only the fields that differ
 * (`state: ACTIVATED → SUSPENDED`), since actions record whole identities on both sides; for
 * plain values, `before → after`. A created or removed object (one side missing) is left to
 * the change's target and note.
 */
export function describeTransition(before: unknown, after: unknown): string {
  if (before === undefined && after === undefined) return '';
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
    return keys.map((key) => `${key}: ${describeValue(before[key], 30)} → ${describeValue(after[key], 30)}`).join(', ');
  }
  if (isPlainObject(before) || isPlainObject(after)) return '';
  return `${describeValue(before)} → ${describeValue(after)}`;
}
