import type { SerializedError } from '../../../engine/errors/idflow-error.js';
import type { RunHandle } from '../../../engine/store/run-handle.js';
import type { NewRun, RunStore } from '../../../engine/store/run-store.js';

/** A run description for tests. */
export function sampleNewRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    workflow: { id: 'offboard', name: 'Offboard a user', version: '1' },
    templatePath: '/templates/offboard.yaml',
    templateText: 'id: offboard\nname: Offboard a user\n',
    templateHash: 'ab'.repeat(32),
    inputs: { user_identifier: 'john@example.com' },
    subject: 'john@example.com',
    initiatedBy: 'alice',
    reason: 'left the company',
    trigger: { type: 'manual' },
    sandbox: true,
    ...overrides,
  };
}

const transient: SerializedError = { name: 'TransientError', code: 'TRANSIENT', message: 'HTTP 503 Service Unavailable', retryable: true, details: { status: 503 } };
const forbidden: SerializedError = { name: 'PermanentError', code: 'PERMANENT', message: 'HTTP 403 forbidden', retryable: false, details: { status: 403 } };

/**
 * Records a failed offboarding run the way the step runner journals one: a lookup, a foreach
 * over two groups (with changes and audit entries), a skipped backup, an unbind that fails
 * after a retry, an on_failure notification, a child run, and the returned data.
 */
export function recordFailedRun(store: RunStore, overrides: Partial<NewRun> = {}): RunHandle {
  const run = store.createRun(sampleNewRun(overrides));
  let clock = Date.parse('2026-11-22T23:05:00.000Z');
  const at = (ms = 100): string => new Date((clock += ms)).toISOString();
  run.append({ type: 'run.started', at: at(), runId: run.id, workflowId: 'offboard', session: 1, pid: process.pid });
  run.append({ type: 'subject.claimed', at: at(), subject: 'john@example.com' });
  run.append({ type: 'step.started', at: at(), step: 'lookup', attempt: 1, phase: 'steps' });
  run.append({ type: 'step.finished', at: at(), step: 'lookup', phase: 'steps', status: 'succeeded', changed: false, output: { id: '64a0c0ffee', email: 'john@example.com' }, summary: 'found john@example.com', attempts: 1, durationMs: 120 });
  run.append({ type: 'step.started', at: at(), step: 'remove_groups', attempt: 1, phase: 'steps' });
  for (const index of [0, 1]) {
    run.append({ type: 'step.started', at: at(), step: 'remove_groups', item: index, attempt: 1, phase: 'steps' });
    const change = { target: `group "G${index}"`, operation: 'remove', before: { member: true }, after: { member: false }, result: 'changed' as const };
    run.append({ type: 'step.change', at: at(), step: 'remove_groups', item: index, change });
    run.audit.append({ step: `remove_groups[${index}]`, action: 'jumpcloud.user.groups.remove', ...change });
    run.append({ type: 'step.finished', at: at(), step: 'remove_groups', item: index, phase: 'steps', status: 'succeeded', changed: true, summary: `removed from G${index}`, output: { group: `G${index}` }, attempts: 1, durationMs: 30 });
  }
  run.append({ type: 'step.finished', at: at(), step: 'remove_groups', phase: 'steps', status: 'succeeded', changed: true, attempts: 1, durationMs: 70, items: { total: 2, succeeded: 2, failed: 0 }, output: [{ group: 'G0' }, { group: 'G1' }], summary: 'removed from 2 groups' });
  run.append({ type: 'step.finished', at: at(), step: 'backup', phase: 'steps', status: 'skipped', reason: 'if: false', attempts: 0, durationMs: 0 });
  run.append({ type: 'step.started', at: at(), step: 'archive', attempt: 1, phase: 'steps' });
  run.append({ type: 'child.started', at: at(), step: 'archive', childRunId: '20261122-2305-child1', workflowId: 'archive-mailbox' });
  run.append({ type: 'step.finished', at: at(), step: 'archive', phase: 'steps', status: 'succeeded', changed: true, attempts: 1, durationMs: 400, output: { runId: '20261122-2305-child1', status: 'succeeded' } });
  run.append({ type: 'step.started', at: at(), step: 'unbind', attempt: 1, phase: 'steps' });
  run.append({ type: 'step.attempt_failed', at: at(), step: 'unbind', attempt: 1, error: transient, retryInMs: 1000 });
  run.append({ type: 'step.started', at: at(1000), step: 'unbind', attempt: 2, phase: 'steps' });
  run.append({ type: 'step.attempt_failed', at: at(), step: 'unbind', attempt: 2, error: forbidden, retryInMs: 0 });
  run.append({ type: 'step.finished', at: at(), step: 'unbind', phase: 'steps', status: 'failed', error: forbidden, attempts: 2, durationMs: 1200 });
  run.audit.append({ step: 'unbind', action: 'jumpcloud.system.unbind', operation: 'unbind', target: 'system "laptop-42"', result: 'failed', note: 'HTTP 403 forbidden' });
  run.append({ type: 'step.started', at: at(), step: 'notify_it', attempt: 1, phase: 'on_failure' });
  run.append({ type: 'step.finished', at: at(), step: 'notify_it', phase: 'on_failure', status: 'succeeded', changed: true, summary: 'emailed it@example.com', attempts: 1, durationMs: 40 });
  run.append({ type: 'run.finished', at: at(), status: 'failed', failedStep: 'unbind', error: forbidden, output: { user: 'john@example.com', groups_removed: 2 } });
  run.writeOutput({ user: 'john@example.com', groups_removed: 2 });
  run.updateMeta({ status: 'failed', finishedAt: new Date(clock).toISOString(), durationMs: 2350, failedStep: 'unbind', error: 'HTTP 403 forbidden', childRunIds: ['20261122-2305-child1'] });
  return run;
}
