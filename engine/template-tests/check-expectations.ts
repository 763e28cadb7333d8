import type { Runtime } from '../runtime/runtime.js';
import type { CaseExpectations, ExpectedEmail, ExpectedTimer } from './test-file.js';
import type { RunObservation, ScheduledTimerView } from './run-case.js';
import { setDifferences, show, subsetDifferences, type Difference } from './subset-match.js';

/**
 * Checks a case's expectations against what its run did; every difference is named by where it
 * is (`output.actions_taken.groups_removed`, `changes["jumpcloud.user.groups.remove_all"]`, …).
 *
 * @param sandbox - answers `state:` (the runtime's running sandboxes).
 */
export function checkExpectations(expect: CaseExpectations, run: RunObservation, sandbox: Pick<Runtime, 'inspectSandbox'>): Difference[] {
  const differences: Difference[] = [];
  if (expect.status !== undefined && expect.status !== run.status) {
    differences.push({ path: 'status', expected: expect.status, actual: run.status, message: `expected the run to be ${expect.status}, it was ${run.status}${run.error ? `: ${run.error}` : ''}` });
  }
  if (expect.error !== undefined && !(run.error ?? '').includes(expect.error)) {
    differences.push({ path: 'error', expected: expect.error, actual: run.error ?? null, message: run.error === undefined ? `expected an error containing ${show(expect.error)}, there was none` : `expected an error containing ${show(expect.error)}, got ${show(run.error)}` });
  }
  if (expect.failed_step !== undefined && expect.failed_step !== run.failedStep) {
    differences.push({ path: 'failed_step', expected: expect.failed_step, actual: run.failedStep ?? null, message: `expected step ${expect.failed_step} to fail the run, ${run.failedStep === undefined ? 'no step did' : `it was ${run.failedStep}`}` });
  }
  if (Object.hasOwn(expect, 'output')) differences.push(...subsetDifferences(expect.output, run.output, 'output'));
  for (const [key, targets] of Object.entries(expect.changes ?? {})) {
    // A step id names one step; an action id every step that uses the action.
    const made = run.changes.filter((change) => (key.includes('.') ? change.action === key : change.step === key)).map((change) => targetName(change.target));
    differences.push(...setDifferences(targets.map(targetName), made, `changes[${JSON.stringify(key)}]`));
  }
  if (expect.emails !== undefined) differences.push(...matchMessages(expect.emails, run.emails, 'emails', emailDifferences, (email) => `${email.to.join(', ')}: ${JSON.stringify(email.subject)}`));
  if (expect.webhooks !== undefined) differences.push(...matchMessages(expect.webhooks, run.webhooks, 'webhooks', (expected, actual, path) => subsetDifferences(expected, actual, path), (webhook) => `${webhook.format ?? 'webhook'} ${show(webhook.body)}`));
  if (expect.timers !== undefined) differences.push(...matchMessages(expect.timers, run.timers, 'timers', timerDifferences, (timer) => `${timer.action} (key ${JSON.stringify(timer.key)}) due ${timer.due}`));
  for (const [ref, expected] of Object.entries(expect.state ?? {})) {
    const path = `state[${JSON.stringify(ref)}]`;
    let actual: unknown;
    try {
      actual = sandbox.inspectSandbox(ref);
    } catch (error) {
      differences.push({ path, message: (error as Error).message });
      continue;
    }
    if (expected === null) {
      if (actual !== null) differences.push({ path, expected: null, actual, message: `expected ${ref} not to exist, it does` });
    } else if (actual === null) {
      differences.push({ path, expected, actual: null, message: `expected ${ref} to exist, there is none` });
    } else differences.push(...subsetDifferences(expected, actual, path));
  }
  return differences;
}

/**
 * A change's target as a test names it: without the ids in brackets the actions add
 * (`user group "Engineering" (64a0…)` is `user group "Engineering"`), every one of them, since a
 * target that pairs two objects names both (`system "X" (…) in system group "Quarantine" (…)`),
 * and with or without the quotes around the names.
 */
