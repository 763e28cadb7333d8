import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkflowStateStore, disabledWorkflowWarning } from '../../../engine/workflows/workflow-state.js';

const root = () => mkdtempSync(join(tmpdir(), 'idflow-wfstate-'));

describe('WorkflowStateStore', () => {
  it('treats a workflow never switched as enabled, and keeps a switch across instances (restarts)', () => {
    const store = root();
    const now = () => new Date('2026-11-22T10:00:00Z');
    expect(new WorkflowStateStore(store).get('jumpcloud-offboarding')).toEqual({ id: 'jumpcloud-offboarding', enabled: true });
    const result = new WorkflowStateStore(store, { now }).set('jumpcloud-offboarding', false, { changedBy: 'admin@x.com', reason: ' HR feed under maintenance ' });
    expect(result).toEqual({ changed: true, state: { id: 'jumpcloud-offboarding', enabled: false, changedAt: '2026-11-22T10:00:00.000Z', changedBy: 'admin@x.com', reason: 'HR feed under maintenance' } });
    const later = new WorkflowStateStore(store);
    expect(later.isEnabled('jumpcloud-offboarding')).toBe(false);
    expect(later.set('jumpcloud-offboarding', false, { changedBy: 'someone' }).changed).toBe(false);
    expect(later.get('jumpcloud-offboarding')).toEqual(result.state);
    expect(later.set('jumpcloud-offboarding', true, { changedBy: 'admin@x.com' })).toMatchObject({ changed: true, state: { enabled: true } });
  });

  it('refuses ids that are not workflow ids (they name files)', () => {
    expect(() => new WorkflowStateStore(root()).get('../etc')).toThrow(/"..\/etc" is not a workflow id/);
  });

  it('reports a damaged state file instead of guessing', () => {
    const store = root();
    mkdirSync(join(store, 'workflows'));
    writeFileSync(join(store, 'workflows', 'x.json'), '{"enabled": "no"}');
    expect(() => new WorkflowStateStore(store).get('x')).toThrow(/does not say whether x is enabled/);
    expect(disabledWorkflowWarning(store, 'x')).toMatch(/cannot tell whether x is enabled/);
  });

  it('words the warning of a manual run of a disabled workflow', () => {
    const store = root();
    expect(disabledWorkflowWarning(store, 'hello')).toBeUndefined();
    new WorkflowStateStore(store, { now: () => new Date('2026-11-22T10:00:00Z') }).set('hello', false, { changedBy: 'ops', reason: 'paused' });
    expect(disabledWorkflowWarning(store, 'hello')).toBe('hello is disabled by ops on 2026-11-22T10:00:00.000Z (paused): its triggers do not fire in idflow serve; running it by hand anyway ("idflow workflows enable hello" turns them back on)');
  });
});
