import { describe, expect, it } from 'vitest';
import { describeTransition, renderChange, renderPlan } from '../../../../engine/cli/format/plan-view.js';
import type { PlanResult } from '../../../../engine/runner/plan-run.js';

describe('the plan view', () => {
  it('shows only the fields that differ between two objects, and plain values as before → after', () => {
    expect(describeTransition({ id: 'x', name: 'john', state: 'ACTIVATED', suspended: false }, { id: 'x', name: 'john', state: 'SUSPENDED', suspended: true })).toBe('state: ACTIVATED → SUSPENDED, suspended: false → true');
    expect(describeTransition({ present: true, fingerprint: 'SHA256:abc' }, { present: false })).toBe('present: true → false, fingerprint: SHA256:abc → ∅');
    expect(describeTransition('member', 'not a member')).toBe('member → not a member');
    expect(describeTransition(undefined, { big: 'object' })).toBe('');
    expect(describeTransition(undefined, undefined)).toBe('');
  });

  it('marks removals, additions, reports and failures, without colour in plain style', () => {
    expect(renderChange({ target: 'group "Eng" (1)', operation: 'remove_member', before: { member: true }, after: { member: false } }, 'plain')).toBe('- remove member group "Eng" (1)  (member: true → false)');
    expect(renderChange({ target: 'email to a@b.c', operation: 'notify' }, 'plain')).toBe('+ notify email to a@b.c');
    expect(renderChange({ target: 'system "x" through group "g"', operation: 'keep', result: 'reported', note: 'ends with the group' }, 'plain')).toBe('! keep system "x" through group "g"  — ends with the group');
    expect(renderChange({ target: 'x', operation: 'remove', result: 'unchanged' }, 'plain')).toBe('= remove x');
    // A write-ahead intent is not drawn as the removal it announces.
    expect(renderChange({ target: 'x', operation: 'remove', result: 'started' }, 'plain')).toBe('. remove x');
    expect(renderChange({ target: 'x', operation: 'remove' }, 'pretty')).toContain('\u001b[31m- remove\u001b[0m x');
  });

  it('lists every step with its status, and sums up without claiming a change was made', () => {
    const plan: PlanResult = {
      workflow: { id: 'offboard', name: 'Offboard' },
      runId: 'plan-1',
      subject: 'jdoe',
      when: true,
      onFailure: ['tell_it'],
      totalChanges: 2,
      steps: [
        { id: 'groups', name: 'Remove groups', action: 'acme.groups.remove', status: 'would_run', changes: [{ target: 'group "a"', operation: 'remove' }, { target: 'group "b"', operation: 'remove' }] },
        { id: 'skipped', action: 'log', status: 'would_skip', reason: 'if: false', changes: [] },
        { id: 'opaque', action: 'acme.thing.do', status: 'no_preview', changes: [] },
        { id: 'after', action: 'log', status: 'cannot_preview', reason: 'depends on step "opaque"', changes: [] },
      ],
    };
    expect(renderPlan(plan, 'plain')).toBe([
      'Plan: Offboard (offboard) for jdoe',
      '  groups  Remove groups  [acme.groups.remove]  2 changes',
      '      - remove group "a"',
      '      - remove group "b"',
      '  skipped  [log]  skipped (if: false)',
      '  opaque  [acme.thing.do]  would run, no preview (not executed in a plan)',
      '  after  [log]  cannot preview: depends on step "opaque"',
      '  on failure: tell_it',
      '',
      '2 changes in 4 steps, 1 skipped, 1 without preview, 1 cannot be previewed. Nothing was changed.',
    ].join('\n'));
    expect(renderPlan({ ...plan, when: false, steps: [] }, 'plain')).toBe('Plan: Offboard (offboard) for jdoe\n  The workflow\'s "when" condition is false: nothing would run.');
  });
});