export function targetName(target: string): string {
  return target.replace(/\s*\([0-9a-fA-F]{8,}\)/g, '').replace(/"/g, '').trim();
}

function timerDifferences(expected: ExpectedTimer, actual: ScheduledTimerView, path: string): Difference[] {
  const differences: Difference[] = [];
  if (expected.action !== undefined && expected.action !== actual.action) differences.push({ path: `${path}.action`, expected: expected.action, actual: actual.action, message: `expected a timer running ${show(expected.action)}, got ${show(actual.action)}` });
  if (expected.key !== undefined && expected.key !== actual.key) differences.push({ path: `${path}.key`, expected: expected.key, actual: actual.key, message: `expected the key ${show(expected.key)}, got ${show(actual.key)}` });
  if (expected.due !== undefined && !actual.due.startsWith(expected.due)) differences.push({ path: `${path}.due`, expected: expected.due, actual: actual.due, message: `expected it due ${show(expected.due)}, it is due ${show(actual.due)}` });
  if (expected.params !== undefined) differences.push(...subsetDifferences(expected.params, actual.params, `${path}.params`));
  if (expected.description_contains !== undefined && !actual.description.includes(expected.description_contains)) differences.push({ path: `${path}.description`, expected: expected.description_contains, actual: actual.description, message: `expected a description containing ${show(expected.description_contains)}, got ${show(actual.description)}` });
  return differences;
}

function emailDifferences(expected: ExpectedEmail, actual: { to: string[]; cc: string[]; subject: string }, path: string): Difference[] {
  const differences: Difference[] = [];
  if (expected.to !== undefined) differences.push(...setDifferences(expected.to.map(lower), actual.to.map(lower), `${path}.to`));
  if (expected.cc !== undefined) differences.push(...setDifferences(expected.cc.map(lower), actual.cc.map(lower), `${path}.cc`));
  if (expected.subject !== undefined && expected.subject !== actual.subject) differences.push({ path: `${path}.subject`, expected: expected.subject, actual: actual.subject, message: `expected ${show(expected.subject)}, got ${show(actual.subject)}` });
  if (expected.subject_contains !== undefined && !actual.subject.includes(expected.subject_contains)) differences.push({ path: `${path}.subject`, expected: expected.subject_contains, actual: actual.subject, message: `expected a subject containing ${show(expected.subject_contains)}, got ${show(actual.subject)}` });
  return differences;
}

/**
 * Pairs expected messages with sent ones in any order: each expected message takes the first
 * unpaired sent one it matches. Counts must agree; an expected message that matches none is
 * compared with the closest one left (fewest differences), so that the report names the field.
 */
function matchMessages<E, A>(expected: readonly E[], actual: readonly A[], path: string, compare: (expected: E, actual: A, path: string) => Difference[], describe: (actual: A) => string): Difference[] {
  const differences: Difference[] = [];
  const left = [...actual.keys()];
  const unmatched: number[] = [];
  for (const [index, message] of expected.entries()) {
    const at = left.findIndex((candidate) => compare(message, actual[candidate] as A, '').length === 0);
    if (at >= 0) left.splice(at, 1);
    else unmatched.push(index);
  }
  for (const index of unmatched) {
    const message = expected[index] as E;
    if (left.length === 0) {
      differences.push({ path: `${path}[${index}]`, expected: message, message: `expected ${show(message)}, but ${actual.length === 0 ? 'nothing was sent' : 'no other message was sent'}` });
      continue;
    }
    const ranked = left.map((candidate) => ({ candidate, found: compare(message, actual[candidate] as A, `${path}[${index}]`) })).sort((a, b) => a.found.length - b.found.length);
    const closest = ranked[0]!;
    left.splice(left.indexOf(closest.candidate), 1);
    differences.push(...closest.found);
  }
  for (const candidate of left) differences.push({ path, actual: describe(actual[candidate] as A), message: `an unexpected message was sent: ${describe(actual[candidate] as A)}` });
  return differences;
}

function lower(address: string): string {
  return address.toLowerCase();
}
